package local

import (
	"strings"
)

// Task titles are part of the workspace's own names: a task named by the
// words of its title in another order or form ("the Hooli contract
// renewal" for "Renew the Hooli contract") is found by searching for its
// most telling word and keeping the tasks whose titles hold every word
// of the reference (by stem). Several make it ask; none, as before, says
// no task matched.

// stopWords carry no meaning for matching a title.
var stopWords = wordSet(`the a an to for of task tasks todo to-do about with and on in at my our your their his her
	is it this that be by from up`)

// contentWords are the words of ref that matter, lower case.
func contentWords(ref string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(ref)) {
		w = strings.Trim(w, ".,;:!?\"'()")
		if len(w) >= 2 && !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// stem is the word's first five letters: "renewal" and "renew" agree.
func stem(w string) string {
	if r := []rune(w); len(r) > 5 {
		return string(r[:5])
	}
	return w
}

// titleHasWords reports whether title holds every word (by stem).
func titleHasWords(title string, words []string) bool {
	tw := map[string]bool{}
	for _, w := range contentWords(title) {
		tw[stem(w)] = true
	}
	for _, w := range words {
		if !tw[stem(w)] {
			return false
		}
	}
	return true
}

// longestWord is the reference's most telling word to search for.
func longestWord(words []string) string {
	best := ""
	for _, w := range words {
		if len(stem(w)) > len(stem(best)) {
			best = w
		}
	}
	return stem(best)
}

// tasksByWords searches tasks for the reference's most telling word and
// keeps those whose titles hold all its words. ok is false when the
// runner holds the next step.
func (r *runner) tasksByWords(ref string) (list []obj, ok bool) {
	words := contentWords(ref)
	if len(words) < 2 {
		return nil, true
	}
	res, ok := r.exec(mk("tasks_search", "query", longestWord(words)))
	if !ok {
		return nil, false
	}
	if res[0].failed() {
		return nil, true
	}
	for _, t := range res[0].data.list("tasks") {
		if titleHasWords(t.str("title"), words) {
			list = append(list, t)
		}
	}
	return list, true
}
