package local

import "strings"

// The contact frames: creating, changing, tagging, annotating and
// deleting one contact. Each frame reads its cue words from the lexicon
// below and fills its slots (who, the field, the value, the details)
// from the clause; the contact details themselves are read by
// parseContactDetails (contact_fields.go). The frames are scored
// against each other and every other frame (compete.go), so "Add the tag vip to Emma" is a
// tag (a strong cue) and never the weak "Add <name>" of a new contact.

// The contacts family's lexicon.
var (
	cueNewContact = lexCue("create|add|make|save|register|record|new [a|an] [new] contact|lead|client|customer|prospect [for|named|called|with_the_name|with_name]")
	cueAddVerb    = lexCue("add|save|put")
	cueToContacts = lexCue("to [my|the|our] contacts_list|contacts|address_book|crm")
	cueAsContact  = lexCue("as [a|an] [new] contact|lead|client|customer|prospect")
	cueAddOnly    = lexCue("add")
	cueClearVerb  = lexCue("remove|delete|clear|erase|blank [the]")
	cueUpdVerb    = lexCue("update|change|set|edit|correct|fix|make [the]")
	cueOfVerb     = lexCue("update|change|set|edit|correct|fix [the]")
	cuePronVerb   = lexCue("update|change|set|edit")
	cueListVerb   = lexCue("update|edit|change")
	cueTheContact = lexCue("[the] contact")
	cueField      = lexCue("phone_number|phone|mobile_number|mobile|telephone|tel|cell|e-mail_address|email_address|e-mail|email|job_title|title|role|position|company|employer|organisation|organization|city|location|town|notes|note|name|tags")
	cueOfFor      = lexCue("of|for")
	cueTo         = lexCue("to")
	cueToAsInto   = lexCue("to|as|into")
	cueFrom       = lexCue("from")
	cueListSep    = lexCue("with|set|setting")
	cueIs         = lexCue("is|should_be|needs_to_be|has_changed_to|changed_to [now]")
	cueNewWord    = lexCue("new")
	cueMoved      = lexCue("[has] moved|relocated to")
	cueWorks      = lexCue("now_works|works_now|has_joined|joined [at|for]")
	cueIsNow      = lexCue("is now [the|a|an]")
	cueTagAddVerb = lexCue("add|put|apply [the|a]")
	cueTagDropVrb = lexCue("remove|delete|drop|take_off [the|a]")
	cueTagWord    = lexCue("tag|tags")
	cueToOn       = lexCue("to|on")
	cueFromOnOf   = lexCue("from|on|of")
	cueUntag      = lexCue("untag")
	cueAsFrom     = lexCue("as|from")
	cueTagVerb    = lexCue("tag")
	cueAsWith     = lexCue("as|with")
	cueMark       = lexCue("mark")
	cueAs         = lexCue("as")
	cueAnA        = lexCue("a|an")
	cueNoteVerb   = lexCue("add|put|attach|leave [a] note to|on|for")
	cueNoteSep    = lexCue("saying|that_says|-")
	cueDelVerb    = lexCue("delete|remove|erase|get_rid_of")
	cueDelAll     = lexCue("delete|remove|erase|get_rid_of [all|every|the|my] [of] [the|my|our] contacts")
	cueDelOne     = lexCue("delete|remove|erase|get_rid_of [the] contact [named|called]")
	cueFromList   = lexCue("from [my|the|our] contacts|address_book|crm")
)

// contactFrames are the frames of the contacts family, scored in one
// competition with every other frame (compete.go).
var contactFrames = []frameDef{
	{"contact-create", fitContactCreate},
	{"contact-add-to", fitContactAddTo},
	{"contact-add-name", fitContactAddName},
	{"contact-clear", fitContactClear},
	{"contact-set", fitContactSet},
	{"contact-set-of", fitContactSetOf},
	{"contact-set-list", fitContactSetList},
	{"contact-is", fitContactIs},
	{"contact-moved", fitContactMoved},
	{"contact-tag", fitContactTag},
	{"contact-note", fitContactNote},
	{"contact-delete", fitContactDelete},
}

