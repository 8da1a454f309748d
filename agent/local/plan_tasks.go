package local

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (t taskCreate) needs() []string {
	if t.assignee != "" && t.assignee != me {
		return []string{"org_members", "tasks_create"}
	}
	return []string{"tasks_create"}
}

func (t taskCreate) run(r *runner) bool {
	if t.about && r.contact == nil {
		r.say("The task %q was not created: the contact it is about was not created or changed.", t.title)
		return true
	}
	member, fl := r.maybeMember(t.assignee, "created")
	if fl != proceed {
		return cont(fl)
	}
	title, contactID := r.aboutContact(t.title)
	var desc string
	if t.priority != "" {
		desc = "Priority: " + t.priority
	}
	res, ok := r.exec(mk("tasks_create", "title", title, "description", desc, "due", t.due,
		"assignee_id", member.str("id"), "contact_id", contactID))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not create the task %q: %s.", title, res[0].err)
		return true
	}
	task := res[0].data.record("task")
	if task == nil {
		r.say("Task created: %q.", title)
		return true
	}
	var d []string
	if due := task.str("due"); due != "" {
		d = append(d, "due "+due)
	}
	if member != nil {
		d = append(d, "assigned to "+memberName(member))
	}
	if contactID != "" {
		d = append(d, "contact "+contactName(r.contact))
	}
	if t.priority != "" {
		d = append(d, "priority "+t.priority)
	}
	r.say("Task created: %s.", withDetails(taskTitle(task), d))
	return true
}

var (
	rePronounWord = re(`\b(her|him|them|his|their)\b`)
	reHer         = regexp.MustCompile(`\b[Hh]er\b(\s+\S+)?`)
)

// objectFollowers are words after which "her" is an object ("send her
// the pack") rather than a possessive ("review her contract").
var objectFollowers = wordSet(`the a an our my your this that these those some all`)

// aboutContact links a task to the contact this request created or
// changed: pronouns in the title become the contact's name, and the
// task gets its id when the title refers to it.
func (r *runner) aboutContact(title string) (string, string) {
	if r.contact == nil {
		return title, ""
	}
	name := contactName(r.contact)
	replaced := false
	out := rePronounWord.ReplaceAllStringFunc(title, func(w string) string {
		replaced = true
		switch strings.ToLower(w) {
		case "him", "them":
			return name
		case "his", "their":
			return name + "'s"
		}
		return w // "her": decided below, it needs the next word
	})
	out = reHer.ReplaceAllStringFunc(out, func(m string) string {
		next := strings.TrimSpace(m[3:])
		if next == "" || objectFollowers[strings.ToLower(next)] {
			return name + m[3:]
		}
		return name + "'s" + m[3:]
	})
	first := strings.Fields(name)
	if replaced || (len(first) > 0 && containsWords(words(title), words(first[0]))) {
		return out, r.contact.str("id")
	}
	return out, ""
}

func (f taskFind) needs() []string {
	if f.assignee != "" && f.assignee != me {
		return []string{"org_members", "tasks_search"}
	}
	return []string{"tasks_search"}
}

func (f taskFind) run(r *runner) bool {
	member, fl := r.maybeMember(f.assignee, "")
	if fl != proceed {
		return cont(fl)
	}
	res, ok := r.exec(mk("tasks_search", "query", f.query, "status", f.status,
		"assignee_id", member.str("id"), "due_from", f.dueFrom, "due_to", f.dueTo))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not search tasks: %s.", res[0].err)
		return true
	}
	found := res[0].data.list("tasks")
	if len(found) == 0 && f.query != "" && f.status == "" && member == nil && f.dueFrom == "" && f.dueTo == "" {
		if found, ok = r.tasksByWords(f.query); !ok {
			return false
		}
	}
	var tasks []obj
	for _, t := range found {
		if !f.overdue || t.str("status") != "done" {
			tasks = append(tasks, t)
		}
	}
	desc := f.describe(member)
	if len(tasks) == 0 {
		r.say("No %s.", desc)
		return true
	}
	reply := fmt.Sprintf("Found %d %s: %s.", len(tasks), desc, listOf(lines(tasks, taskLine)))
	if len(tasks) == 1 {
		reply = fmt.Sprintf("Found 1 %s: %s.", strings.Replace(desc, "tasks", "task", 1), taskLine(tasks[0]))
	}
	if res[0].data.str("next_cursor") != "" {
		reply += morePages
	}
	r.say("%s", reply)
	return true
}

