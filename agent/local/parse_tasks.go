package local

import (
	"regexp"
	"strconv"
	"strings"
)

// Task intents.
type (
	// taskCreate: "Add a task 'Send Q1 report' due 2026-12-05 assigned to Maria".
	taskCreate struct {
		title, due, assignee string
		// about: the title's "her"/"him" is the contact created or
		// changed earlier in the same request.
		about bool
	}
	// taskFind: "What tasks are open?", "Show tasks assigned to Maria".
	taskFind struct {
		status, assignee, query, dueFrom, dueTo string
		overdue                                 bool
	}
	// taskChange is one operation on one task named by its title:
	// assign, complete, status, due, title or delete.
	taskChange struct {
		task  string
		op    string
		value string // assignee name, status, due date or new title
	}
)

const taskNoun = `(?:task|to-?do|reminder)`

var (
	reTaskCreate   = re(`^(?:create|add|make|new|schedule|set\s+up)\s+(?:a\s+|an\s+|another\s+)?(?:new\s+)?` + taskNoun + `\b\s*[:,-]?\s*(?:(?:to|called|named|titled)\s+)?(.*)$`)
	reRemind       = re(`^remind\s+me\s+to\s+(.+)$`)
	reRemindWhen   = re(`^remind\s+me\s+((?:on\s+|by\s+)?(?:` + dateExpr + `))\s+to\s+(.+)$`)
	reTaskLabel    = re(`^(?:to-?do|task|reminder|new\s+task)\s*:\s*(.+)$`)
	reRemindOther  = re(`^remind\s+(.+?)\s+to\s+(.+)$`)
	reAddToList    = re(`^add\s+(.+?)\s+to\s+(my|the|our)\s+(?:tasks|task\s+list|to-?do\s+list|to-?dos)$`)
	reTaskAssign   = re(`^(?:assign|reassign|give|hand\s+over)\s+(?:the\s+)?` + taskNoun + `\s+(.+?)\s+to\s+(.+)$`)
	reAssignBare   = re(`^(?:assign|reassign)\s+(.+?)\s+to\s+(.+)$`)
	reTaskStatus   = re(`^(?:mark|set|flag)\s+(?:the\s+)?` + taskNoun + `\s+(.+?)\s+(?:as\s+|to\s+)?(` + statusWords + `)$`)
	reMarkStatus   = re(`^mark\s+(.+?)\s+as\s+(` + statusWords + `)$`)
	reTaskIsDone   = re(`^(?:the\s+)?(?:` + taskNoun + `\s+)?(.+?)\s+is\s+(?:now\s+)?(?:all\s+)?(done|complete|completed|finished|in\s+progress)$`)
	reTaskComplete = re(`^(?:complete|finish|close|tick\s+off|check\s+off)\s+(?:the\s+)?` + taskNoun + `\s+(.+)$`)
	reCompleteBare = re(`^(?:complete|finish|tick\s+off|check\s+off)\s+(.+)$`)
	reIFinished    = re(`^(?:i|we)(?:'ve|\s+have)?\s+(?:finished|completed|done|closed)\s+(?:the\s+)?(?:` + taskNoun + `\s+)?(.+)$|^(?:i'm|i\s+am|we're|we\s+are)\s+(?:done|finished)\s+with\s+(?:the\s+)?(?:` + taskNoun + `\s+)?(.+)$`)
	reTaskStart    = re(`^(?:start|begin)\s+(?:working\s+on\s+)?(?:the\s+)?` + taskNoun + `\s+(.+)$`)
	reTaskReopen   = re(`^reopen\s+(?:the\s+)?(?:` + taskNoun + `\s+)?(.+)$`)
	reTaskDelete   = re(`^(?:delete|remove|cancel|drop|get\s+rid\s+of)\s+(?:the\s+)?` + taskNoun + `\s+(.+)$`)
	reTaskDue      = re(`^(?:reschedule|move|postpone|push|defer|delay)\s+(?:the\s+)?` + taskNoun + `\s+(.+?)\s+(?:(?:back|out)\s+)?(?:to|until|till|for)\s+(.+)$`)
	reTaskPostpone = re(`^(?:reschedule|postpone|push|defer|delay)\s+(?:the\s+)?(.+?)\s+(?:(?:back|out)\s+)?(?:to|until|till|for)\s+(.+)$`)
	reMoveToDate   = re(`^move\s+(?:the\s+)?(.+?)\s+to\s+(` + dateExpr + `)$`)
	reTaskDueOf    = re(`^(?:set|change|update|move|push|extend)\s+the\s+(?:due\s+date|deadline|due)\s+(?:of|for|on)\s+(?:the\s+)?(?:` + taskNoun + `\s+)?(.+?)\s+(?:to|until)\s+(.+)$`)
	reTaskRename   = re(`^(?:rename|retitle)\s+(?:the\s+)?` + taskNoun + `\s+(.+?)\s+(?:to|as)\s+(.+)$`)
	reCompleteNot  = re(`^(?:the\s+)?(?:contacts?|files?|folders?|e-?mails?|all|everything)\b`)
	reTaskList     = re(`^(?:(?:what|which)\s+(?:tasks|to-?dos)|(?:are\s+there\s+)?any\s+(?:tasks|to-?dos)|how\s+many\s+(?:tasks|to-?dos)|(?:show|list|find|get|display|give)\s+(?:me\s+)?(?:all\s+(?:of\s+)?|every\s+)?(?:the\s+|our\s+|my\s+)?(?:tasks|to-?dos))\b\s*(.*)$`)
	reTaskListAdj  = re(`^(?:show|list|find|get|display|give)\s+(?:me\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|our\s+|my\s+)?(open|done|completed|finished|closed|in[\s-]progress|overdue|pending)\s+(?:tasks|to-?dos)\b\s*(.*)$`)
	reTasksOf      = re(`^(?:show|list|get|display|give\s+me|what\s+are)\s+(?:me\s+)?(?:all\s+(?:of\s+)?)?(.+?)(?:'s|')\s+(?:(open|done|completed|finished|in[\s-]progress|overdue|pending)\s+)?(?:tasks|to-?dos)\b\s*(.*)$`)
	reWorkload     = re(`^what(?:'s|\s+is)\s+on\s+(my|.+?(?:'s|'))\s+plate$|^what\s+(?:is|are|am)\s+(.+?)\s+working\s+on$|^what\s+(?:do|does)\s+(.+?)\s+(?:have|need)\s+to\s+do$`)
	reWhatDue      = re(`^(?:what(?:'s|\s+is)|(?:is\s+(?:there\s+)?)?anything)\s+(overdue|due\s+.+)$`)
	reMyTasks      = re(`\bmy\s+(?:\S+\s+)?(?:tasks|to-?dos)\b`)
	reDoIHave      = re(`(?:^|\s+)(?:do\s+i\s+have|have\s+i\s+got|are\s+mine)\b`)
	reDoesHave     = re(`^(?:does|do)\s+(.+?)\s+have\b\s*`)
	// reTaskLast reads "Delete the Q1 report task" as "Delete the task Q1 report".
	reTaskLast = re(`^(mark|complete|finish|close|delete|remove|cancel|drop|assign|reassign|give|reschedule|postpone|push|move|rename|start|reopen)\s+the\s+(.+?)\s+(task|to-?do)\b(.*)$`)
)