func init() {
	for k, v := range map[string]string{
		"contact-create": "a new contact", "contact-add-to": "a new contact", "contact-add-name": "a new contact",
		"contact-clear": "clearing a field", "contact-set": "a change to a contact", "contact-set-of": "a change to a contact",
		"contact-set-list": "a change to a contact", "contact-is": "a change to a contact", "contact-moved": "a change to a contact",
		"contact-tag": "a tag on a contact", "contact-note": "a note on a contact", "contact-delete": "deleting a contact",
	} {
		frameWords[k] = v
	}
}

// The scores: a cue that names the request kind outright ("create a
// contact", "add the tag") beats one that only fits its shape ("X is
// now …"), which beats a bare verb and a name ("Add Bob Smith").
const (
	scoreNamed = 8 // the cue names the record kind and the action
	scoreCue   = 7 // the cue names the action on one field or tag
	scoreShape = 6 // the clause's shape: "X's phone is …", "X moved to …"
	scoreBare  = 4 // a bare verb and a record: "Delete Kenji Tanaka"
	scoreWeak  = 2 // a bare "Add" and a name
)

// "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com".
func fitContactCreate(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueNewContact)
	if !ok {
		return frameFit{}, false
	}
	rest := trimSep(after)
	if rest == "" {
		return frameFit{score: scoreNamed, err: refuse("a new contact needs at least a name, e.g. \"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com\"")}, true
	}
	f, err := parseContactDetails(rest)
	return frameFit{score: scoreNamed, it: contactCreate{fields: f}, err: err}, true
}

// "Add Jane Doe to my contacts", "Add Omar Haddad as a new contact,
// works at Globex".
func fitContactAddTo(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueAddVerb)
	if !ok {
		return frameFit{}, false
	}
	for _, c := range []cue{cueToContacts, cueAsContact} {
		who, more, ok := findCue(after, c, 1)
		if !ok {
			continue
		}
		more = strings.TrimSpace(more)
		if more != "" && !strings.ContainsAny(more[:1], ",:;") {
			continue
		}
		details := strings.TrimRight(who, ", ")
		if m := trimSep(more); m != "" {
			details += ", " + m
		}
		f, err := parseContactDetails(details)
		return frameFit{score: scoreNamed, it: contactCreate{fields: f}, err: err}, true
	}
	return frameFit{}, false
}

// "Add Bob Smith from Initech": weaker than "create a contact", so
// details that do not read mean "not understood".
func fitContactAddName(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueAddOnly)
	rest := strings.TrimSpace(after)
	if !ok || !startsUpper(rest) {
		return frameFit{}, false
	}
	f, err := parseContactDetails(rest)
	if err != nil {
		return frameFit{}, false
	}
	return frameFit{score: scoreWeak, it: contactCreate{fields: f}}, true
}

// "Remove Jane's phone": clearing a field is not built; say so.
func fitContactClear(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueClearVerb)
	if !ok {
		return frameFit{}, false
	}
	_, field, ok := possessive(after)
	if !ok {
		return frameFit{}, false
	}
	field = strings.TrimSpace(field)
	if end, ok := opens(field, cueField); !ok || strings.TrimSpace(end) != "" {
		return frameFit{}, false
	}
	return frameFit{score: scoreCue, err: refuse("I can't clear a contact's %s yet; set a new value instead", fieldKey(field))}, true
}

// setOne is the frame result of one field set on one contact; not ok
// when who is not a contact reference.
func setOne(who, key, value string, score int) (frameFit, bool) {
	ref, ok := refOf(who)
	if !ok {
		return frameFit{}, false
	}
	u := contactUpdate{who: ref}
	value, more := moreFields(value)
	for _, kv := range append([][2]string{{key, value}}, more...) {
		if err := u.set.set(kv[0], kv[1]); err != nil {
			return frameFit{score: score, err: err}, true
		}
	}
	return frameFit{score: score, it: u}, true
}

// moreFields splits a value where a further field change of the same
// contact starts: "Head of Buying and her city to Munich" is the value
// "Head of Buying" and the city Munich. A value never swallows the next
// field; only "and" or a comma, then his/her/their and a field cue,
// start one ("Johnson and Johnson" stays whole).
func moreFields(v string) (first string, more [][2]string) {
	toks := tokens(v)
	for i := 1; i < len(toks); i++ {
		if !cuePossPron.matches(toks[i]) {
			continue
		}
		cut := toks[i].start
		switch {
		case toks[i-1].norm == "and" && i > 1:
			cut = toks[i-1].start
		case toks[i-1].punctAfter(v) && v[toks[i-1].end-1] == ',':
		default:
			continue
		}
		rest := v[toks[i].wend:]
		key, val, ok := fieldThenValue(rest)
		if !ok {
			key, val, ok = fieldIsValue(rest)
		}
		if !ok || val == "" {
			continue
		}
		val, further := moreFields(val)
		return strings.TrimRight(strings.TrimSpace(v[:cut]), ", "), append([][2]string{{key, val}}, further...)
	}
	return v, nil
}

