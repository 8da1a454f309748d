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
// The families on frames so far: reading one field of a contact (any
// field, notes included), existence questions about any record kind
// ("is there / have we got / anyone in …"), and terse comma lists of a
// new contact or a new task. A clause no frame fits goes on to the
// family parsers of parse.go.

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
	reFieldCue   = re(`^(?:(how\s+(?:do|can|could)\s+i\s+(?:reach|contact|get\s+hold\s+of))|(what\s+do\s+we\s+(?:have|know)\s+(?:on\s+file\s+)?(?:for|about|on))|what(?:'s|\s+is|\s+are)?|which|whats|tell\s+me|read(?:\s+me)?|show\s+me|give\s+me|any|got\s+any|where(?:'s|\s+is)?)\s+`)
	reFieldNoise = re(`\b(?:work|works|working|live|lives|living|based|located|the|my|our|colleague|contact|again|please|pls|does|do|did|is|are|has|have|got|in|on|of|for|at|with|set|currently|now|stored|saved|listed|there|any|s)\b`)
	reWhereBased = re(`^where\s+(?:is\s+|does\s+)?(.+?)\s+(?:is\s+)?(?:based|located|lives?|living)(?:\s+(?:now|these\s+days))?$`)
	reFieldWrite = re(`\b(?:to|as|into|update|change|set|add|remove|delete|new)\b`)
)

func fitContactField(s string, sp []span, _ calendar) (frameFit, bool) {
	if w := reWhereBased.FindStringSubmatch(s); w != nil {
		if ref, ok := refOf(w[1]); ok {
			return frameFit{score: 6, it: contactInfo{who: ref, field: "city"}}, true
		}
	}
	m := reFieldCue.FindStringSubmatch(s)
	if m == nil || reFieldWrite.MatchString(s[len(m[0]):]) {
		return frameFit{}, false
	}
	rest := s[len(m[0]):]
	field := ""
	switch {
	case m[1] != "":
		field = "email"
	case m[2] != "":
		field = "*"
	default:
		f, ok := first(sp, spanField)
		if !ok || f.start < len(m[0]) {
			return frameFit{}, false
		}
		field = f.val
		rest = s[len(m[0]):f.start] + " " + s[f.end:]
	}
	if field == "name" || field == "" {
		return frameFit{}, false
	}
	rest = strings.ReplaceAll(rest, "'s ", " ")
	rest = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(rest), "'s"), "'")
	who := strings.Join(strings.Fields(reFieldNoise.ReplaceAllString(rest, " ")), " ")
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
	reExistCue   = re(`^(?:is\s+there|are\s+there|have\s+we\s+got|have\s+we|do\s+we\s+have|got|who\s+(?:have\s+we\s+got|do\s+we\s+have))\s+(?:(?:a|an|any|the|some)\s+)?`)
	reAnyoneCue  = re(`^(?:(?:is|are)\s+there\s+|have\s+we\s+got\s+|do\s+we\s+have\s+|got\s+)?(?:anyone|anybody|someone|somebody|any\s+(?:contacts?|people))\s+`)
	rePlaceTail  = re(`^(?:(?:who\s+have\s+we\s+got|who\s+do\s+we\s+have|anyone|anybody|someone|people|contacts?)\s+)?(in|at|from|based\s+in|working\s+at|with)\s+(.+)$`)
	reCalledTail = re(`^(.+?)\s+(?:called|named)\s+(.+)$`)
	reInKind     = re(`^(.+?)\s+(?:in|among)\s+(?:the\s+|our\s+)?(contacts|crm|address\s+book|members|workspace|team)$`)
)