// describe phrases the filter: "open tasks assigned to Maria Garcia".
func (f taskFind) describe(member obj) string {
	var b strings.Builder
	switch {
	case f.overdue:
		b.WriteString("overdue ")
	case f.status != "":
		b.WriteString(strings.ReplaceAll(f.status, "_", "-") + " ")
	}
	b.WriteString("tasks")
	if member != nil {
		b.WriteString(" assigned to " + memberName(member))
	}
	switch {
	case f.overdue:
	case f.dueFrom != "" && f.dueFrom == f.dueTo:
		b.WriteString(" due " + f.dueFrom)
	case f.dueFrom != "" && f.dueTo != "":
		b.WriteString(" due " + f.dueFrom + " to " + f.dueTo)
	case f.dueTo != "":
		b.WriteString(" due by " + f.dueTo)
	}
	if f.query != "" {
		b.WriteString(" matching " + quoted(f.query))
	}
	return b.String()
}

// taskOps maps each taskChange op to its tool and the past tense used
// when nothing was done.
var taskOps = map[string]struct{ tool, done string }{
	"assign":   {"tasks_assign", "assigned"},
	"complete": {"tasks_complete", "changed"},
	"status":   {"tasks_update", "changed"},
	"due":      {"tasks_update", "changed"},
	"shift":    {"tasks_update", "changed"},
	"title":    {"tasks_update", "renamed"},
	"delete":   {"tasks_delete", "deleted"},
}

func (c taskChange) needs() []string {
	if c.op == "assign" && c.value != me {
		return []string{"tasks_search", "org_members", "tasks_assign"}
	}
	return []string{"tasks_search", taskOps[c.op].tool}
}

func (c taskChange) run(r *runner) bool {
	op := taskOps[c.op]
	calls := []call{mk("tasks_search", "query", c.task)}
	if c.op == "assign" && c.value != me {
		calls = append(calls, mk("org_members", "query", c.value))
	}
	res, ok := r.exec(calls...)
	if !ok {
		return false
	}
	if res[0].failed() {
		return cont(r.lookupFailed("the task "+quoted(c.task), res[0]))
	}
	found := res[0].data.list("tasks")
	if len(found) == 0 {
		if found, ok = r.tasksByWords(c.task); !ok {
			return false
		}
	}
	if fl := r.personNotTask(c.task, found); fl != proceed {
		return cont(fl)
	}
	task, fl := r.resolveOne(kTask, c.task, taskCands(found), op.done)
	if fl != proceed {
		return cont(fl)
	}
	id := task.str("id")
	var act call
	assignee := ""
	switch c.op {
	case "assign":
		m := you()
		if c.value != me {
			if res[1].failed() {
				return cont(r.lookupFailed("the member "+quoted(c.value), res[1]))
			}
			var fl flow
			if fl = r.contactNotMember(c.value, memberCands(res[1].data.list("members")), op.done); fl != proceed {
				return cont(fl)
			}
			if m, fl = r.resolveOne(kMember, c.value, memberCands(res[1].data.list("members")), op.done); fl != proceed {
				return cont(fl)
			}
		}
		act = mk(op.tool, "id", id, "assignee_id", m.str("id"))
		assignee = memberName(m)
	case "complete", "delete":
		act = mk(op.tool, "id", id)
	case "status":
		act = mk(op.tool, "id", id, "status", c.value)
	case "due":
		act = mk(op.tool, "id", id, "due", c.value)
	case "shift":
		// "Push … back a week": from the task's own due date.
		due, err := time.Parse(time.DateOnly, task.str("due"))
		if err != nil {
			r.say("The task %s has no due date to move; give the new date instead.", taskTitle(task))
			return true
		}
		days, _ := strconv.Atoi(c.value)
		c.op, c.value = "due", day(due, days)
		act = mk(op.tool, "id", id, "due", c.value)
	case "title":
		act = mk(op.tool, "id", id, "title", c.value)
	}
	out, ok := r.exec(act)
	if !ok {
		return false
	}
	r.taskChanged(c, task, out[0], assignee)
	return true
}

// taskChanged reports the outcome of a taskChange.
func (r *runner) taskChanged(c taskChange, before obj, res result, assignee string) {
	name := taskTitle(before)
	if res.failed() {
		verb := map[string]string{"assign": "assign", "complete": "complete", "status": "update",
			"due": "reschedule", "title": "rename", "delete": "delete"}[c.op]
		r.say("Could not %s the task %s: %s.", verb, name, res.err)
		return
	}
	after := res.data.record("task")
	if after == nil {
		after = obj{}
	}
	switch c.op {
	case "assign":
		r.say("Task %s assigned to %s.", name, assignee)
	case "complete":
		r.say("Task done: %s.", name)
	case "status":
		st := after.str("status")
		if st == "" {
			st = c.value
		}
		r.say("Task %s is now %s.", name, strings.ReplaceAll(st, "_", " "))
	case "due":
		due := after.str("due")
		if due == "" {
			due = c.value
		}
		r.say("Task %s is now due %s.", name, due)
	case "title":
		title := after.str("title")
		if title == "" {
			title = c.value
		}
		r.say("Task renamed: %s is now %q.", name, title)
	case "delete":
		r.say("Task deleted: %s.", name)
	}
}

