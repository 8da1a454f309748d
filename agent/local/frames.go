package local

import (
	"reflect"
	"strings"
	"unicode"
)

// Frames: one per request kind, with typed slots filled from the
// recognised spans and the lexicon's cue words. Every frame that fits a
// clause gets a score (cue words and filled slots count for it, words
// it cannot account for count against it); the best wins only by a
// margin. A tie becomes a question, a frame whose cue fits but whose
// required slot is missing becomes a refusal that says what is missing,
// and nothing is written on a guess.
//
// The frames of this file read the recognised spans: one field of a
// contact (any field, notes included), existence questions about any
// record kind ("is there / have we got / anyone in …"), terse comma
// lists of a new contact or a new task, task questions and every task
// of a member. They compete with every other family's frames in one
// competition per clause (compete.go).

// frameFit is one frame's reading of a clause.
type frameFit struct {
	frame string
	score int
	it    intent
	err   *parseError // the cue fits but a slot is missing or unreadable
}

// frameDef is one request kind: fit reads a clause (already tidied and
// through the lexicon) and reports whether the frame applies.
type frameDef struct {
	name string
	fit  func(s string, sp []span, cal calendar) (frameFit, bool)
}

// frameDefs are the frames, in no order: the score decides.
var frameDefs = []frameDef{
	{"contact-field", fitContactField},
	{"exists", fitExists},
	{"contact-list", fitTerseContact},
	{"task-list", fitTerseTask},
	{"task-question", fitTaskQuestion},
	{"task-bulk", fitBulkTasks},
}

// frameMargin is how much the best frame must beat the next by.
const frameMargin = 2

// pickFrame scores every frame of defs on s and keeps the best, by the
// margin.
func pickFrame(defs []frameDef, s string, cal calendar) (intent, bool, *parseError) {
	return scoreFrames(defs, s, cal, spansOf(s, cal))
}

// scoreFrames scores every frame of defs on s with its spans sp.
func scoreFrames(defs []frameDef, s string, cal calendar, sp []span) (intent, bool, *parseError) {
	var fits []frameFit
	for _, f := range defs {
		if fit, ok := f.fit(s, sp, cal); ok {
			fit.frame = f.name
			fits = append(fits, fit)
		}
	}
	return scoreFits(fits)
}

// scoreFits keeps the best of fits, by the margin.
func scoreFits(fits []frameFit) (intent, bool, *parseError) {
	if len(fits) == 0 {
		return nil, false, nil
	}
	bi := 0
	for i, f := range fits {
		if beats(f, fits[bi]) {
			bi = i
		}
	}
	best := fits[bi]
	// Of two readings that agree, the one whose plan covers the other
	// is kept, whichever family read it first.
	for i, f := range fits {
		if i != bi && best.score-f.score < frameMargin && best.err == nil && f.err == nil && subsumes(f.it, best.it) {
			bi, best = i, f
		}
	}
	// Every other reading within the margin must agree with the best
	// one, or the clause is asked back with the readings.
	rivals := []frameFit{best}
	for i, f := range fits {
		if i == bi || best.score-f.score >= frameMargin || agree(best, f) {
			continue
		}
		// A reading with a missing or unreadable slot is no rival for
		// one whose slots are all filled: "Add a task" is the question
		// for the title, not a tie with the task frame missing it.
		if best.err == nil && f.err != nil {
			continue
		}
		if best.err != nil {
			return nil, true, refuse("I could not tell whether you meant %s or %s; say it another way", frameWords[best.frame], frameWords[f.frame])
		}
		dup := false
		for _, r := range rivals {
			dup = dup || agree(r, f)
		}
		if !dup {
			rivals = append(rivals, f)
		}
	}
	if best.err != nil {
		return nil, true, best.err
	}
	if len(rivals) > 1 {
		c := chooseReading{}
		for _, r := range rivals {
			c.readings = append(c.readings, r.it)
			c.words = append(c.words, frameWords[r.frame])
		}
		return c, true, nil
	}
	return best.it, true, nil
}