func fitExists(s string, sp []span, _ calendar) (frameFit, bool) {
	rest := ""
	if m := reAnyoneCue.FindString(s); m != "" {
		rest = "anyone " + s[len(m):]
	} else if m := reExistCue.FindString(s); m != "" {
		rest = s[len(m):]
		if strings.HasPrefix(strings.ToLower(s), "who ") {
			rest = "anyone " + rest
		}
	} else {
		return frameFit{}, false
	}
	rest = strings.TrimSpace(rest)
	if m := rePlaceTail.FindStringSubmatch(rest); m != nil {
		place := unquote(m[2])
		if !placeable(place) {
			return frameFit{}, false
		}
		f := contactFilter{}
		switch strings.ToLower(strings.Fields(m[1])[0]) {
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
	if m := reCalledTail.FindStringSubmatch(rest); m != nil {
		kind, name = kindOf(lastWord(m[1])), unquote(m[2])
		if !isKindWord(m[1]) && m[1] != "" && !strings.EqualFold(m[1], "anyone") {
			return frameFit{}, false
		}
		if !isKindWord(m[1]) {
			kind = "contact"
		}
	} else if m := reInKind.FindStringSubmatch(rest); m != nil {
		// "a Chris in the contacts"
		kind, name = kindOf(strings.Fields(m[2])[0]), m[1]
		if kind == "crm" || kind == "address" {
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
		return frameFit{}, false // tasks and folders: the family parsers read them
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
	reTerseContact = re(`^(?:add|new\s+)?(?:contact|lead|client|customer|prospect|add)\s*[:\-–]\s*(.+,.+)$`)
	reTerseTask    = re(`^(?:new\s+)?(?:task|to-?do)\s*:\s*([^,]+),\s*(.+)$`)
	reAssignItem   = re(`^(?:assign(?:ed)?\s+(?:it\s+)?to|for|owner)\s+(.+)$`)
	reDueItem      = re(`^(?:due|by|on)\s+(.+)$`)
)

func fitTerseContact(s string, _ []span, _ calendar) (frameFit, bool) {
	m := reTerseContact.FindStringSubmatch(s)
	if m == nil {
		return frameFit{}, false
	}
	f, err := parseContactDetails(m[1])
	if err != nil {
		return frameFit{score: 4, err: err}, true
	}
	return frameFit{score: 6, it: contactCreate{fields: f}}, true
}

func fitTerseTask(s string, _ []span, cal calendar) (frameFit, bool) {
	m := reTerseTask.FindStringSubmatch(s)
	if m == nil {
		return frameFit{}, false
	}
	t := taskCreate{title: capFirst(strings.TrimSpace(m[1]))}
	for _, item := range splitList(m[2]) {
		v := item
		if d := reDueItem.FindStringSubmatch(v); d != nil {
			v = d[1]
		}
		if due, err := parseDate(v, cal); err == nil && t.due == "" {
			t.due = due
			continue
		}
		who := item
		if a := reAssignItem.FindStringSubmatch(item); a != nil {
			who = a[1]
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
var reTaskQuestion = re(`^(?:who(?:'s|\s+is)\s+(?:doing|working\s+on|handling|on|responsible\s+for|looking\s+after|in\s+charge\s+of)|when(?:'s|\s+is)|when\s+(?:does|do|should)|by\s+when\s+(?:is|does))\s+(?:the\s+)?(?:task\s+)?(.+?)(?:\s+task)?(?:\s+(?:due|have\s+to\s+be\s+done|need\s+to\s+be\s+done|be\s+done))?$`)

func fitTaskQuestion(s string, sp []span, _ calendar) (frameFit, bool) {
	m := reTaskQuestion.FindStringSubmatch(s)
	if m == nil {
		return frameFit{}, false
	}
	q := strings.TrimSpace(m[1])
	if q == "" || rePronounWord.MatchString(q) {
		return frameFit{score: 3, err: refuse("I could not tell which task you mean; give words of its title")}, true
	}
	// A person, a team or a place is not a task title: "who's in Sales".
	if _, ok := first(sp, spanKindNoun); ok && !strings.Contains(strings.ToLower(s), "task") {
		return frameFit{}, false
	}
	return frameFit{score: 6, it: taskFind{query: q}}, true
}