// cuePossPron opens a further field of the same contact.
var cuePossPron = lexCue("his|her|their")

// fieldIsValue reads "city is Paris" ("[new] <field> is|should be …
// <value>").
func fieldIsValue(s string) (key, value string, ok bool) {
	s = strings.TrimSpace(s)
	if r, ok := opens(s, cueNewWord); ok {
		s = strings.TrimSpace(r)
	}
	after, ok := opens(s, cueField)
	if !ok {
		return "", "", false
	}
	v, ok := opens(after, cueIs)
	if !ok || strings.TrimSpace(v) == "" {
		return "", "", false
	}
	return fieldKey(s[:len(s)-len(after)]), strings.TrimSpace(v), true
}

// fieldThenValue reads "phone to +1 555", "city from London to Leeds",
// "title: CIO" after the owner: the field key and its value.
func fieldThenValue(s string) (key, value string, ok bool) {
	s = strings.TrimSpace(s)
	after, ok := opens(s, cueField)
	if !ok {
		return "", "", false
	}
	key = fieldKey(strings.TrimRight(s[:len(s)-len(after)], ":=;, "))
	if a := strings.TrimSpace(after); strings.HasPrefix(a, ":") || strings.HasPrefix(a, "=") {
		return key, trimSep(a), true
	}
	if v, ok := opens(after, cueToAsInto); ok {
		return key, strings.TrimSpace(v), true
	}
	// "city from London to Manchester": the old value is ignored.
	if from, ok := opens(after, cueFrom); ok {
		if _, v, ok := findCue(from, cueToAsInto, 1); ok {
			return key, strings.TrimSpace(v), true
		}
	}
	return "", "", false
}

// "Update Jane Doe's phone to +44 20 7946 0000", "Set her title to
// CIO", "Change John Smith's city from London to Manchester".
func fitContactSet(s string, _ []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cuePronVerb); ok {
		toks := tokens(after)
		if len(toks) > 0 && (toks[0].norm == "his" || toks[0].norm == "her" || toks[0].norm == "their") {
			rest := after[toks[0].end:]
			if key, v, ok := fieldThenValue(rest); ok && !strings.HasPrefix(strings.TrimSpace(rest), "from") {
				return setOne(toks[0].norm, key, v, scoreCue)
			}
		}
	}
	after, ok := opens(s, cueUpdVerb)
	if !ok {
		return frameFit{}, false
	}
	who, rest, ok := possessive(after)
	if !ok {
		return frameFit{}, false
	}
	key, v, ok := fieldThenValue(rest)
	if !ok {
		return frameFit{}, false
	}
	return setOne(who, key, v, scoreCue)
}

// "Set the city of Jane Doe to Paris".
func fitContactSetOf(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueOfVerb)
	if !ok {
		return frameFit{}, false
	}
	rest, ok := opens(strings.TrimSpace(after), cueField)
	if !ok {
		return frameFit{}, false
	}
	field := strings.TrimSpace(after)
	field = field[:len(field)-len(rest)]
	rest, ok = opens(strings.TrimSpace(rest), cueOfFor)
	if !ok {
		return frameFit{}, false
	}
	who, v, ok := findCue(rest, cueTo, 1)
	if !ok {
		return frameFit{}, false
	}
	if before, _, ok := findCue(who, cueFrom, 1); ok {
		who = before // "the city of John from London to Leeds"
	}
	return setOne(who, fieldKey(field), strings.TrimSpace(v), scoreCue)
}