// statusWords are the statuses a task can be marked with.
const statusWords = `done|complete|completed|finished|closed|in\s+progress|in-progress|started|open|to\s+do|todo|not\s+done`

// parseTask recognises task requests. A change to a task named only by
// a pronoun ("Mark it as done", "That is done") is refused: the title
// search would match any task containing those letters.
func parseTask(s string, cal calendar) (intent, bool, *parseError) {
	it, ok, err := parseTaskRequest(s, cal)
	if c, isChange := it.(taskChange); isChange && reVagueTask.MatchString(c.task) {
		return nil, true, refuse("I can't tell which task %q is; give its title", c.task)
	}
	return it, ok, err
}

var reVagueTask = re(`^(?:it|that|this|these|those|them|everything|all|one|mine|something|anything|all\s+of\s+them|all\s+tasks|the\s+tasks?)?$`)

// parseTaskRequest recognises task requests, naming tasks as written.
func parseTaskRequest(s string, cal calendar) (intent, bool, *parseError) {
	if m := reTaskLast.FindStringSubmatch(s); m != nil {
		s = m[1] + " the " + m[3] + " " + m[2] + m[4]
	}
	if it, ok, err := parseTaskCreate(s, cal); ok || err != nil {
		return it, ok, err
	}
	for _, rx := range []*regexp.Regexp{reTaskAssign, reAssignBare} {
		if m := rx.FindStringSubmatch(s); m != nil {
			who := unquote(m[2])
			if isMe(who) {
				who = me
			} else if !validName(who) && !reEmail.MatchString(who) {
				return nil, true, refuse("%q does not look like a member's name", who)
			}
			return taskChange{task: taskRef(m[1]), op: "assign", value: who}, true, nil
		}
	}
	for _, rx := range []*regexp.Regexp{reTaskStatus, reMarkStatus, reTaskIsDone} {
		if m := rx.FindStringSubmatch(s); m != nil {
			return statusChange(taskRef(m[1]), m[2]), true, nil
		}
	}
	if m := reTaskComplete.FindStringSubmatch(s); m != nil {
		return taskChange{task: taskRef(m[1]), op: "complete"}, true, nil
	}
	if m := reCompleteBare.FindStringSubmatch(s); m != nil && !reCompleteNot.MatchString(m[1]) {
		// "Complete Prepare the Q1 report": only tasks are completed.
		return taskChange{task: taskRef(m[1]), op: "complete"}, true, nil
	}
	if m := reIFinished.FindStringSubmatch(s); m != nil {
		return taskChange{task: taskRef(m[1] + m[2]), op: "complete"}, true, nil
	}
	if m := reTaskStart.FindStringSubmatch(s); m != nil {
		return taskChange{task: taskRef(m[1]), op: "status", value: "in_progress"}, true, nil
	}
	if m := reTaskReopen.FindStringSubmatch(s); m != nil {
		return taskChange{task: taskRef(m[1]), op: "status", value: "open"}, true, nil
	}
	if m := reTaskDelete.FindStringSubmatch(s); m != nil {
		return taskChange{task: taskRef(m[1]), op: "delete"}, true, nil
	}
	for _, rx := range []*regexp.Regexp{reTaskDue, reTaskDueOf, reTaskPostpone, reMoveToDate} {
		if m := rx.FindStringSubmatch(s); m != nil {
			if rx == reMoveToDate && reFileExt.MatchString(m[1]) {
				continue // "Move notes.txt to …" is a file
			}
			d, err := parseDate(m[2], cal)
			if err != nil {
				return nil, true, err
			}
			return taskChange{task: taskRef(m[1]), op: "due", value: d}, true, nil
		}
	}
	if m := reTaskShift.FindStringSubmatch(s); m != nil {
		n := wordNumber(strings.ToLower(m[2]))
		if strings.HasPrefix(strings.ToLower(m[3]), "week") {
			n *= 7
		}
		return taskChange{task: taskRef(m[1]), op: "shift", value: strconv.Itoa(n)}, true, nil
	}
	if m := reTaskRename.FindStringSubmatch(s); m != nil {
		title := capFirst(unquote(m[2]))
		if title == "" {
			return nil, true, refuse("the new task title is empty")
		}
		return taskChange{task: taskRef(m[1]), op: "title", value: title}, true, nil
	}
	return parseTaskQuery(s, cal)
}

