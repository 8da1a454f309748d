package local

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// candidate is one record a name in a request could refer to.
type candidate struct {
	rec   obj
	id    string
	name  string   // the record's name or title
	label string   // how a question shows it
	keys  []string // other values an answer may quote: email, company, city…
	group string   // for mixed lists: "team" or "department"
}

// kind names what is being picked, in questions and replies.
type kind struct {
	one, many string // "contact", "contacts"
	hint      string // what an answer may give besides the number
}

var (
	kContact = kind{"contact", "contacts", "the email or the full name"}
	kTask    = kind{"task", "tasks", "the full title"}
	kMember  = kind{"member", "members", "the email or the full name"}
	kFile    = kind{"file", "files", "the full name"}
	kFolder  = kind{"folder", "folders", "the full name"}
	kUnit    = kind{"team or department", "teams and departments", "the full name"}
)

// pickOutcome is how a pick ended.
type pickOutcome int

const (
	picked        pickOutcome = iota // one candidate chosen
	pickNone                         // no candidates at all
	pickCancelled                    // the caller declined
	pickUnclear                      // the caller's answers never named one
	pickHalted                       // the runner holds the next step
)

// maxAsks bounds how often one pick asks before giving up.
const maxAsks = 3

// listShown is how many candidates a question lists.
const listShown = 10

// pick chooses the candidate ref means: the only one, the only exact
// match, or the one the caller names when asked.
func (r *runner) pick(k kind, ref string, cands []candidate) (candidate, pickOutcome) {
	switch len(cands) {
	case 0:
		return candidate{}, pickNone
	case 1:
		return cands[0], picked
	}
	if c, ok := exactOne(ref, cands); ok {
		return c, picked
	}
	q := question(k, ref, cands)
	for range maxAsks {
		ans, ok := r.ask(q)
		if !ok {
			return candidate{}, pickHalted
		}
		if isCancel(ans) {
			return candidate{}, pickCancelled
		}
		if c, ok := matchAnswer(ans, cands); ok {
			return c, picked
		}
		if _, err := parse(ans, r.cal); err == nil {
			// Not an answer but a new request: start over with it.
			r.restart = r.answerAt
			return candidate{}, pickHalted
		}
		q = fmt.Sprintf("I could not tell which %s you meant by %q. %s", k.one, clip(tidy(ans), 80), question(k, ref, cands))
	}
	return candidate{}, pickUnclear
}

// question asks which of cands ref means.
func question(k kind, ref string, cands []candidate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s match %q: ", len(cands), k.many, ref)
	for i, c := range cands {
		if i == listShown {
			fmt.Fprintf(&b, "; and %d more", len(cands)-listShown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d) %s", i+1, c.label)
	}
	fmt.Fprintf(&b, ". Which one do you mean? Reply with the number, %s, or \"cancel\".", k.hint)
	return b.String()
}

// exactOne finds the single candidate whose name (or email) is ref, or
// failing that the single one whose name holds every word of ref:
// "Jane" means "Jane Doe" when the others are "Janet Smith".
func exactOne(ref string, cands []candidate) (candidate, bool) {
	f := fold(ref)
	if c, n := only(cands, func(c candidate) bool { return fold(c.name) == f || hasFold(c.keys, f) }); n == 1 {
		return c, true
	} else if n > 1 {
		return candidate{}, false
	}
	c, n := only(cands, func(c candidate) bool { return containsWords(words(c.name), words(ref)) })
	return c, n == 1
}

// only returns the candidate matching ok and how many matched.
func only(cands []candidate, ok func(candidate) bool) (candidate, int) {
	var hit candidate
	n := 0
	for _, c := range cands {
		if ok(c) {
			hit, n = c, n+1
		}
	}
	return hit, n
}

var (
	reOrdinalNum  = re(`^(?:#|no\.?\s*|number\s+|option\s+|the\s+)?(\d{1,3})(?:st|nd|rd|th)?(?:\s+one)?$`)
	reOrdinalWord = re(`^(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)(?:\s+one)?$`)
	reLeadIn      = re(`^(?:(?:i\s+meant?|it'?s|it\s+is|that'?s|the\s+one|that\s+one|the\s+(?:contact|task|file|folder|member|person|team|department))\s+)+(?:(?:at|from|in|with|named|called|for|whose\s+e-?mail\s+is|with\s+(?:the\s+)?e-?mail|who\s+works\s+(?:at|for)|working\s+(?:at|for)|based\s+in)\s+)?`)
	reCancel      = re(`^(?:no|nope|cancel|stop|abort|never\s*mind|none|neither|forget\s+it|don'?t|do\s+not)\b`)
	reYes         = re(`^(?:yes|y|yep|confirm|confirmed)\b`)
	ordinalWords  = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}
	answerFillers = map[string]bool{"the": true, "one": true, "a": true, "an": true, "at": true, "from": true, "in": true, "with": true, "named": true, "called": true, "of": true, "is": true, "please": true, "i": true, "mean": true, "meant": true, "contact": true}
)

// matchAnswer reads which candidate an answer names: its number ("2",
// "the second one"), its email or name, or words only it has ("the one
// at Acme").
func matchAnswer(ans string, cands []candidate) (candidate, bool) {
	a := fold(unquote(tidy(ans)))
	if m := reOrdinalNum.FindStringSubmatch(a); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n >= 1 && n <= len(cands) {
			return cands[n-1], true
		}
		return candidate{}, false
	}
	if m := reOrdinalWord.FindStringSubmatch(a); m != nil {
		if m[1] == "last" {
			return cands[len(cands)-1], true
		}
		for i, w := range ordinalWords {
			if w == m[1] && i < len(cands) {
				return cands[i], true
			}
		}
		return candidate{}, false
	}
	a = strings.TrimSpace(reLeadIn.ReplaceAllString(a, ""))
	if c, n := only(cands, func(c candidate) bool { return fold(c.name) == a || c.id == a || hasFold(c.keys, a) }); n == 1 {
		return c, true
	}
	var want []string
	for _, w := range words(a) {
		if !answerFillers[w] {
			want = append(want, w)
		}
	}
	if len(want) == 0 {
		return candidate{}, false
	}
	c, n := only(cands, func(c candidate) bool {
		return containsWords(words(c.name+" "+strings.Join(c.keys, " ")), want)
	})
	return c, n == 1
}

// isCancel reports whether an answer declines.
func isCancel(ans string) bool { return reCancel.MatchString(tidy(ans)) }

// isYes reports whether an answer confirms.
func isYes(ans string) bool { return reYes.MatchString(tidy(ans)) }

// fold lower-cases s and collapses its spaces.
func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func hasFold(keys []string, f string) bool {
	for _, k := range keys {
		if k != "" && fold(k) == f {
			return true
		}
	}
	return false
}

// namedBy keeps the people ref can name: those with ref as their email,
// or whose name has, for every word of ref, a word starting with it
// ("Jo" names John Smith; "Ana" does not name Kenji Tanaka, though the
// search, matching any part of a name, found him).
func namedBy(ref string, cands []candidate) []candidate {
	f, want := fold(ref), words(ref)
	return filterCands(cands, func(c candidate) bool {
		if hasFold(c.keys, f) {
			return true
		}
		have := words(c.name)
		for _, w := range want {
			found := false
			for _, h := range have {
				if strings.HasPrefix(h, w) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return len(want) > 0
	})
}

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsWords reports whether every word of want is in have.
func containsWords(have, want []string) bool {
	if len(want) == 0 {
		return false
	}
	set := map[string]bool{}
	for _, w := range have {
		set[w] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}
