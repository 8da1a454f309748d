package local

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// docsPointer ends every "can't do that yet" reply.
const docsPointer = "See docs/local-agent.md for the requests I understand."

// cantYet is the reply to a request the local agent does not understand.
func cantYet(reason string) string {
	return "I can't do that yet: " + strings.TrimRight(reason, ". ") + ". " + docsPointer
}

// parseError says why a request was not understood. Its reason completes
// "I can't do that yet: …".
type parseError struct{ reason string }

func refuse(format string, a ...any) *parseError {
	return &parseError{reason: fmt.Sprintf(format, a...)}
}

func (e *parseError) reply() string { return cantYet(e.reason) }

// parse turns a request into the intents it asks for, in order.
func parse(text string, cal calendar) ([]intent, *parseError) { return parseWith(text, cal, false) }

// parseWith is parse for a message whose conversation already names a
// contact (prior): "her", "him" and "them" may then mean that contact.
func parseWith(text string, cal calendar, prior bool) ([]intent, *parseError) {
	if n := utf8.RuneCountInString(text); n > maxMessage {
		return nil, refuse("the message is too long (%d characters; I read at most %d); send one request at a time", n, maxMessage)
	}
	s := tidy(text)
	if s == "" {
		return nil, refuse("the message is empty")
	}
	s, readOnly := dropNegation(applyInline(resolveLeadPronoun(s)))
	clauses := splitClauses(s, cal)
	if len(clauses) > maxActions {
		return nil, refuse("the message asks for %d things; send at most %d in one message", len(clauses), maxActions)
	}
	var out []intent
	for _, c := range clauses {
		if reOnlyPolite.MatchString(c) {
			continue // "Thank you!" asks for nothing
		}
		it, err := parseClause(c, cal)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if len(out) == 0 {
		return nil, refuse("the message asks for nothing I can do")
	}
	if err := checkPronouns(out, prior); err != nil {
		return nil, err
	}
	if readOnly {
		for _, it := range out {
			if writes(it) {
				return nil, refuse("you asked me not to change anything, but part of the message asks for a change")
			}
		}
	}
	// tidy dropped the final "?" or "!", which an email body keeps.
	if e, ok := out[len(out)-1].(emailSend); ok && e.body != "" {
		if end := reFinalMark.FindString(strings.TrimSpace(text)); end != "" {
			e.body = strings.TrimRight(e.body, ".") + end[:1]
			out[len(out)-1] = e
		}
	}
	return out, nil
}

var reFinalMark = regexp.MustCompile(`[!?][.!?]*$`)

// parseClause parses one action.
func parseClause(s string, cal calendar) (intent, *parseError) {
	s = tidy(applyClauseLexicon(tidy(s)))
	if s == "" {
		return nil, refuse("part of the message is empty")
	}
	// One competition: every frame of every family reads the clause
	// and the score decides (compete.go).
	it, ok, err := compete(s, cal)
	if !ok {
		return nil, refuse("I don't understand %q", s)
	}
	return it, err
}

// re compiles a case-insensitive pattern.
func re(p string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + p) }

