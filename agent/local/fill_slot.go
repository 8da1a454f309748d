package local

import "strings"

// fillSlot: a request whose one required slot is missing ("Add a task",
// "Create a contact", "Remind me", "Send an email") asks for it instead of
// refusing. The answer completes the request as written ("Add a task" +
// "call Jane tomorrow" reads "Add a task to call Jane tomorrow") and is
// then understood like any request: nothing is written on a guess, and an
// answer that still does not make sense is refused.
type fillSlot struct {
	question string // what to ask
	prefix   string // the request the answer completes
}

func (fillSlot) needs() []string { return nil }

func (f fillSlot) run(r *runner) bool {
	ans, ok := r.ask(f.question)
	if !ok {
		return false
	}
	if isCancel(ans) {
		r.say("OK, nothing was done.")
		return true
	}
	intents, err := parseWith(f.prefix+" "+strings.TrimSpace(ans), r.cal, r.contact != nil)
	if err != nil {
		r.say("%s", err.reply())
		return true
	}
	if missing := missingTools(intents, r.tools); len(missing) > 0 {
		r.say("%s", denied(missing))
		return true
	}
	for _, it := range intents {
		if !it.run(r) {
			return false
		}
	}
	return true
}