// beats reports whether fit a ranks above b: the higher score, and at
// equal scores the reading whose slots are all filled.
func beats(a, b frameFit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.err == nil && b.err != nil
}

// agree reports whether two fits read the clause the same way, or the
// first one's plan resolves its name against the workspace's own names
// and falls back to the second's reading ("everyone in Engineering": the
// members of a team or department of that name, else the contacts in a
// city or at a company of that name).
func agree(a, b frameFit) bool {
	if a.err != nil || b.err != nil || a.it == nil {
		return false
	}
	if reflect.DeepEqual(a.it, b.it) {
		return true
	}
	return subsumes(a.it, b.it) || subsumes(b.it, a.it)
}

// subsumes reports whether reading a's plan covers reading b: a unit of
// no stated kind whose name, when no team or department holds it, is
// looked up among the contacts' cities and companies.
func subsumes(a, b intent) bool {
	u, ok := a.(orgUnitMembers)
	c, ok2 := b.(contactFind)
	if !ok || !ok2 || u.kind != "" {
		return false
	}
	f := c.filter
	return (f.city != "" && strings.EqualFold(f.city, u.unit) || f.from != "" && strings.EqualFold(f.from, u.unit)) &&
		(contactFilter{city: f.city, from: f.from}) == f
}

// frameWords say what a frame does, for the tie question.
var frameWords = map[string]string{
	"contact-field": "a detail of a contact",
	"exists":        "whether a record exists",
	"contact-list":  "a new contact",
	"task-list":     "a new task",
	"task-question": "who has a task or when it is due",
	"task-bulk":     "every task of a member",
}

// Contact field: "What tags does John Smith have?", "Which city is Dan
// Reyes in?", "Any notes on Rita Moreno?", "How do I reach Emma?".
var (
	cueReach      = lexCue("how do|can|could i reach|contact|get_hold_of")
	cueWeKnow     = lexCue("what do we have|know [on_file] for|about|on")
	cueFieldAsk   = lexCue("what's|what_is|what_are|what|which|whats|tell_me|read_me|read|show_me|give_me|any|got_any|where's|where_is|where")
	cueWhere      = lexCue("where [is|does]")
	cueBasedTail  = lexCue("[is] based|located|live|lives|living [now|these_days]")
	fieldNoise    = wordSet(`work works working live lives living based located the my our colleague contact again please pls does do did is are has have got in on of for at with set currently now stored saved listed there any s`)
	fieldWriteCue = wordSet(`to as into update change set add remove delete new`)
)

// cueEnd matches c at the start of s and returns where the words after
// it start (len(s) when none follow).
func cueEnd(s string, c cue) (int, bool) {
	after, ok := opens(s, c)
	if !ok {
		return 0, false
	}
	return len(s) - len(strings.TrimLeft(after, " ")), true
}