// parseTaskCreate recognises new tasks: "Create a task for Tom: …",
// "Remind me to …", "Remind Tom to …", "Add 'X' to my tasks".
func parseTaskCreate(s string, cal calendar) (intent, bool, *parseError) {
	if m := reTaskCreate.FindStringSubmatch(s); m != nil {
		t, err := parseTaskBody(m[1], cal)
		return t, true, err
	}
	if m := reRemind.FindStringSubmatch(s); m != nil {
		t, err := parseTaskBody(m[1], cal)
		if t.assignee == "" {
			t.assignee = me // "remind me": the task is the caller's
		}
		return t, true, err
	}
	if m := reRemindWhen.FindStringSubmatch(s); m != nil {
		// "Remind me tomorrow to call Priya"
		t, err := parseTaskBody(m[2], cal)
		if err != nil {
			return nil, true, err
		}
		if t.due != "" {
			return nil, true, refuse("the task has two due dates (%q and %q)", m[1], t.due)
		}
		if t.due, err = parseDate(m[1], cal); err != nil {
			return nil, true, err
		}
		if t.assignee == "" {
			t.assignee = me
		}
		return t, true, nil
	}
	if m := reTaskLabel.FindStringSubmatch(s); m != nil {
		t, err := parseTaskBody(m[1], cal)
		return t, true, err
	}
	if m := reRemindOther.FindStringSubmatch(s); m != nil && validName(m[1]) {
		t, err := parseTaskBody(m[2], cal)
		if err == nil && t.assignee != "" {
			return nil, true, refuse("the task is assigned twice (%q and %q)", m[1], t.assignee)
		}
		t.assignee = m[1]
		return t, true, err
	}
	if m := reAddToList.FindStringSubmatch(s); m != nil {
		t, err := parseTaskBody(m[1], cal)
		if strings.EqualFold(m[2], "my") && t.assignee == "" {
			t.assignee = me
		}
		return t, true, err
	}
	return nil, false, nil
}

// statusChange is the taskChange that gives a task a status word.
func statusChange(task, word string) taskChange {
	if st := statusOf(word); st != "done" {
		return taskChange{task: task, op: "status", value: st}
	}
	return taskChange{task: task, op: "complete"}
}

// me is the assignee or member id the tools read as "the calling member".
const me = "me"

// isMe reports whether a member reference means the caller.
func isMe(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "me", "myself", "i":
		return true
	}
	return false
}

// taskRef reads how a request names a task: its title, maybe quoted.
func taskRef(s string) string {
	return unquote(reTitledPrefix.ReplaceAllString(strings.TrimSpace(s), ""))
}

