package local

import (
	"strings"
)

// Task intents.
type (
	// taskCreate: "Add a task 'Send Q1 report' due 2026-12-05 assigned to Maria".
	taskCreate struct {
		title, due, assignee string
		// priority is "high", "medium", "low" or "" (task_priority.go).
		priority string
		// about: the title's "her"/"him" is the contact created or
		// changed earlier in the same request.
		about bool
	}
	// taskFind: "What tasks are open?", "Show tasks assigned to Maria".
	taskFind struct {
		status, assignee, query, dueFrom, dueTo string
		overdue                                 bool
	}
	// taskOrLead: "Who's in charge of X?" — the task X, or the lead
	// of the team or department X when no task has that title.
	taskOrLead struct{ taskFind }
	// taskChange is one operation on one task named by its title:
	// assign, complete, status, due, title or delete.
	taskChange struct {
		task  string
		op    string
		value string // assignee name, status, due date or new title
	}
)

var (
	reMyTasks  = re(`\bmy\s+(?:\S+\s+)?(?:tasks|to-?dos)\b`)
	reDoIHave  = re(`(?:^|\s+)(?:do\s+i\s+have|have\s+i\s+got|are\s+mine)\b`)
	reDoesHave = re(`^(?:does|do)\s+(.+?)\s+have\b\s*`)
)

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
// not) and, at the end, a due date, an assignee and a priority in any
// order.
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
		if p, rest, ok := peelPriority(work); ok {
			if t.priority != "" && t.priority != p {
				return t, refuse("the task has two priorities (%s and %s)", t.priority, p)
			}
			t.priority, work = p, rest
			continue
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

// reDateInTitle is a date expression (or the start of one) inside an
// unquoted task title.
var reDateInTitle = re(`\b(?:due\b.*|(?:by|until|before)\s+(?:the\s+)?(?:end|next|this|coming|` + weekdayNames + `|` + monthNames + `|\d).*|(?:a\s+)?fortnight\b.*|end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:month|week)\b|\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:next|this|coming)\s+(?:week|month|` + weekdayNames + `)\b|tomorrow|tmrw|tonight|today|(?:on\s+)?the\s+\d{1,2}(?:st|nd|rd|th)\b.*|\d{1,2}(?:st|nd|rd|th)\s+of\b.*)`)

// reStatusWord is a word that sets a task's status.
var reStatusWord = re(`^(?:done|complete|completed|finished|closed|started|open|todo|in-progress)$`)
