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

// quantifier opens a bulk request: "all", "every", "each", "all of our".
const quantifier = `(?:all|every|each)\s+(?:of\s+)?(?:the\s+|our\s+|my\s+)?`

// The bulk-task frame: a quantifier, a member's tasks and a completion.
var (
	reBulkTaskDone = re(`^(?:mark|set)\s+` + quantifier + `(?:(.+?)(?:'s|')\s+(?:open\s+)?(?:tasks|to-?dos)|(?:open\s+)?(?:tasks?|to-?dos?)\s+(?:assigned\s+to|of|for)\s+(.+?))\s+(?:as\s+)?(?:done|complete|completed|finished)$`)
	reBulkTaskComp = re(`^(?:complete|finish|close|tick\s+off)\s+` + quantifier + `(?:(.+?)(?:'s|')\s+(?:open\s+)?(?:tasks|to-?dos)|(?:open\s+)?(?:tasks?|to-?dos?)\s+(?:assigned\s+to|of|for)\s+(.+?))$`)
)

func fitBulkTasks(s string, _ []span, _ calendar) (frameFit, bool) {
	m := reBulkTaskDone.FindStringSubmatch(s)
	if m == nil {
		m = reBulkTaskComp.FindStringSubmatch(s)
	}
	if m == nil {
		return frameFit{}, false
	}
	who := strings.TrimSpace(m[1] + m[2])
	switch strings.ToLower(who) {
	case "my", "me", "mine":
		who = me
	}
	if who != me && !validName(who) {
		return frameFit{score: 3, err: refuse("I could not tell whose tasks %q means; name the member", who)}, true
	}
	return frameFit{score: 6, it: taskCompleteAll{assignee: who}}, true
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
