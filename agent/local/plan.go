package local

import (
	"fmt"
	"strings"
)

// flow is how a plan helper ended.
type flow int

const (
	proceed flow = iota // the value is ready; go on
	skip                // this intent is over and its outcome said; go on with the next
	halt                // the runner holds the next step; stop
)

// cont converts a flow that is not proceed into an intent's run result.
func cont(f flow) bool { return f == skip }

// maxPages bounds how many pages a search that must see every match reads,
// so a bulk delete fits the loop's step limit (10 model calls by default).
const maxPages = 6

// sp prefixes a non-empty phrase with a space.
func sp(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// resolveOne is the common "find one record by name" step: it asks when
// several match and reports when none do. k names the records; action
// completes "nothing was …" (empty for reads).
func (r *runner) resolveOne(k kind, ref string, cands []candidate, action string) (obj, flow) {
	if k == kContact || k == kMember {
		cands = namedBy(ref, cands)
	}
	c, out := r.pick(k, ref, cands)
	switch out {
	case picked:
		return c.rec, proceed
	case pickNone:
		if action == "" {
			r.say("No %s matched %q.", k.one, ref)
		} else {
			r.say("No %s matched %q; nothing was %s.", k.one, ref, action)
		}
		return nil, skip
	case pickCancelled:
		if action == "" {
			r.say("OK, I stopped there.")
		} else {
			r.say("OK, nothing was %s.", action)
		}
		return nil, skip
	case pickUnclear:
		r.say("I could not tell which %s you meant by %q, so I stopped there.", k.one, ref)
		return nil, skip
	}
	return nil, halt
}

// lookupFailed reports a failed lookup and ends the intent.
func (r *runner) lookupFailed(what string, res result) flow {
	r.say("Could not look up %s: %s.", what, res.err)
	return skip
}

// Help and extensions, the two families without a parser file of their own.

type (
	// help: "What can you do?"
	help struct{}
	// extensionsList: "What extensions are installed?"
	extensionsList struct{}
)

func (help) needs() []string { return nil }

func (help) run(r *runner) bool {
	r.say("I am the built-in local agent. I understand plain requests about contacts (create, find, update, delete), tasks (create, assign, complete, list, delete), email (send, with a file attached; list sent emails), files (list, find, create folders, rename, move, delete), the org chart (departments, teams, members, leads) and installed extensions. " + docsPointer)
	return true
}

func (extensionsList) needs() []string { return []string{"extensions_list"} }

func (extensionsList) run(r *runner) bool {
	res, ok := r.exec(mk("extensions_list"))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not list the extensions: %s.", res[0].err)
		return true
	}
	exts := res[0].data.list("extensions")
	if len(exts) == 0 {
		r.say("No extensions are installed.")
		return true
	}
	var names []string
	for _, e := range exts {
		n := e.str("name")
		if n == "" {
			n = e.str("id")
		}
		var d []string
		if v := e.str("version"); v != "" {
			d = append(d, "version "+v)
		}
		if t := e.list("tools"); len(t) > 0 {
			d = append(d, count(len(t), kind{"tool", "tools", ""}))
		} else if t := e.strs("tools"); len(t) > 0 {
			d = append(d, count(len(t), kind{"tool", "tools", ""}))
		}
		if st := e.str("status"); st != "" && st != "reachable" {
			d = append(d, strings.TrimSpace(st+": "+e.str("error")))
		}
		names = append(names, withDetails(n, d))
	}
	r.say("Installed extensions: %s.", listOf(names))
	return true
}

// union appends the items of add missing from have, case-insensitively.
func union(have, add []string) []string {
	out := append([]string{}, have...)
	for _, a := range add {
		found := false
		for _, h := range out {
			if strings.EqualFold(h, a) {
				found = true
			}
		}
		if !found {
			out = append(out, a)
		}
	}
	return out
}

// minus drops the items of drop from have, case-insensitively.
func minus(have, drop []string) []string {
	out := []string{}
	for _, h := range have {
		keep := true
		for _, d := range drop {
			if strings.EqualFold(h, d) {
				keep = false
			}
		}
		if keep {
			out = append(out, h)
		}
	}
	return out
}

// quoted is s in double quotes.
func quoted(s string) string { return fmt.Sprintf("%q", s) }