// you stands for the calling member, whom the tools know as "me".
func you() obj { return obj{"id": me, "name": "you"} }

// oneMember finds the member a name means, asking when several match.
// "me" is the caller and needs no lookup.
func (r *runner) oneMember(name, action string) (obj, flow) {
	if name == me {
		return you(), proceed
	}
	res, ok := r.exec(mk("org_members", "query", name))
	if !ok {
		return nil, halt
	}
	if res[0].failed() {
		return nil, r.lookupFailed("the member "+quoted(name), res[0])
	}
	cands := memberCands(res[0].data.list("members"))
	if fl := r.contactNotMember(name, cands, action); fl != proceed {
		return nil, fl
	}
	return r.resolveOne(kMember, name, cands, action)
}

// contactNotMember stops a task change for a name no member has but a
// contact does ("Remind John Smith to …", "Assign … to Priya"): a task
// goes to a member, so it says so rather than "no member matched".
func (r *runner) contactNotMember(name string, members []candidate, action string) flow {
	if len(namedBy(name, members)) > 0 || action == "" || !r.tools["contacts_search"] {
		return proceed
	}
	g, fl := r.lookup(name, nameContact)
	if fl != proceed {
		return fl
	}
	if g[nameContact] {
		r.say("%s", cantYet(fmt.Sprintf("%q is a contact, not a member of this workspace, and a task is assigned to a member; nothing was %s (say \"remind me to …\" for a task of your own)", name, action)))
		return skip
	}
	return proceed
}

func memberCands(list []obj) []candidate {
	out := make([]candidate, len(list))
	for i, m := range list {
		out[i] = candidate{rec: m, id: m.str("id"), name: memberName(m), label: memberLine(m),
			keys: []string{m.str("email"), m.str("role")}}
	}
	return out
}

func taskCands(list []obj) []candidate {
	out := make([]candidate, len(list))
	for i, t := range list {
		out[i] = candidate{rec: t, id: t.str("id"), name: t.str("title"), label: taskLine(t),
			keys: []string{t.str("due")}}
	}
	return out
}

// maybeMember is oneMember for a member a request may leave out: no
// name, no member (nil) and nothing looked up.
func (r *runner) maybeMember(name, action string) (obj, flow) {
	if name == "" {
		return nil, proceed
	}
	return r.oneMember(name, action)
}

// personNotTask stops a change to a task named only by a person's name
// that is no task's title: "Mark Priya as done" must not complete "Call
// Priya about the pilot" because the title holds her name.
func (r *runner) personNotTask(ref string, found []obj) flow {
	if f := strings.Fields(ref); len(f) > 1 && taskNouns[strings.ToLower(f[len(f)-1])] && ownerWord(f[0]) && !hasExactTitle(found, ref) {
		// "Complete Tom's task", "all of Maria's tasks": no title.
		r.say("%s", cantYet(fmt.Sprintf("%q is no task's title; name the task by its title (\"mark all of Tom's tasks as done\" completes every task of a member)", ref)))
		return skip
	}
	if len(strings.Fields(ref)) > 2 || !validName(ref) {
		return proceed
	}
	if hasExactTitle(found, ref) {
		return proceed
	}
	g, fl := r.lookup(ref, nameContact, nameMember)
	if fl != proceed {
		return fl
	}
	if !g[nameContact] && !g[nameMember] {
		return proceed
	}
	r.say("%s", cantYet(fmt.Sprintf("%q is a person, not a task; name the task by its title", ref)))
	return skip
}

func (t taskOrLead) needs() []string { return t.taskFind.needs() }

// run looks the name up first: a team or department of that name that
// no task title matches is answered with its lead; otherwise the task.
func (t taskOrLead) run(r *runner) bool {
	if r.tools["org_teams"] && r.tools["org_departments"] {
		g, fl := r.lookup(t.query, nameTask, nameTeam, nameDepartment)
		if fl != proceed {
			return cont(fl)
		}
		if !g[nameTask] && (g[nameTeam] || g[nameDepartment]) {
			return orgLead{unit: t.query}.run(r)
		}
	}
	return t.taskFind.run(r)
}

// taskNouns end a reference to tasks by their owner, not their title.
var taskNouns = wordSet(`task tasks to-do to-dos todo todos`)

// hasExactTitle reports whether one of found has exactly the title ref.
func hasExactTitle(found []obj, ref string) bool {
	for _, t := range found {
		if fold(t.str("title")) == fold(ref) {
			return true
		}
	}
	return false
}

// ownerWord reports whether w names whose tasks, not which: "Tom's",
// "all", "every", "my".
func ownerWord(w string) bool {
	lw := strings.ToLower(w)
	return strings.HasSuffix(lw, "'s") || lw == "all" || lw == "every" || lw == "my" || lw == "our"
}
