package local

import (
	"regexp"
	"strings"
	"unicode"
)

// Contact intents.
type (
	// contactCreate: "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com".
	contactCreate struct{ fields contactFields }
	// contactFind: "Find all contacts from London", "find Jane".
	contactFind struct{ filter contactFilter }
	// contactUpdate: "Update Jane Doe's phone to +44 20 7946 0000".
	contactUpdate struct {
		who     contactRef
		set     contactFields
		addTags []string
	}
	// contactDelete: "Delete the contact Jane Doe".
	contactDelete struct{ who contactRef }
	// contactDeleteAll: "Delete all contacts from Acme" (confirmed above 5).
	contactDeleteAll struct{ filter contactFilter }
)

// contactRef is how a request names one contact.
type contactRef struct {
	name, email string
	pron        string // "her", "him"…: the contact this request just created
}

func (c contactRef) String() string {
	switch {
	case c.email != "":
		return c.email
	case c.pron != "":
		return c.pron
	}
	return c.name
}

func (u contactUpdate) pronoun() string { return u.who.pron }
func (d contactDelete) pronoun() string { return d.who.pron }

// refOf reads a contact reference: a name, an email or a pronoun.
func refOf(s string) (contactRef, bool) {
	s = unquote(reContactWord.ReplaceAllString(strings.TrimSpace(s), ""))
	switch {
	case rePronoun.MatchString(s):
		return contactRef{pron: strings.ToLower(s)}, true
	case reEmail.MatchString(s):
		return contactRef{email: s}, true
	case validName(s):
		return contactRef{name: s}, true
	}
	return contactRef{}, false
}

var reContactWord = re(`^(?:the\s+)?contact\s+(?:for\s+|named\s+|called\s+)?`)

// contactFields are the contact attributes a request names.
type contactFields struct {
	order []string          // keys in the order named
	vals  map[string]string // name, email, phone, company, title, city, notes
	tags  []string
}

func (f *contactFields) get(key string) string { return f.vals[key] }

// set validates and records one attribute under its canonical key.
func (f *contactFields) set(key, value string) *parseError {
	value = unquote(strings.TrimRight(strings.TrimSpace(value), ",;"))
	if value == "" {
		return refuse("the %s is empty", key)
	}
	switch key {
	case "email":
		if !reEmail.MatchString(value) {
			return refuse("%q does not look like an email address", value)
		}
	case "phone":
		if !looksLikePhone(value) {
			return refuse("%q does not look like a phone number", value)
		}
	case "name":
		if !validName(value) {
			return refuse("%q does not look like a name", value)
		}
	case "tags":
		f.tags = append(f.tags, splitList(value)...)
		f.note(key)
		return nil
	}
	if f.vals == nil {
		f.vals = map[string]string{}
	}
	if old, dup := f.vals[key]; dup && !strings.EqualFold(old, value) {
		return refuse("the %s is given twice (%q and %q)", key, old, value)
	}
	f.vals[key] = value
	f.note(key)
	return nil
}

func (f *contactFields) note(key string) {
	for _, k := range f.order {
		if k == key {
			return
		}
	}
	f.order = append(f.order, key)
}

// args are the tool arguments for the named attributes.
func (f contactFields) args() map[string]any {
	out := map[string]any{}
	for k, v := range f.vals {
		out[k] = v
	}
	if len(f.tags) > 0 {
		out["tags"] = f.tags
	}
	return out
}

const fieldWords = `phone\s+number|phone|mobile\s+number|mobile|telephone|tel|cell|e-?mail\s+address|e-?mail|job\s+title|title|role|position|company|employer|organi[sz]ation|city|location|town|notes?|name|tags`

// fieldKey maps a field word to its tool argument.
func fieldKey(word string) string {
	w := strings.ToLower(strings.Join(strings.Fields(word), " "))
	switch {
	case strings.Contains(w, "mail"):
		return "email"
	case strings.HasPrefix(w, "phone"), strings.HasPrefix(w, "mobile"), w == "telephone", w == "tel", w == "cell":
		return "phone"
	case w == "job title", w == "title", w == "role", w == "position":
		return "title"
	case w == "company", w == "employer", strings.HasPrefix(w, "organi"):
		return "company"
	case w == "city", w == "location", w == "town":
		return "city"
	case strings.HasPrefix(w, "note"):
		return "notes"
	}
	return w // name, tags
}

