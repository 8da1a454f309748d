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

var (
	reBareTask    = re(`^(?:create|add|make|new|set\s+up)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:task|to-?do|reminder)$`)
	reBareRemind  = re(`^remind\s+me$`)
	reBareContact = re(`^(?:create|add|make|new|save|register)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:contact|lead|client|customer|prospect)$`)
	reBareEmail   = re(`^(?:send|write|compose|draft)\s+(?:an?\s+)?(?:new\s+)?(?:e-?mail|message)$`)
)

// parseBareRequest recognises a request that names only its kind.
func parseBareRequest(s string, _ calendar) (intent, bool, *parseError) {
	switch {
	case reBareTask.MatchString(s):
		return fillSlot{"What should the task be? For example: call Jane tomorrow.", "Add a task to"}, true, nil
	case reBareRemind.MatchString(s):
		return fillSlot{"What should I remind you of, and when? For example: call Jane tomorrow.", "Remind me to"}, true, nil
	case reBareContact.MatchString(s):
		return fillSlot{"Who is the new contact? Give a name and any details, for example: Jane Doe, CEO of Acme Corp, jane@acme.com.", "Create a contact for"}, true, nil
	case reBareEmail.MatchString(s):
		return fillSlot{"Who should the email go to, and what should it say? For example: Priya saying the pilot starts on Monday.", "Send an email to"}, true, nil
	}
	return nil, false, nil
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
