package local

import (
	"fmt"
	"strconv"
	"strings"
)

// chooseReading: a clause two frames read differently, with scores
// within the margin ("Who's in charge of Sales?": who has the task
// "Sales", or who leads the Sales team?), is asked back with both
// readings instead of guessed. The answer names one by its number or
// its words; nothing runs before that.
type chooseReading struct {
	readings []intent
	words    []string // what each reading does, for the question
}

// needs are every reading's tools: the permission check and the
// read-only check of a message ("Don't change anything, …") hold for
// whichever reading the caller picks.
func (c chooseReading) needs() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range c.readings {
		for _, t := range it.needs() {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// pronoun is the first unresolved pronoun any reading holds, so a
// question is never asked about a request that names nobody.
func (c chooseReading) pronoun() string {
	for _, it := range c.readings {
		if p, ok := it.(interface{ pronoun() string }); ok && p.pronoun() != "" {
			return p.pronoun()
		}
	}
	return ""
}

// question lists the readings.
func (c chooseReading) question() string {
	var b strings.Builder
	b.WriteString("I could not tell what you meant: ")
	for i, w := range c.words {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d) %s", i+1, w)
	}
	b.WriteString(". Which one do you mean? Reply with the number, or \"cancel\".")
	return b.String()
}

func (c chooseReading) run(r *runner) bool {
	cands := make([]candidate, len(c.readings))
	for i, w := range c.words {
		cands[i] = candidate{id: strconv.Itoa(i + 1), name: w, label: w}
	}
	q := c.question()
	for range maxAsks {
		ans, ok := r.ask(q)
		if !ok {
			return false
		}
		if isCancel(ans) {
			r.say("OK, nothing was done.")
			return true
		}
		if pick, ok := matchAnswer(ans, cands); ok {
			n, _ := strconv.Atoi(pick.id)
			return c.readings[n-1].run(r)
		}
		if _, err := parse(ans, r.cal); err == nil {
			// Not an answer but a new request: start over with it.
			r.restart = r.answerAt
			return false
		}
		q = fmt.Sprintf("I could not tell which you meant by %q. %s", clip(tidy(ans), 80), c.question())
	}
	r.say("I could not tell which you meant; nothing was done.")
	return true
}