var (
	reContactCreate = re(`^(?:create|add|make|save|register|record|new)\s+(?:a\s+|an\s+)?(?:new\s+)?contact(?:\s+(?:for|named|called|with\s+(?:the\s+)?name))?\s*[:,]?\s+(.+)$`)
	reContactBare   = re(`^(?:create|add|make|new)\s+(?:a\s+|an\s+)?(?:new\s+)?contact$`)
	reContactAddTo  = re(`^(?:add|save|put)\s+(.+?)\s+(?:to\s+(?:my\s+|the\s+|our\s+)?contacts|as\s+(?:a\s+)?(?:new\s+)?contact)$`)
	reAddName       = re(`^add\s+(.+)$`)
	reDeleteAll     = re(`^(?:delete|remove|erase)\s+(?:all\s+(?:of\s+)?(?:the\s+|my\s+|our\s+)?|every\s+|the\s+|my\s+)?contacts\b\s*(.*)$`)
	reDeleteOne     = re(`^(?:delete|remove|erase)\s+(?:the\s+)?contact\s+(.+)$`)
	reDeleteFrom    = re(`^(?:delete|remove|erase)\s+(.+?)\s+from\s+(?:my\s+|the\s+|our\s+)?contacts$`)
	reUpdPossessive = re(`^(?:update|change|set|edit|correct|fix|make)\s+(?:the\s+)?(.+?)(?:'s|')\s+(` + fieldWords + `)\s+(?:to|as|=|:|into)\s*(.+)$`)
	reUpdOf         = re(`^(?:update|change|set|edit|correct|fix)\s+(?:the\s+)?(` + fieldWords + `)\s+(?:of|for)\s+(.+?)\s+to\s+(.+)$`)
	reUpdPronoun    = re(`^(?:update|change|set|edit)\s+(his|her|their)\s+(` + fieldWords + `)\s+(?:to|as)\s+(.+)$`)
	reUpdIs         = re(`^(.+?)(?:'s|')\s+(?:new\s+)?(` + fieldWords + `)\s+is\s+(?:now\s+)?(.+)$`)
	reUpdMoved      = re(`^(.+?)\s+(?:has\s+)?(?:moved|relocated)\s+to\s+(.+)$`)
	reUpdWorks      = re(`^(.+?)\s+(?:now\s+works|works\s+now|has\s+joined|joined)\s+(?:at\s+|for\s+)?(.+)$`)
	reUpdIsNow      = re(`^(.+?)\s+is\s+now\s+(?:the\s+|a\s+|an\s+)?(.+)$`)
	reUpdContact    = re(`^(?:update|edit|change)\s+(?:the\s+)?contact\s+(.+?)\s*(?::|,|\s+with|\s+set(?:ting)?)\s+(.+)$`)
	reTagContact    = re(`^tag\s+(.+?)\s+(?:as|with)\s+(.+)$`)
	reContactList   = re(`^(?:find|search(?:\s+for)?|look\s+up|lookup|look\s+for|show(?:\s+me)?|list|get|display|give\s+me|who\s+are)\s+(?:all\s+(?:of\s+)?|every\s+)?(?:the\s+|my\s+|our\s+)?contacts?\b\s*(.*)$`)
	reWhoWorksAt    = re(`^who\s+works\s+(?:at|for)\s+(.+)$`)
	reFindAny       = re(`^(?:find|search\s+for|search|look\s+up|lookup|look\s+for)\s+(.+)$`)
	reFieldValue    = re(`^(` + fieldWords + `)\s*(?::|=|\s+is|\s+to)?\s+(.+)$`)
)

// parseContact recognises contact requests.
func parseContact(s string, _ calendar) (intent, bool, *parseError) {
	if m := reContactCreate.FindStringSubmatch(s); m != nil {
		f, err := parseContactDetails(m[1])
		return contactCreate{fields: f}, true, err
	}
	if reContactBare.MatchString(s) {
		return nil, true, refuse("a new contact needs at least a name, e.g. \"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com\"")
	}
	if m := reContactAddTo.FindStringSubmatch(s); m != nil {
		f, err := parseContactDetails(m[1])
		return contactCreate{fields: f}, true, err
	}
	if m := reDeleteAll.FindStringSubmatch(s); m != nil {
		f, err := parseFilter(m[1])
		return contactDeleteAll{filter: f}, true, err
	}
	for _, rx := range []*regexp.Regexp{reDeleteOne, reDeleteFrom} {
		if m := rx.FindStringSubmatch(s); m != nil {
			who, ok := refOf(m[1])
			if !ok {
				return nil, true, refuse("I could not tell which contact %q is; give the full name or the email", m[1])
			}
			return contactDelete{who: who}, true, nil
		}
	}
	if it, ok, err := parseContactUpdate(s); ok || err != nil {
		return it, ok, err
	}
	if m := reContactList.FindStringSubmatch(s); m != nil {
		f, err := parseFilter(m[1])
		return contactFind{filter: f}, true, err
	}
	if m := reWhoWorksAt.FindStringSubmatch(s); m != nil {
		return contactFind{filter: contactFilter{company: unquote(m[1])}}, true, nil
	}
	if m := reFindAny.FindStringSubmatch(s); m != nil {
		v := unquote(m[1])
		switch {
		case reEmail.MatchString(v):
			return contactFind{filter: contactFilter{email: v}}, true, nil
		case validName(v):
			return contactFind{filter: contactFilter{query: v}}, true, nil
		}
		return nil, false, nil
	}
	if m := reAddName.FindStringSubmatch(s); m != nil && startsUpper(m[1]) {
		// "Add Bob Smith from Initech": weaker than "create a contact",
		// so details that do not parse mean "not understood".
		if f, err := parseContactDetails(m[1]); err == nil {
			return contactCreate{fields: f}, true, nil
		}
	}
	return nil, false, nil
}