// dropWords drops the words of set from s (a word's trailing comma or
// full stop does not hide it).
func dropWords(s string, set map[string]bool) string {
	var keep []string
	for _, w := range strings.Fields(s) {
		if !set[strings.ToLower(strings.TrimRight(w, ",.;:!?"))] {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}

func fitContactField(s string, sp []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cueWhere); ok {
		if who, ok := endsWithCue(after, cueBasedTail, 1); ok {
			if ref, ok := refOf(who); ok {
				return frameFit{score: 6, it: contactInfo{who: ref, field: "city"}}, true
			}
		}
	}
	field, end := "", 0
	if e, ok := cueEnd(s, cueReach); ok && e < len(s) {
		field, end = "email", e
	} else if e, ok := cueEnd(s, cueWeKnow); ok && e < len(s) {
		field, end = "*", e
	} else if e, ok := cueEnd(s, cueFieldAsk); ok && e < len(s) {
		end = e
	} else {
		return frameFit{}, false
	}
	if hasWord(s[end:], fieldWriteCue) {
		return frameFit{}, false
	}
	rest := s[end:]
	if field == "" {
		f, ok := first(sp, spanField)
		if !ok || f.start < end {
			return frameFit{}, false
		}
		field = f.val
		rest = s[end:f.start] + " " + s[f.end:]
	}
	if field == "name" || field == "" {
		return frameFit{}, false
	}
	rest = strings.ReplaceAll(rest, "'s ", " ")
	rest = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(rest), "'s"), "'")
	who := dropWords(rest, fieldNoise)
	fit := frameFit{score: 6}
	ref, ok := refOf(who)
	if who == "" || !ok {
		fit.err = refuse("I could not tell whose %s you mean; name the contact", field)
		fit.score = 3
		return fit, true
	}
	if field == "*" {
		fit.it = contactFind{filter: contactFilter{name: who}}
		return fit, true
	}
	fit.it = contactInfo{who: ref, field: field}
	return fit, true
}

// Existence: "Is there a Platform team?", "Have we got a pricing file?",
// "Is there a member called Vera?", "Anyone in Paris?", "Who have we
// got in London?", "Have we got a Chris in the contacts?".
var (
	cueExist     = lexCue("is_there|are_there|have_we_got|have_we|do_we_have|got|who_have_we_got|who_do_we_have [a|an|any|the|some]")
	cueAnyone    = lexCue("[is_there|are_there|have_we_got|do_we_have|got] anyone|anybody|someone|somebody|any_contact|any_contacts|any_people")
	cuePlaceLead = lexCue("[who_have_we_got|who_do_we_have|anyone|anybody|someone|people|contact|contacts]")
	cuePlaceMark = lexCue("in|at|from|based_in|working_at|with")
	cueCalled    = lexCue("called|named")
	cueInKind    = lexCue("in|among [the|our] contacts|crm|address_book|members|workspace|team")
)

// placeTail reads "[anyone] in|at|from|based in|working at|with X": the
// marker's first word and the place.
func placeTail(rest string) (marker, place string, ok bool) {
	e, _ := cueEnd(rest, cuePlaceLead)
	tail := rest[e:]
	after, ok := opens(tail, cuePlaceMark)
	if !ok || strings.TrimSpace(after) == "" || e > 0 && rest[e-1] != ' ' {
		return "", "", false
	}
	return strings.ToLower(strings.Fields(tail)[0]), strings.TrimSpace(after), true
}