var reTitledPrefix = re(`^(?:called|named|titled)\s+`)

// statusOf maps a status word to a tasks_search status ("overdue" aside).
func statusOf(w string) string {
	switch strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(w, "-", " ")), " ")) {
	case "done", "complete", "completed", "finished", "closed":
		return "done"
	case "in progress", "started":
		return "in_progress"
	case "overdue":
		return "overdue"
	}
	return "open" // open, to do, todo, not done, pending
}

var (
	reDueSuffix    = re(`,?\s+(?:due(?:\s+(?:on|by))?|by|on|before)\s+(` + dateExpr + `)$`)
	reBareDate     = re(`,?(?:\s+(?:for|due))?\s+(` + relDate + `)$`)
	reAssignSuffix = re(`,?\s+(?:and\s+)?(?:assigned|assign(?:\s+it)?|give\s+it)\s+to\s+(.+)$`)
	reToPrefix     = re(`^to\s+`)
	// reForWhom is an assignee before the title: "for Tom: prepare the
	// contract", "for me to renew the domain".
	reForWhom = re(`^for\s+(me|\S+(?:\s+\S+)?)\s*(?:[:\-–,]|\s+to\b)\s*(.+)$`)
)

// parseTaskBody reads what follows "create a task": a title (quoted or
// not) and, at the end, a due date and an assignee in either order.
func parseTaskBody(body string, cal calendar) (taskCreate, *parseError) {
	var t taskCreate
	if m := reForWhom.FindStringSubmatch(body); m != nil {
		if who := unquote(m[1]); isMe(who) {
			t.assignee, body = me, m[2]
		} else if validName(who) {
			t.assignee, body = who, m[2]
		}
	}
	title, rest, isQuoted := leadingQuote(strings.TrimSpace(body))
	work := " " + rest
	if !isQuoted {
		work = " " + strings.TrimSpace(body)
	}
	for {
		if t.due == "" {
			m := reDueSuffix.FindStringSubmatchIndex(work)
			if m == nil {
				m = reBareDate.FindStringSubmatchIndex(work)
			}
			if m != nil {
				d, err := parseDate(work[m[2]:m[3]], cal)
				if err != nil {
					return t, err
				}
				t.due, work = d, work[:m[0]]
				continue
			}
		}
		if t.assignee == "" {
			if m := reAssignSuffix.FindStringSubmatchIndex(work); m != nil {
				who := unquote(work[m[2]:m[3]])
				if isMe(who) {
					who = me
				}
				if who == me || validName(who) || reEmail.MatchString(who) {
					t.assignee, work = who, work[:m[0]]
					continue
				}
			}
		}
		break
	}
	if isQuoted {
		if left := strings.TrimSpace(work); left != "" {
			return t, refuse("I could not read %q after the task title", left)
		}
	} else {
		title = work
	}
	t.title = capFirst(unquote(reToPrefix.ReplaceAllString(strings.Trim(strings.TrimSpace(title), ",;:"), "")))
	if t.title == "" {
		return t, refuse("the task needs a title, e.g. \"Create a task to call Jane tomorrow\"")
	}
	if !isQuoted {
		// A date left inside the title was not read as the due date: a
		// task titled "Call Acme next Friday and …" would be a wrong write.
		if d := reDateInTitle.FindString(t.title); d != "" {
			return t, refuse("I could not tell whether %q in %q is the due date; put the due date at the end (\"…, due 2026-03-20\") or quote the title", d, t.title)
		}
	}
	return t, nil
}

// reTaskShift moves a due date by a span: "Push the renewal offer task
// back a week", "Delay Call Jane by 3 days".
var reTaskShift = re(`^(?:push|move|put|delay|postpone|defer|bump)\s+(?:the\s+)?(?:task\s+)?(.+?)\s+(?:back\s+|out\s+)?(?:by\s+)?(` + numberWords + `)\s+(days?|weeks?)(?:\s+later)?$`)

// reDateInTitle is a date expression (or the start of one) inside an
// unquoted task title.
var reDateInTitle = re(`\b(?:due\b.*|(?:by|until|before)\s+(?:the\s+)?(?:end|next|this|coming|` + weekdayNames + `|` + monthNames + `|\d).*|(?:a\s+)?fortnight\b.*|end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:month|week)\b|\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:next|this|coming)\s+(?:week|month|` + weekdayNames + `)\b|tomorrow|tmrw|tonight|today|(?:on\s+)?the\s+\d{1,2}(?:st|nd|rd|th)\b.*|\d{1,2}(?:st|nd|rd|th)\s+of\b.*)`)

// reStatusWord is a word that sets a task's status.
var reStatusWord = re(`^(?:done|complete|completed|finished|closed|started|open|todo|in-progress)$`)