// parseContactUpdate recognises changes to one contact.
func parseContactUpdate(s string) (intent, bool, *parseError) {
	target := func(who string, key, value string) (intent, bool, *parseError) {
		ref, ok := refOf(who)
		if !ok {
			return nil, false, nil
		}
		u := contactUpdate{who: ref}
		if err := u.set.set(key, value); err != nil {
			return nil, true, err
		}
		return u, true, nil
	}
	if m := reUpdPronoun.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdPossessive.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdOf.FindStringSubmatch(s); m != nil {
		return target(m[2], fieldKey(m[1]), m[3])
	}
	if m := reUpdContact.FindStringSubmatch(s); m != nil {
		ref, ok := refOf(m[1])
		if !ok {
			return nil, true, refuse("I could not tell which contact %q is; give the full name or the email", m[1])
		}
		u := contactUpdate{who: ref}
		for _, seg := range splitList(m[2]) {
			if fv := reFieldValue.FindStringSubmatch(seg); fv != nil {
				if err := u.set.set(fieldKey(fv[1]), fv[2]); err != nil {
					return nil, true, err
				}
			} else if err := u.set.segment(seg); err != nil {
				return nil, true, err
			}
		}
		return u, true, nil
	}
	if m := reTagContact.FindStringSubmatch(s); m != nil {
		if ref, ok := refOf(m[1]); ok {
			return contactUpdate{who: ref, addTags: splitList(m[2])}, true, nil
		}
	}
	if m := reUpdIs.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdMoved.FindStringSubmatch(s); m != nil {
		return target(m[1], "city", m[2])
	}
	if m := reUpdWorks.FindStringSubmatch(s); m != nil {
		return target(m[1], "company", m[2])
	}
	if m := reUpdIsNow.FindStringSubmatch(s); m != nil {
		ref, ok := refOf(m[1])
		if !ok || ref.pron != "" {
			return nil, false, nil
		}
		u := contactUpdate{who: ref}
		if err := u.set.segment(m[2]); err != nil {
			return nil, true, err
		}
		return u, true, nil
	}
	return nil, false, nil
}

func startsUpper(s string) bool {
	w := strings.Fields(s)
	if len(w) == 0 || notNameWords[strings.ToLower(w[0])] {
		return false
	}
	for _, r := range w[0] {
		return unicode.IsUpper(r)
	}
	return false
}

var (
	reDetailMarker = re(`\s+(who\s+works\s+(?:at|for)|works\s+(?:at|for)|working\s+(?:at|for)|from|at|of|based\s+in|who\s+lives\s+in|lives\s+in|living\s+in|located\s+in|in|tagged(?:\s+(?:as|with))?|(?:with\s+(?:the\s+)?)?e-?mail(?:\s+address)?|(?:with\s+(?:the\s+)?)?(?:phone|mobile|tel)(?:\s+number)?)\s+`)
	reTagsSeg      = re(`^(?:tagged(?:\s+(?:as|with))?|tags?\s*:?|with\s+(?:the\s+)?tags?)\s+(.+)$`)
	reNotesSeg     = re(`^(?:notes?|with\s+(?:the\s+)?notes?|comment)\s*:?\s+(.+)$`)
	reSegments     = regexp.MustCompile(`\s*[,;]\s*`)
	reLeadingAnd   = re(`^and\s+`)
)

// parseContactDetails reads "Jane Doe, CEO of Acme Corp, jane@acme.com":
// the name first, then attributes separated by commas.
func parseContactDetails(s string) (contactFields, *parseError) {
	var f contactFields
	segs := reSegments.Split(strings.TrimSpace(s), -1)
	lead, err := f.markers(segs[0])
	if err != nil {
		return f, err
	}
	// An email written straight after the name: "Jane Doe jane@acme.com".
	if w := strings.Fields(lead); len(w) > 1 && reEmail.MatchString(w[len(w)-1]) {
		if err := f.set("email", w[len(w)-1]); err != nil {
			return f, err
		}
		lead = strings.Join(w[:len(w)-1], " ")
	}
	if !validName(unquote(lead)) {
		return f, refuse("I could not find the contact's name in %q", segs[0])
	}
	if err := f.set("name", lead); err != nil {
		return f, err
	}
	for i := 1; i < len(segs); i++ {
		seg := reLeadingAnd.ReplaceAllString(strings.TrimSpace(segs[i]), "")
		rest := strings.Join(segs[i+1:], ", ")
		if m := reTagsSeg.FindStringSubmatch(seg); m != nil {
			return f, f.set("tags", strings.TrimSuffix(m[1]+", "+rest, ", "))
		}
		if m := reNotesSeg.FindStringSubmatch(seg); m != nil {
			return f, f.set("notes", strings.TrimSuffix(m[1]+", "+rest, ", "))
		}
		if err := f.segment(seg); err != nil {
			return f, err
		}
	}
	return f, nil
}

