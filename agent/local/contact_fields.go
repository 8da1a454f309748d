package local

import (
	"regexp"
	"strings"

	"github.com/soisnode/soisnode/agent/local/recognise"
)

// Contact attributes: how "Jane Doe, CEO of Acme Corp, jane@acme.com"
// becomes name, title, company and email.

// contactFields are the contact attributes a request names.
type contactFields struct {
	order []string          // keys in the order named
	vals  map[string]string // name, email, phone, company, title, city, notes
	tags  []string
	// unknown are bare values ("Hooli", "Dublin") that only the
	// workspace's own names can place: the planner looks them up as a
	// company and as a city before anything is written.
	unknown []string
}

// set validates and records one attribute under its canonical key.
func (f *contactFields) set(key, value string) *parseError {
	value = unquote(strings.TrimRight(strings.TrimSpace(value), ",;"))
	if value == "" {
		return refuse("the %s is empty", key)
	}
	switch key {
	case "company", "title", "city", "email", "phone":
		value = valueEnd(value)
	}
	switch key {
	case "email":
		if !reEmail.MatchString(value) {
			return refuse("%q does not look like an email address", value)
		}
	case "phone":
		if !looksLikePhone(value) {
			// A phone ends where the number ends: "020 7946 0991 asap",
			// "+44 7700 900456 - can you save that".
			m := rePhoneThenChat.FindStringSubmatch(value)
			if m == nil || !looksLikePhone(strings.TrimSpace(m[1])) {
				return refuse("%q does not look like a phone number", value)
			}
			value = strings.TrimSpace(m[1])
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

// fieldWords are the contact field cue words (shared with the
// negotiation's recognisers).
const fieldWords = recognise.FieldWords

// fieldKey maps a field word to its tool argument.
func fieldKey(word string) string { return recognise.FieldKey(word) }

var (
	reDetailMarker = re(`\s+(who\s+works\s+(?:at|for)|works\s+(?:at|for)|working\s+(?:at|for)|from|at|of|based\s+in|who\s+lives\s+in|lives\s+in|living\s+in|located\s+in|in|tagged(?:\s+(?:as|with))?|(?:with\s+(?:the\s+)?)?e-?mail(?:\s+address)?|(?:with\s+(?:the\s+)?)?(?:phone|mobile|tel)(?:\s+number)?)\s+`)
	reTagsSeg      = re(`^(?:tagged(?:\s+(?:as|with))?|tags?\s*:?|with\s+(?:the\s+)?tags?)\s+(.+)$`)
	reNotesSeg     = re(`^(?:notes?|with\s+(?:the\s+)?notes?|comment)\s*:?\s+(.+)$`)
	reSegments     = regexp.MustCompile(`\s*[,;]\s*`)
	reLeadingAnd   = re(`^and\s+`)
	reNotesColon   = re(`(?:^|[,;]?\s+)(?:with\s+(?:the\s+)?)?notes?\s*:\s*`)
)

// parseContactDetails reads "Jane Doe, CEO of Acme Corp, jane@acme.com":
// the name first, then attributes separated by commas.
func parseContactDetails(s string) (contactFields, *parseError) {
	// A labelled notes value runs to the end of the message and is kept
	// exactly as written: no comma, "and" or semicolon inside it is read.
	loc := reNotesColon.FindStringIndex(s)
	if loc == nil {
		return parseDetailList(s)
	}
	notes := strings.TrimSpace(s[loc[1]:])
	if notes == "" {
		return contactFields{}, refuse("the notes are empty")
	}
	f, err := parseDetailList(strings.TrimRight(s[:loc[0]], ",;:- "))
	if err != nil {
		return f, err
	}
	if f.vals == nil {
		f.vals = map[string]string{}
	}
	f.vals["notes"] = notes
	f.note("notes")
	return f, nil
}

// parseDetailList reads the comma list of details before any notes.
func parseDetailList(s string) (contactFields, *parseError) {
	var f contactFields
	segs := reSegments.Split(normalDetails(s), -1)
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
			if err.reason != unplaced(unquote(seg)) || !placeable(seg) {
				return f, err
			}
			f.unknown = append(f.unknown, unquote(seg))
		}
	}
	return f, nil
}

// placeable reports whether a detail no cue word places may still be a
// company or a city: one to four words of letters.
func placeable(seg string) bool {
	w := strings.Fields(unquote(seg))
	if len(w) == 0 || len(w) > 4 {
		return false
	}
	for _, x := range w {
		if !reNameWord.MatchString(x) || notInName[strings.ToLower(x)] {
			return false
		}
	}
	return true
}

var (
	reParenDetail = regexp.MustCompile(`\s*\(([^()]*)\)`)
	reWhoIs       = re(`\s+(?:who|that)\s+is\s+(?:the\s+|a\s+|an\s+|our\s+)?`)
	reAndField    = re(`\s+and\s+((?:with\s+)?(?:(?:the\s+)?(?:e-?mail|phone|mobile|tel|title|job\s+title|company|city|tags?|notes?)\b|tagged\b))`)
	reNameLabel   = re(`^name\s*:?\s+`)
)

// normalDetails rewrites the other ways of writing details as the comma
// list parseContactDetails reads: "Maria Lopez (maria@x.io)", "Jane Doe
// who is the CEO of Acme", "… with email x@y.com and phone …", "name
// Sara Kim, …".
func normalDetails(s string) string {
	s = reParenDetail.ReplaceAllString(strings.TrimSpace(s), ", $1")
	s = reWhoIs.ReplaceAllString(s, ", ")
	s = reAndField.ReplaceAllString(s, ", $1")
	s = reNameLabel.ReplaceAllString(s, "")
	return strings.TrimRight(s, ",; ")
}

// segment reads one attribute: an email, a phone, "title CTO", "CEO of
// Acme", "from Initech", "in Berlin".
func (f *contactFields) segment(seg string) *parseError {
	seg = unquote(reFieldArticle.ReplaceAllString(seg, "$1"))
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
	if isCompany(seg) {
		return f.set("company", seg)
	}
	return refuse("%s", unplaced(seg))
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
	if company == "" || !isTitle(title) || (l[i:i+4] == " of " && departments[strings.ToLower(company)]) {
		return "", "", false // "Head of Buying" is a title, not a company
	}
	return title, company, true
}

// departments are the parts of an organisation a title may name after
// "of": "Head of Sales", "VP of Engineering".
var departments = wordSet(`sales marketing buying purchasing procurement finance engineering operations ops hr
	people product design legal it security support growth partnerships strategy research data
	technology communications accounts accounting compliance logistics development innovation talent`)

// reFieldArticle drops the article of a labelled detail: "the phone
// number 020 7946 0018".
var reFieldArticle = re(`^(?:the|a|an|my|his|her|their)\s+((?:` + fieldWords + `)\s)`)

// rePhoneThenChat is a phone number followed by filler or by chatter in a
// clause of its own that starts with a pronoun or an auxiliary.
var rePhoneThenChat = re(`^(\+?[\d(][\d ().\-/]*\d)\s*(?:asap|please|pls|thanks|thank\s+you|for\s+me|now|today|cheers)?\s*(?:(?:[,;.]|\s[-–—])\s*(?:(?:he|she|they|it|that|this|can|could|would|will|as|because|since|so|thanks|cheers|cheers|ta)\b.*)?)?$`)

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

// companySuffixes end a company's name: "Umbrella Corp", "Initech GmbH".
var companySuffixes = wordSet(`inc inc. corp corp. corporation ltd ltd. limited llc llp gmbh ag plc co co. sa s.a. bv nv sarl sas srl spa pty oy ab kg holdings group`)

// isCompany reports whether s is a company by its legal suffix.
func isCompany(s string) bool {
	w := strings.Fields(strings.ToLower(s))
	return len(w) >= 2 && len(w) <= 6 && companySuffixes[strings.TrimSuffix(w[len(w)-1], ",")] && !strings.Contains(s, "@")
}
