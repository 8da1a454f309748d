package local

import (
	"fmt"
	"strings"
)

// taskCompleteAll: "Mark all of Maria's tasks as done", "complete every
// task assigned to Tom" — every open task of one member. Like the bulk
// contact changes it always asks first, with the count and the titles,
// and changes nothing unless the answer is yes.
type taskCompleteAll struct{ assignee string }

// The bulk-task frame's lexicon: a verb, a quantifier, a member's tasks
// and (after "mark") a completion.
var (
	cueBulkMark     = lexCue("mark|set")
	cueBulkComplete = lexCue("complete|finish|close|tick_off")
	cueDoneTail     = lexCue("[as] done|complete|completed|finished")
	cueOpenTasks    = lexCue("[open] tasks|todos|to-dos")
	cueTasksOfWho   = lexCue("[open] task|tasks|todo|todos|to-do|to-dos assigned_to|of|for")
)

// fitBulkTasks: "Mark all of Maria's tasks as done", "complete every
// task assigned to Tom".
func fitBulkTasks(s string, _ []span, _ calendar) (frameFit, bool) {
	var rest string
	if after, ok := opens(s, cueBulkMark); ok {
		r, ok := endsWithCue(after, cueDoneTail, 1)
		if !ok {
			return frameFit{}, false
		}
		rest = r
	} else if after, ok := opens(s, cueBulkComplete); ok {
		rest = after
	} else {
		return frameFit{}, false
	}
	rest, ok := opens(strings.TrimSpace(rest), cueQuantifier)
	if !ok {
		return frameFit{}, false
	}
	rest = strings.TrimSpace(rest)
	who := ""
	if w, ok := opens(rest, cueTasksOfWho); ok && strings.TrimSpace(w) != "" {
		who = strings.TrimSpace(w)
	} else if owner, tail, ok := possessive(rest); ok && whole(strings.TrimSpace(tail), cueOpenTasks) {
		who = owner
	} else {
		return frameFit{}, false
	}
	switch strings.ToLower(who) {
	case "my", "me", "mine":
		who = me
	}
	if who != me && !validName(who) {
		return frameFit{score: 3, err: refuse("I could not tell whose tasks %q means; name the member", who)}, true
	}
	// The cue names the quantifier and the record kind ("every task
	// assigned to Tom", "all of Maria's tasks").
	return frameFit{score: scoreNamed, it: taskCompleteAll{assignee: who}}, true
}

func (taskCompleteAll) needs() []string {
	return []string{"org_members", "tasks_search", "tasks_complete"}
}

func (c taskCompleteAll) run(r *runner) bool {
	member, fl := r.oneMember(c.assignee, "")
	if fl != proceed {
		return cont(fl)
	}
	res, ok := r.exec(mk("tasks_search", "assignee_id", member.str("id"), "limit", 100))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not search tasks: %s.", res[0].err)
		return true
	}
	var open []obj
	for _, t := range res[0].data.list("tasks") {
		if t.str("status") != "done" {
			open = append(open, t)
		}
	}
	who := member.str("name")
	if len(open) == 0 {
		r.say("%s has no open tasks; nothing was changed.", who)
		return true
	}
	title := func(t obj) string { return t.str("title") }
	quoted := func(t obj) string { return fmt.Sprintf("%q", t.str("title")) }
	done, failed, fl := r.confirmEach(bulkChange{
		question:  fmt.Sprintf("This would complete %s assigned to %s: %s.", count(len(open), kTask), who, namesOf(open, title, listShown)),
		cancelled: "Cancelled: no tasks were changed.",
		records:   open,
		name:      quoted,
		call:      func(t obj) call { return mk("tasks_complete", "id", t.str("id")) },
	})
	if fl != proceed {
		return fl == skip
	}
	r.sayBulk("Completed", "complete", " assigned to "+who, kTask, done, failed, quoted)
	return true
}