// "Update the contact Jane Doe: phone +1 555 0100, city Paris",
// "Update Kenji Tanaka: email kenji.t@globex.example".
func fitContactSetList(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueListVerb)
	if !ok {
		return frameFit{}, false
	}
	after = strings.TrimSpace(after)
	if rest, ok := opens(after, cueTheContact); ok && !strings.HasPrefix(rest, ":") {
		rest = strings.TrimSpace(rest)
		for i, t := range tokens(rest) {
			var who, list string
			switch {
			case t.punctAfter(rest) && (rest[t.end-1] == ':' || rest[t.end-1] == ','):
				who, list = rest[:t.end-1], rest[t.end:]
			case i > 0 && cueListSep.matches(t):
				who, list = rest[:t.start], rest[t.end:]
			default:
				continue
			}
			ref, ok := refOf(who)
			if !ok {
				return frameFit{score: scoreShape, err: refuse("I could not tell which contact %q is; give the full name or the email", strings.TrimSpace(who))}, true
			}
			return updateFields(ref, strings.TrimSpace(list), scoreShape)
		}
	}
	i := strings.IndexByte(after, ':')
	if i <= 0 {
		return frameFit{}, false
	}
	who := strings.TrimSpace(after[:i])
	if owner, what, ok := possessive(who); ok && recordWords[strings.ToLower(strings.TrimSpace(what))] {
		who = owner
	}
	ref, ok := refOf(who)
	if !ok || ref.pron != "" {
		return frameFit{}, false
	}
	return updateFields(ref, strings.TrimSpace(after[i+1:]), scoreShape)
}

// recordWords name a contact's record after its owner: "Kenji's details".
var recordWords = wordSet(`details info information record contact`)

func init() {
	for _, w := range []string{"contact details", "contact info"} {
		recordWords[w] = true
	}
}

// matches reports whether the one-word cue c fits token t.
func (c cue) matches(t token) bool {
	j, ok := c.match([]token{t}, 0)
	return ok && j == 1
}

// updateFields reads "phone +1 555 0100, city Paris" for one contact.
func updateFields(ref contactRef, list string, score int) (frameFit, bool) {
	u := contactUpdate{who: ref}
	for _, seg := range splitList(list) {
		if fv := reFieldValue.FindStringSubmatch(seg); fv != nil {
			if err := u.set.set(fieldKey(fv[1]), fv[2]); err != nil {
				return frameFit{score: score, err: err}, true
			}
		} else if err := u.set.segment(seg); err != nil {
			return frameFit{score: score, err: err}, true
		}
	}
	return frameFit{score: score, it: u}, true
}

// "Priya's title should be CIO", "Jane Doe is now CTO at Initech".
func fitContactIs(s string, _ []span, _ calendar) (frameFit, bool) {
	if who, rest, ok := possessive(s); ok {
		if key, v, ok := fieldIsValue(rest); ok {
			return setOne(who, key, v, scoreShape)
		}
	}
	who, seg, ok := findCue(s, cueIsNow, 1)
	if !ok {
		return frameFit{}, false
	}
	ref, ok := refOf(who)
	if !ok || ref.pron != "" {
		return frameFit{}, false
	}
	u := contactUpdate{who: ref}
	if err := u.set.segment(strings.TrimSpace(seg)); err != nil {
		return frameFit{score: scoreShape, err: err}, true
	}
	return frameFit{score: scoreShape, it: u}, true
}

// "Jane Doe moved to Paris", "Jane Doe now works at Initech".
func fitContactMoved(s string, _ []span, _ calendar) (frameFit, bool) {
	if who, v, ok := findCue(s, cueMoved, 1); ok {
		return setOne(who, "city", strings.TrimSpace(v), scoreShape)
	}
	if who, v, ok := findCue(s, cueWorks, 1); ok {
		return setOne(who, "company", strings.TrimSpace(v), scoreShape)
	}
	return frameFit{}, false
}