var (
	quoteFixer = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`, "\u00a0", " ", " | ", ", ")
	rePolite   = re(`^(?:(?:(?:hey|hi|hello)\s+there|please|pls|plz|kindly|hey|hi|hello|ok|okay|so|now|then|also|afterwards|and|just|quick\s+(?:one|question)|good\s+(?:morning|afternoon|evening)|(?:thanks|thank\s+you)(?:\s+(?:a\s+lot|so\s+much|very\s+much|loads))?|cheers|great)[,!:.]?\s+|(?:can|could|would|will)\s+you\s+(?:please\s+|kindly\s+|quickly\s+)?|i(?:'d|\s+would)\s+like\s+(?:you\s+)?to\s+|i\s+(?:want|need)\s+you\s+to\s+|i\s+want\s+to\s+|let'?s\s+|go\s+ahead\s+and\s+)`)
	reThanks   = re(`(?:[,;.!]\s*(?:please|pls|thanks(?:\s+a\s+lot)?|thank\s+you(?:\s+(?:so|very)\s+much)?|cheers|thx)|\s+(?:please|pls))$`)
	// reTellMe strips "tell me" before a question: "tell me who works at X".
	reTellMe = re(`^(?:(?:tell|show)\s+me|let\s+me\s+know|do\s+you\s+know)\s+((?:who|what|which|where|when|whether|how|if)\b.*)$`)
	// reOnlyPolite is a clause that asks for nothing: "Thank you!".
	reOnlyPolite = re(`^(?:(?:ok(?:ay)?\s+)?(?:thanks|thank\s+you)(?:\s+(?:a\s+lot|so\s+much|very\s+much|loads|a\s+million))?|right\s+then|hang\s+on|thank\s+you(?:\s+(?:so|very)\s+much)?|cheers|thx|ta|hi|hiya|heya|hello|hey|hi\s+there|hello\s+there|hey\s+there|(?:good\s+)?(?:morning|afternoon|evening)|ok|okay|great|please|pls)$`)
)

// tidy normalises quotes and spaces and strips politeness and the final
// punctuation, keeping the caller's capitalisation.
func tidy(s string) string {
	s = strings.Join(strings.Fields(quoteFixer.Replace(s)), " ")
	for {
		before := s
		s = strings.TrimSpace(strings.TrimLeft(strings.TrimRight(s, ".!?"), "-–—,;: "))
		if reOnlyPolite.MatchString(s) {
			return s // "Thanks so much." asks for nothing; keep it whole
		}
		s = rePolite.ReplaceAllString(s, "")
		s = reThanks.ReplaceAllString(s, "")
		s = reTellMe.ReplaceAllString(s, "$1")
		if s == before {
			return s
		}
	}
}

// Clause splitting. A message may hold several actions joined by "and",
// "then" or sentence ends; a join splits the message only where the next
// part starts a recognised action, so "Johnson and Johnson" stays whole.
const (
	actionVerbs = `create|add|make|new|save|register|find|search|look|lookup|list|show|get|display|give|update|change|set|edit|delete|remove|erase|mark|complete|finish|close|assign|reassign|rename|move|email|e-mail|send|write|who|which|what|tag|remind|schedule|reschedule|postpone`
	actionNouns = `contacts?|tasks?|to-?dos?|reminders?|folders?|files?|documents?|e-?mails?|messages?|departments?|teams?|members?|extensions?`
	// joinWords may open a clause after a join: "Find Jane. Then delete …".
	joinWords = `(?:(?:then|also|afterwards|please|and)[,]?\s+)*`
)

var (
	reJoin         = re(`\s*[.;!?]\s+|,?\s+and\s+then\s+|,?\s+and\s+also\s+|,?\s+and\s+|,?\s+then\s+|,\s+also\s+`)
	reContinuation = re(`^` + joinWords + `(?:a|an|another)\s+(?:new\s+)?(?:contact|task|to-?do|reminder|folder)\b`)
	reStrongStart  = re(`^` + joinWords + `(?:` + actionVerbs + `)\s+(?:(?:a|an|the|all|my|our|new|another|every|of)\s+)*(?:` + actionNouns + `)\b`)
	reVerbStart    = re(`^` + joinWords + `(?:` + actionVerbs + `)\b`)
	// Free text (a task title, an email body, notes) may hold "and <verb>"
	// without starting a new action: "a task to call Jane and send her X".
	reFreeText   = re(`^(?:(?:create|add|make|new|schedule|set\s+up)\s+)?(?:a\s+|an\s+|another\s+)?(?:new\s+)?(?:task|to-?do|reminder)\b|^remind\s+me\b|\b(?:saying|that\s+says|to\s+say|notes?)\b`)
	reCreateVerb = re(`^(create|add|make|new|schedule)\b`)
)

// splitClauses splits s into one clause per action. A clause that only
// names another record ("… and a task to …") borrows the verb before it.
func splitClauses(s string, cal calendar) []string {
	joins := outsideData(s, reJoin.FindAllStringIndex(s, -1))
	var out []string
	asks := map[int]bool{} // clauses that are a question after a request
	start := 0
	for i, m := range joins {
		left, right := s[start:m[0]], s[m[1]:]
		end := len(s)
		if i+1 < len(joins) {
			end = joins[i+1][0]
		}
		sentence := strings.ContainsAny(s[m[0]:m[1]], ".!?")
		// A sentence end always splits, unless the period ends an
		// abbreviation or an initial ("Dr. Jane Smith", "J. Smith").
		next := s[m[1]:end]
		ask := !sentence && (reAskStart.MatchString(right) || reQuestionStart.MatchString(right))
		split := (sentence && !abbreviated(left)) || ask ||
			reContinuation.MatchString(right) || reStrongStart.MatchString(right) ||
			listContinues(s[start:m[0]], next, cal) ||
			(reVerbStart.MatchString(right) && !reFreeText.MatchString(left) && parsesAlone(next, cal))
		if split && fieldContinues(s[start:m[0]], next) {
			split = false // "… with name Eva Green and email eva@green.example"
		}
		if split {
			out = append(out, left)
			asks[len(out)] = ask
			start = m[1]
		}
	}
	out = append(out, s[start:])
	for i := range out {
		out[i] = tidy(out[i])
	}
	for i := range out {
		if asks[i] {
			out[i] = namePronoun(out[i], out[i-1])
		}
	}
	for i := 1; i < len(out); i++ {
		if v := reListVerb.FindString(out[i-1]); v != "" && reListNoun.MatchString(out[i]) {
			out[i] = v + " " + out[i] // "List departments and teams"
			continue
		}
		if reContinuation.MatchString(out[i]) {
			verb := "create"
			if v := reCreateVerb.FindStringSubmatch(out[i-1]); v != nil {
				verb = strings.ToLower(v[1])
			}
			out[i] = verb + " " + out[i]
		}
	}
	return out
}

var (
	reListVerb = re(`^(?:list|show(?:\s+me)?|display)\b`)
	reListNoun = re(`^(?:the\s+|all\s+(?:the\s+)?)?(?:departments|teams|members|contacts|tasks|files|folders|extensions|e-?mails)\b`)
	// reFieldsOpen starts a request whose details may be joined by "and".
	reFieldsOpen = re(`^(?:(?:create|add|make|save|register|record|new)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:contact|lead|client|customer|prospect)\b|(?:update|edit|change)\s+[^:]+:)`)
)

// listContinues reports whether next names a second list after a list
// verb: "List departments and teams", "List contacts in London and
// tasks due this week".
func listContinues(left, next string, cal calendar) bool {
	v := reListVerb.FindString(tidy(left))
	return v != "" && reListNoun.MatchString(next) && parsesAlone(v+" "+next, cal)
}

// fieldContinues reports whether next is one more contact detail of the
// request in left ("email eva@green.example" after "Create a contact …")
// rather than a request of its own.
func fieldContinues(left, next string) bool {
	if !reFieldsOpen.MatchString(tidy(left)) || !reFieldValue.MatchString(next) {
		return false
	}
	var f contactFields
	return f.segment(tidy(next)) == nil
}

var abbreviations = wordSet(`dr mr mrs ms mx prof st inc ltd co corp jr sr no vs etc e.g i.e approx dept`)

// abbreviated reports whether text ends with an abbreviation or an
// initial, so a following period does not end a sentence.
func abbreviated(text string) bool {
	w := strings.Fields(text)
	if len(w) == 0 {
		return false
	}
	last := strings.ToLower(w[len(w)-1])
	return utf8.RuneCountInString(last) == 1 || abbreviations[last]
}

func parsesAlone(s string, cal calendar) bool {
	_, err := parseClause(s, cal)
	return err == nil
}

// maxMessage is the longest message read, in characters; maxActions the
// most requests one message may hold (each takes steps of the turn's
// limited budget).
const (
	maxMessage = 4000
	maxActions = 8
)

// reAskStart opens a question after a request: "… and tell me what
// tasks Maria has".
var reAskStart = re(`^` + joinWords + `(?:(?:tell|show|give)\s+me|let\s+me\s+know)\b`)

// reQuestionStart opens a question joined to a request by a bare "and":
// "… tomorrow and what's his number?", "… to Tom and list his tasks".
// Such a part is never read as more of a title or a name, so a request
// is never written with the question inside it.
var reQuestionStart = re(`^` + joinWords + `(?:(?:what|who|where|when)(?:'s|\s+is|\s+are|\s+does|\s+do)|which|how\s+(?:many|much|do|does|is)|(?:list|show)\s+(?:me\s+)?(?:his|her|their)\b)`)

// namePronoun reads "his", "her", "their", "him" and "them" in a
// question that follows a request as the last person the request
// names ("remind me to call Dan Okafor tomorrow and what's his
// number?"): the question only reads, so a wrong guess changes nothing,
// and a request with no such name leaves the pronoun as it is.
func namePronoun(question, request string) string {
	if !rePronounAny.MatchString(question) {
		return question
	}
	name := lastName(request)
	if name == "" {
		return question
	}
	return rePronounAny.ReplaceAllStringFunc(question, func(p string) string {
		switch strings.ToLower(p) {
		case "his", "her", "their":
			return name + "'s"
		}
		return name
	})
}

var rePronounAny = re(`\b(?:his|her|their|him|them)\b`)

// lastName is the last run of capitalised words of s that reads as a
// person's name, leaving out its first word (capitalised as the start
// of the sentence) and dates ("Friday", "March").
func lastName(s string) string {
	w := strings.Fields(s)
	var run, last []string
	flush := func() {
		if len(run) > 0 && validName(strings.Join(run, " ")) {
			last = run
		}
		run = nil
	}
	for i, x := range w {
		r, _ := utf8.DecodeRuneInString(x)
		if i == 0 || !unicode.IsUpper(r) || !reNameWord.MatchString(x) || dateWords[strings.ToLower(x)] {
			flush()
			continue
		}
		run = append(run, x)
	}
	flush()
	return strings.Join(last, " ")
}

var dateWords = wordSet(`monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december today tomorrow`)

// reNegation is a preamble that forbids changes: "Don't change anything,
// just …", "I don't want to delete anyone - …".
var reNegation = re(`^(?:(?:(?:just|only)\s+)?(?:checking|asking|curious|wondering|a\s+question)\s*[,:;\-–—]\s*)?(?:please\s+)?(?:don'?t|do\s+not|never|i\s+don'?t\s+want\s+(?:you\s+)?to|i'?m\s+not\s+asking\s+you\s+to|no\s+need\s+to)\s+(?:change|delete|remove|e-?mail|send|update|touch|modify|edit|write\s+to|create|add)(?:\s+(?:anything|anyone|anybody|nothing|any\s+\w+|a\s+thing|it|that|them|this))?(?:\s+(?:yet|for\s+now|today))?\s*(?:[,\-–—:;.!]+\s*|\s+)(?:(?:just|but|only)\s+)?`)

// dropNegation strips a preamble that forbids changes and reports it:
// the rest of the message may then only read.
func dropNegation(s string) (string, bool) {
	if loc := reNegation.FindStringIndex(s); loc != nil && loc[1] < len(s) {
		return tidy(s[loc[1]:]), true
	}
	return s, false
}

// writes reports whether an intent changes the workspace.
func writes(it intent) bool {
	for _, t := range it.needs() {
		if writeToolName.MatchString(t) {
			return true
		}
	}
	return false
}

var writeToolName = regexp.MustCompile(`_(?:create|update|delete|assign|complete|send|rename|move|create_folder)$`)

// outsideData keeps the joins that lie outside the caller's values: a
// join after "notes:" or inside quotes does not split the message.
func outsideData(s string, joins [][]int) [][]int {
	dataFrom := len(s)
	if loc := reNotesLabel.FindStringIndex(s); loc != nil {
		dataFrom = loc[0]
	}
	// An email body ("… saying …", "say: …") runs to the end of the
	// message: nothing in it starts a further request.
	if emailOpens(s) {
		if loc := reBodyStart.FindStringIndex(s); loc != nil && loc[0] < dataFrom {
			dataFrom = loc[0]
		}
	}
	var quoted [][2]int
	for i := 0; i < len(s); i++ {
		if (s[i] == '"' || s[i] == '\'') && (i == 0 || s[i-1] == ' ' || s[i-1] == ':') {
			if _, rest, ok := leadingQuote(s[i:]); ok {
				end := len(s) - len(rest)
				quoted = append(quoted, [2]int{i, end})
				i = end
			}
		}
	}
	var out [][]int
	for _, j := range joins {
		keep := j[0] < dataFrom
		for _, q := range quoted {
			if j[0] > q[0] && j[0] < q[1] {
				keep = false
			}
		}
		if keep {
			out = append(out, j)
		}
	}
	return out
}

var reNotesLabel = re(`\bnotes?\s*:`)

// checkPronouns refuses "her"/"him" that no earlier contact in the same
// request explains, and marks tasks whose title points at that contact.
func checkPronouns(intents []intent, prior bool) *parseError {
	seen := prior
	folder := "" // the folder an earlier part of the message creates
	for i, it := range intents {
		if p, ok := it.(interface{ pronoun() string }); ok && p.pronoun() != "" && !seen {
			return refuse("I can't tell who %q is; name the contact instead", p.pronoun())
		}
		switch v := it.(type) {
		case contactCreate, contactUpdate:
			seen = true
		case taskCreate:
			v.about = seen && rePronounWord.MatchString(v.title)
			intents[i] = v
		case folderCreate:
			folder = v.name
		case fileChange:
			// "Create a folder Invoices and move Pricing.txt into it":
			// "it" is the folder just created; with none, it is refused.
			if thingPronoun[strings.ToLower(v.name)] {
				return refuse("I can't tell which file or folder %q is; name it", v.name)
			}
			if v.op == "move" && !v.toRoot && thingPronoun[strings.ToLower(v.value)] {
				if folder == "" {
					return refuse("I can't tell which folder %q is; name the folder", v.value)
				}
				v.value = folder
				intents[i] = v
			}
		}
	}
	return nil
}

// thingPronoun are the words that point at a file or folder named before.
var thingPronoun = wordSet(`it there that this them`)

// Shared helpers for the frames' slot readers.

var (
	reEmail    = regexp.MustCompile(`^[^\s@,;<>()"']+@[^\s@,;<>()"']+\.[^\s@,;<>()"']+$`)
	rePhone    = regexp.MustCompile(`^\+?[0-9(][0-9 ().\-/]*[0-9]$`)
	reNameWord = regexp.MustCompile(`^[\p{L}][\p{L}\p{M}.'-]*$`)
	rePronoun  = re(`^(?:her|him|them|his|their)$`)
)

// notNameWords cannot start a name.
var notNameWords = map[string]bool{
	"a": true, "an": true, "the": true, "this": true, "that": true, "my": true, "our": true,
	"your": true, "her": true, "his": true, "their": true, "them": true, "him": true, "me": true,
	"someone": true, "somebody": true, "all": true, "everything": true, "anything": true,
	"everyone": true, "everybody": true, "anyone": true, "anybody": true, "every": true, "contact": true, "contacts": true,
	"task": true, "tasks": true, "file": true, "files": true, "folder": true, "it": true, "one": true,
	"who": true, "what": true, "which": true, "where": true, "when": true, "how": true, "why": true,
}

// notInName are words that never appear inside a person's name.
var notInName = wordSet(`the to a an and or for with from at in on by is are was named called`)

// validName reports whether s reads as a person's name: one to six words
// of letters (with . ' -), not starting with an article or pronoun.
func validName(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 6 || notNameWords[strings.ToLower(words[0])] {
		return false
	}
	for _, w := range words {
		lw := strings.ToLower(w)
		if !reNameWord.MatchString(w) || notInName[lw] || strings.HasSuffix(lw, "'s") {
			return false
		}
	}
	return true
}

// looksLikePhone reports whether s is a phone number (at least 5 digits).
func looksLikePhone(s string) bool {
	if !rePhone.MatchString(s) {
		return false
	}
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits >= 5
}

// unquote trims s and removes one pair of surrounding quotes.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// leadingQuote splits `'Send Q1 report' due …` into the quoted text and
// the rest. A closing quote must end a word, so "Jane's" does not close.
func leadingQuote(s string) (quoted, rest string, ok bool) {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return "", s, false
	}
	q := s[0]
	for i := 1; i < len(s); i++ {
		if s[i] == q && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == ',') {
			return strings.TrimSpace(s[1:i]), s[i+1:], true
		}
	}
	return "", s, false
}

// capFirst upper-cases the first letter of s.
func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// splitList splits "vip, partner and press" into its items.
func splitList(s string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`(?i)\s*,\s*|\s+and\s+|\s*;\s*`).Split(s, -1) {
		if p = unquote(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// markerPiece is a value introduced by a marker word: "from Initech".
type markerPiece struct {
	marker string // lower case, single-spaced: "based in"
	word   string // as written
	value  string
}

// splitMarkers cuts s at every match of markers (whose group 1 is the
// marker word) into the text before the first marker and the pieces.
func splitMarkers(s string, markers *regexp.Regexp) (lead string, pieces []markerPiece) {
	locs := markers.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return strings.TrimSpace(s), nil
	}
	lead = strings.TrimSpace(s[:locs[0][0]])
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		marker := strings.ToLower(strings.Join(strings.Fields(s[l[2]:l[3]]), " "))
		pieces = append(pieces, markerPiece{marker: marker, word: s[l[2]:l[3]], value: strings.TrimSpace(s[l[1]:end])})
	}
	return lead, pieces
}

// absorb appends p, marker word included, to the value of the last piece:
// "from Bank" + "of America" reads "Bank of America".
func absorb(pieces []markerPiece, p markerPiece) {
	last := &pieces[len(pieces)-1]
	last.value = strings.TrimSpace(last.value + " " + p.word + " " + p.value)
}