// segment reads one attribute: an email, a phone, "title CTO", "CEO of
// Acme", "from Initech", "in Berlin".
func (f *contactFields) segment(seg string) *parseError {
	seg = unquote(seg)
	switch {
	case reEmail.MatchString(seg):
		return f.set("email", seg)
	case looksLikePhone(seg):
		return f.set("phone", seg)
	}
	if m := reFieldValue.FindStringSubmatch(seg); m != nil {
		return f.set(fieldKey(m[1]), m[2])
	}
	if title, company, ok := titleOf(seg); ok {
		if err := f.set("title", title); err != nil {
			return err
		}
		_, err := f.markers(" at " + company)
		return err
	}
	if loc := reDetailMarker.FindStringIndex(" " + seg); loc != nil && loc[0] == 0 {
		_, err := f.markers(" " + seg)
		return err
	}
	if isTitle(seg) {
		return f.set("title", seg)
	}
	return refuse("I could not tell what %q is in the contact details (write e.g. \"at Acme Corp\", \"in Berlin\", \"title CEO\" or \"phone +1 555 0100\")", seg)
}

// markers applies "from Initech in Berlin"-style attributes in s and
// returns the text before the first marker. A company or city already
// named absorbs a later marker ("from Bank of America").
func (f *contactFields) markers(s string) (string, *parseError) {
	lead, pieces := splitMarkers(s, reDetailMarker)
	var kept []markerPiece
	seen := map[string]bool{}
	for i, p := range pieces {
		k := markerKind(p.marker)
		if len(kept) > 0 && (seen[k] || (p.marker == "of" && i > 0)) {
			absorb(kept, p)
			continue
		}
		seen[k] = true
		kept = append(kept, p)
	}
	for _, p := range kept {
		if err := f.set(markerKind(p.marker), p.value); err != nil {
			return lead, err
		}
	}
	return lead, nil
}

func markerKind(m string) string {
	switch {
	case strings.Contains(m, "mail"):
		return "email"
	case strings.Contains(m, "phone"), strings.Contains(m, "mobile"), strings.HasSuffix(m, "tel"), strings.Contains(m, "tel "):
		return "phone"
	case strings.HasPrefix(m, "tagged"):
		return "tags"
	case m == "in", strings.HasSuffix(m, " in"):
		return "city"
	}
	return "company"
}

// titleOf splits "CEO of Acme Corp" or "Head of Sales at Acme" into a job
// title and a company; the title must contain a known title word.
func titleOf(seg string) (title, company string, ok bool) {
	l := strings.ToLower(seg)
	i := strings.Index(l, " at ")
	if i < 0 {
		i = strings.Index(l, " of ")
	}
	if i <= 0 {
		return "", "", false
	}
	title, company = strings.TrimSpace(seg[:i]), strings.TrimSpace(seg[i+4:])
	title = strings.TrimSpace(reArticle.ReplaceAllString(title, ""))
	if company == "" || !isTitle(title) {
		return "", "", false
	}
	return title, company, true
}

var reArticle = re(`^(?:the|a|an)\s+`)

// titleWords are words that make a phrase a job title.
var titleWords = wordSet(`ceo cto cfo coo cmo cio cpo ciso vp svp evp president vice chair chairman
	chairwoman founder cofounder co-founder owner partner director head manager lead engineer developer
	designer consultant analyst officer secretary assistant advisor adviser architect specialist
	coordinator administrator accountant attorney lawyer counsel recruiter representative rep editor
	chief principal associate intern executive supervisor treasurer scientist researcher professor
	teacher doctor nurse buyer agent broker salesperson marketer controller strategist programmer
	producer writer journalist`)

func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}

// isTitle reports whether s reads as a job title: up to five words, one
// of them a title word.
func isTitle(s string) bool {
	w := strings.Fields(strings.ToLower(s))
	if len(w) == 0 || len(w) > 5 || strings.ContainsAny(s, "@0123456789") {
		return false
	}
	for _, x := range w {
		if titleWords[strings.Trim(x, ".,")] {
			return true
		}
	}
	return false
}