func fitExists(s string, sp []span, _ calendar) (frameFit, bool) {
	rest := ""
	if e, ok := cueEnd(s, cueAnyone); ok && e < len(s) {
		rest = "anyone " + s[e:]
	} else if e, ok := cueEnd(s, cueExist); ok && e < len(s) {
		rest = s[e:]
		if strings.HasPrefix(strings.ToLower(s), "who ") {
			rest = "anyone " + rest
		}
	} else {
		return frameFit{}, false
	}
	rest = strings.TrimSpace(rest)
	if marker, place, ok := placeTail(rest); ok {
		place = unquote(place)
		if !placeable(place) {
			return frameFit{}, false
		}
		f := contactFilter{}
		switch marker {
		case "in", "based":
			f.city = place
		case "from":
			f.from = place
		default:
			f.company = place
		}
		return frameFit{score: 6, it: contactFind{filter: f}}, true
	}
	lower := strings.ToLower(rest)
	if strings.HasPrefix(lower, "anyone ") || strings.HasPrefix(lower, "anybody ") || strings.HasPrefix(lower, "someone ") {
		rest = strings.TrimSpace(rest[strings.IndexByte(rest, ' '):])
	}
	// "a member called Vera", "a contact named Priya".
	kind, name := "", ""
	if what, called, ok := findCue(rest, cueCalled, 1); ok && strings.TrimSpace(called) != "" {
		kind, name = kindOf(lastWord(what)), unquote(called)
		if !isKindWord(what) && what != "" && !strings.EqualFold(what, "anyone") {
			return frameFit{}, false
		}
		if !isKindWord(what) {
			kind = "contact"
		}
	} else if who, ok := endsWithCue(rest, cueInKind, 1); ok {
		// "a Chris in the contacts"
		kind, name = kindOf(lastWord(rest)), who
		if strings.EqualFold(lastWord(rest), "book") || strings.EqualFold(lastWord(rest), "crm") {
			kind = "contact"
		}
	} else if k, ok := lastKind(sp, s, rest); ok {
		// "a Platform team", "a pricing file", "an Engineering department"
		kind, name = k, strings.TrimSpace(rest[:len(rest)-len(lastWord(rest))])
	} else {
		return frameFit{}, false
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return frameFit{}, false
	}
	fit := frameFit{score: 6}
	switch kind {
	case "contact":
		if !validName(name) {
			return frameFit{}, false
		}
		fit.it = contactFind{filter: contactFilter{name: name}}
	case "member":
		if !validName(name) {
			return frameFit{}, false
		}
		fit.it = whoIs{filter: contactFilter{query: name}}
	case "team", "department":
		fit.it = orgUnitMembers{unit: name, kind: kind}
	case "file":
		fit.it = filesFind{query: name}
	default:
		return frameFit{}, false // tasks and folders: their families' frames read them
	}
	return fit, true
}

func lastWord(s string) string {
	w := strings.Fields(s)
	if len(w) == 0 {
		return ""
	}
	return w[len(w)-1]
}

func isKindWord(s string) bool {
	return reSpanKind.MatchString(lastWord(s)) && len(strings.Fields(s)) == 1
}

// lastKind reports the record kind rest ends with ("… team").
func lastKind(sp []span, s, rest string) (string, bool) {
	for _, x := range sp {
		if x.kind == spanKindNoun && x.end == len(s) && strings.HasSuffix(rest, x.text) && len(strings.Fields(rest)) > 1 {
			return x.val, true
		}
	}
	return "", false
}

// Terse lists: "contact: Tess Hall, Hooli, Berlin", "task: call
// Globex, Friday, Tom".
var (
	cueTerseContact = lexCue("[add|new] contact|lead|client|customer|prospect|add")
	cueTerseTask    = lexCue("[new] task|to-do|todo")
	cueAssignItem   = lexCue("assign|assigned [it] to")
	cueOwnerItem    = lexCue("for|owner")
	cueDueItem      = lexCue("due|by|on")
)

// labelled reads "label: rest" (or "label - rest" when dash): the text
// after the label's separator.
func labelled(s string, label cue, dash bool) (string, bool) {
	after, ok := opens(s, label)
	if !ok {
		return "", false
	}
	after = strings.TrimLeft(after, " ")
	for _, sep := range []string{":", "-", "–"} {
		if strings.HasPrefix(after, sep) && (sep == ":" || dash) {
			return strings.TrimSpace(after[len(sep):]), true
		}
	}
	return "", false
}

// itemAfter reads "<cue> value" in a list item: the value.
func itemAfter(item string, c cue) (string, bool) {
	after, ok := opens(item, c)
	if !ok || strings.TrimSpace(after) == "" || after[0] != ' ' {
		return "", false
	}
	return strings.TrimSpace(after), true
}

func fitTerseContact(s string, _ []span, _ calendar) (frameFit, bool) {
	list, ok := labelled(s, cueTerseContact, true)
	if i := strings.Index(list, ","); !ok || i <= 0 || i == len(list)-1 {
		return frameFit{}, false
	}
	f, err := parseContactDetails(list)
	if err != nil {
		return frameFit{score: 4, err: err}, true
	}
	return frameFit{score: 6, it: contactCreate{fields: f}}, true
}