// Tags on one contact: "Tag Emma as vip", "Add the tag vip to Emma",
// "Remove the vip tag from Priya", "Untag Emma as vip", "Mark Priya
// Patel as vip" (a status word such as "done" makes it a task).
func fitContactTag(s string, _ []span, _ calendar) (frameFit, bool) {
	tagged := func(who string, tags []string, drop bool) (frameFit, bool) {
		ref, ok := refOf(who)
		if !ok || len(tags) == 0 {
			return frameFit{}, false
		}
		if drop {
			return frameFit{score: scoreCue, it: contactUpdate{who: ref, dropTags: tags}}, true
		}
		return frameFit{score: scoreCue, it: contactUpdate{who: ref, addTags: tags}}, true
	}
	for _, v := range []struct {
		verb, join cue
		drop       bool
	}{{cueTagAddVerb, cueToOn, false}, {cueTagDropVrb, cueFromOnOf, true}} {
		after, ok := opens(s, v.verb)
		if !ok {
			continue
		}
		after = strings.TrimSpace(after)
		if rest, ok := opens(after, cueTagWord); ok {
			// "the tag vip to Emma"
			if tags, who, ok := findCue(rest, v.join, 1); ok {
				return tagged(strings.TrimSpace(who), splitList(tags), v.drop)
			}
			continue
		}
		// "the vip tag to Emma"
		if toks := tokens(after); len(toks) > 3 && cueTagWord.matches(toks[1]) && toks[1].norm == "tag" && v.join.matches(toks[2]) {
			return tagged(strings.TrimSpace(after[toks[2].end:]), []string{after[toks[0].start:toks[0].end]}, v.drop)
		}
	}
	if after, ok := opens(s, cueUntag); ok {
		if who, tags, ok := findCue(after, cueAsFrom, 1); ok {
			return tagged(who, splitList(tags), true)
		}
	}
	if after, ok := opens(s, cueTagVerb); ok {
		if who, tags, ok := findCue(after, cueAsWith, 1); ok {
			return tagged(who, splitList(tags), false)
		}
	}
	if after, ok := opens(s, cueMark); ok {
		if who, tag, ok := findCue(after, cueAs, 1); ok {
			tag = strings.TrimSpace(tag)
			if t, ok := opens(tag, cueAnA); ok {
				tag = strings.TrimSpace(t)
			}
			if oneWord(tag) && !reStatusWord.MatchString(tag) {
				if ref, ok := refOf(who); ok && ref.name != "" {
					return frameFit{score: scoreCue, it: contactUpdate{who: ref, addTags: []string{tag}}}, true
				}
			}
		}
	}
	return frameFit{}, false
}

// "Add a note to Emma: prefers calls in the morning".
func fitContactNote(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueNoteVerb)
	if !ok {
		return frameFit{}, false
	}
	after = strings.TrimSpace(after)
	who, note := "", ""
	if i := strings.IndexByte(after, ':'); i > 0 {
		who, note = after[:i], after[i+1:]
	}
	if w, n, ok := findCue(after, cueNoteSep, 1); ok && (who == "" || len(w) < len(who)) {
		who, note = w, n
	}
	note = strings.TrimSpace(note)
	ref, ok := refOf(strings.TrimSpace(who))
	if !ok || note == "" {
		return frameFit{}, false
	}
	return frameFit{score: scoreCue, it: contactUpdate{who: ref, addNote: note}}, true
}

// Deletes: "Delete the contact Jane Doe", "Remove jane@acme.com from
// contacts", "Delete Kenji Tanaka" (a bare name or email: a name with
// an extension is a file), "Delete the contacts tagged old" (asks first).
func fitContactDelete(s string, _ []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cueDelAll); ok {
		f, err := parseFilter(strings.TrimSpace(after))
		return frameFit{score: scoreNamed, it: contactDeleteAll{filter: f}, err: err}, true
	}
	one := func(who string, score int) (frameFit, bool) {
		ref, ok := refOf(who)
		if !ok {
			return frameFit{score: score, err: refuse("I could not tell which contact %q is; give the full name or the email", who)}, true
		}
		return frameFit{score: score, it: contactDelete{who: ref}}, true
	}
	if after, ok := opens(s, cueDelOne); ok && strings.TrimSpace(after) != "" {
		return one(strings.TrimSpace(after), scoreNamed)
	}
	after, ok := opens(s, cueDelVerb)
	if !ok {
		return frameFit{}, false
	}
	after = strings.TrimSpace(after)
	if who, ok := endsWithCue(after, cueFromList, 1); ok {
		return one(who, scoreNamed)
	}
	// "Delete Kenji Tanaka": only a name or an email is a contact; a
	// name with a file's kind in it ("Reports folder") is not one.
	if who, ok := refOf(after); ok && who.pron == "" && !reFileExt.MatchString(after) && !namesFileKind(after) || ok && who.email != "" {
		return frameFit{score: scoreBare, it: contactDelete{who: who}}, true
	}
	return frameFit{}, false
}