func fitTerseTask(s string, _ []span, cal calendar) (frameFit, bool) {
	list, ok := labelled(s, cueTerseTask, false)
	title, items, found := strings.Cut(list, ",")
	if !ok || !found || strings.TrimSpace(title) == "" || strings.TrimSpace(items) == "" {
		return frameFit{}, false
	}
	t := taskCreate{title: capFirst(strings.TrimSpace(title))}
	for _, item := range splitList(items) {
		v := item
		if d, ok := itemAfter(v, cueDueItem); ok {
			v = d
		}
		if due, err := parseDate(v, cal); err == nil && t.due == "" {
			t.due = due
			continue
		}
		who := item
		if a, ok := itemAfter(item, cueAssignItem); ok {
			who = a
		} else if a, ok := itemAfter(item, cueOwnerItem); ok {
			who = a
		}
		if t.assignee == "" && (strings.EqualFold(who, "me") || validName(who) && (who != item || capitalised(who)) && len(strings.Fields(who)) <= 2) {
			t.assignee = who
			if strings.EqualFold(who, "me") {
				t.assignee = me
			}
			continue
		}
		return frameFit{}, false // a part of the title: the family parser reads it
	}
	if d := reDateInTitle.FindString(t.title); d != "" {
		return frameFit{score: 4, err: refuse("I could not tell whether %q in %q is the due date; put the due date at the end (\"…, due 2026-03-20\") or quote the title", d, t.title)}, true
	}
	// Every item of the list filled a typed slot (a date, a member).
	return frameFit{score: scoreTerse, it: t}, true
}

// scoreTerse is a labelled terse list every item of which fills a typed
// slot: it beats the same label read as a title with commas in it.
const scoreTerse = scoreNamed + frameMargin

// capitalised reports whether every word of s starts with a capital: a
// bare name in a terse list ("Tom"), not a phrase ("then Priya").
func capitalised(s string) bool {
	for _, w := range strings.Fields(s) {
		if r := []rune(w)[0]; !unicode.IsUpper(r) {
			return false
		}
	}
	return s != ""
}

// Task questions: "Who's doing the Q1 report?", "When's the renewal
// offer due?", "Who is working on Renew the Hooli contract?" — the task
// found by the words of its title, shown with its assignee and due date.
var (
	cueTaskWho  = lexCue("who's|who_is doing|working_on|handling|on|responsible_for|looking_after|in_charge_of [the] [task]")
	cueInCharge = lexCue("who's|who_is responsible_for|in_charge_of|looking_after")
	cueTaskWhen = lexCue("when's|when_is|when_does|when_do|when_should|by_when_is|by_when_does [the] [task]")
	cueTaskDue  = lexCue("[task] [due|have_to_be_done|need_to_be_done|be_done]")
)

func fitTaskQuestion(s string, sp []span, _ calendar) (frameFit, bool) {
	e, ok := cueEnd(s, cueTaskWho)
	if !ok {
		e, ok = cueEnd(s, cueTaskWhen)
	}
	if !ok || e >= len(s) {
		return frameFit{}, false
	}
	q := s[e:]
	if before, ok := endsWithCue(q, cueTaskDue, 1); ok {
		q = before
	}
	q = strings.TrimSpace(q)
	if q == "" || rePronounWord.MatchString(q) {
		return frameFit{score: 3, err: refuse("I could not tell which task you mean; give words of its title")}, true
	}
	// A person, a team or a place is not a task title: "who's in Sales".
	if _, ok := first(sp, spanKindNoun); ok && !strings.Contains(strings.ToLower(s), "task") {
		return frameFit{}, false
	}
	if _, ok := cueEnd(s, cueInCharge); ok && validName(q) {
		// "Who's in charge of Engineering?": a team or department of
		// that name (and no task) is answered with its lead.
		return frameFit{score: 6, it: taskOrLead{taskFind{query: q}}}, true
	}
	return frameFit{score: 6, it: taskFind{query: q}}, true
}
