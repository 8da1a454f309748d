package local

import (
	"strconv"
	"strings"
)

// The task frames: creating a task ("Create a task to …", "Remind me
// to …", "Remind Tom to …", "Add X to my tasks") and changing one named
// by its title (assign, status, complete, start, reopen, delete, due
// date, shift, rename). Each frame reads its cue words from the lexicon
// below; the title, due date and assignee of a new task are read by
// parseTaskBody. The frames are scored against each other and every other frame (compete.go):
// a cue that names the task ("the task X") beats the bare form ("Move X
// to Friday").

// The tasks family's lexicon. tn is the task noun slot.
const tn = "task|to-do|todo|reminder"

var (
	cueTaskNew      = lexCue("create|add|make|new|schedule|set_up [a|an|another] [new] " + tn)
	cueTaskTitled   = lexCue("to|called|named|titled")
	cueRemindMe     = lexCue("remind me")
	cueRemind       = lexCue("remind")
	cueTaskLabel    = lexCue("new_task|to-do|todo|task|reminder")
	cueToMyList     = lexCue("to my|the|our tasks|task_list|to-do_list|todo_list|to-dos|todos")
	cueAssignNamed  = lexCue("assign|reassign|give|hand_over [the] " + tn)
	cueAssignBare   = lexCue("assign|reassign")
	cueStatusNamed  = lexCue("mark|set|flag [the] " + tn)
	cueStatusTail   = lexCue("[as|to] " + statusCue)
	cueAsStatus     = lexCue("as " + statusCue)
	cueIsDone       = lexCue("is [now] [all] done|complete|completed|finished|in_progress")
	cueTheTaskOpt   = lexCue("[the] [" + tn + "]")
	cueCompleteNmd  = lexCue("complete|finish|close|tick_off|check_off [the] " + tn)
	cueCompleteBare = lexCue("complete|finish|tick_off|check_off")
	cueIFinished    = lexCue("i|we|i've|we've|i_have|we_have finished|completed|done|closed [the] [" + tn + "]")
	cueImDone       = lexCue("i'm|i_am|we're|we_are done|finished with [the] [" + tn + "]")
	cueTaskStart    = lexCue("start|begin [working_on] [the] " + tn)
	cueTaskReopen   = lexCue("reopen [the] [" + tn + "]")
	cueTaskDelete   = lexCue("delete|remove|cancel|drop|get_rid_of [the] " + tn)
	cueDueNamed     = lexCue("reschedule|move|postpone|push|defer|delay [the] " + tn)
	cueDueBare      = lexCue("reschedule|postpone|push|defer|delay [the]")
	cueUntil        = lexCue("[back|out] to|until|till|for")
	cueMoveBare     = lexCue("move [the]")
	cueDueOf        = lexCue("set|change|update|move|push|extend the due_date|deadline|due of|for|on [the] [" + tn + "]")
	cueToUntil      = lexCue("to|until")
	cueShiftVerb    = lexCue("push|move|put|delay|postpone|defer|bump [the] [task]")
	cueRename       = lexCue("rename|retitle [the] " + tn)
	cueTaskLast     = lexCue("mark|complete|finish|close|delete|remove|cancel|drop|assign|reassign|give|reschedule|postpone|push|move|rename|start|reopen the")
)

// statusCue are the statuses a task can be marked with.
const statusCue = "done|complete|completed|finished|closed|in_progress|in-progress|started|open|to_do|todo|not_done"

// taskFrames are the frames of the tasks family, scored in one
// competition with every other frame (compete.go).
var taskFrames = []frameDef{
	{"task-create", fitTaskCreate},
	{"task-remind", fitTaskRemind},
	{"task-assign", fitTaskAssign},
	{"task-status", fitTaskStatus},
	{"task-complete", fitTaskComplete},
	{"task-start", fitTaskStart},
	{"task-delete", fitTaskDelete},
	{"task-due", fitTaskDue},
	{"task-shift", fitTaskShift},
	{"task-rename", fitTaskRename},
}

func init() {
	for k, v := range map[string]string{
		"task-create": "a new task", "task-remind": "a new task", "task-assign": "assigning a task",
		"task-status": "a task's status", "task-complete": "completing a task", "task-start": "a task's status",
		"task-delete": "deleting a task", "task-due": "a task's due date", "task-shift": "a task's due date",
		"task-rename": "renaming a task",
	} {
		frameWords[k] = v
	}
}

// vagueTasks name no task: a pronoun or a quantifier.
var vagueTasks = wordSet(`it that this these those them everything all one mine something anything`)

func init() {
	for _, w := range []string{"", "all of them", "all tasks", "the task", "the tasks"} {
		vagueTasks[w] = true
	}
}

// taskLast reads "Delete the Q1 report task" as "Delete the task Q1
// report": the task noun after the title moves before it.
func taskLast(s string) string {
	toks := tokens(s)
	j, ok := cueTaskLast.match(toks, 0)
	if !ok {
		return s
	}
	for i := j + 1; i < len(toks); i++ {
		if n := toks[i].norm; n == "task" || n == "todo" || n == "to-do" {
			verb := s[:toks[0].end]
			title := strings.TrimSpace(s[toks[j].start:toks[i].start])
			return verb + " the " + s[toks[i].start:toks[i].wend] + " " + title + s[toks[i].wend:]
		}
	}
	return s
}

// "Create a task to call Jane tomorrow", "New to-do: …", "Add Buy milk
// to my tasks".
func fitTaskCreate(s string, _ []span, cal calendar) (frameFit, bool) {
	prio, rest := leadPriority(s)
	if prio == "" {
		return fitTaskCreateBody(s, cal)
	}
	fit, ok := fitTaskCreateBody(rest, cal)
	if !ok || fit.err != nil {
		return fit, ok
	}
	t, isTask := fit.it.(taskCreate)
	if !isTask {
		return fit, ok
	}
	if t.priority != "" && t.priority != prio {
		return frameFit{score: fit.score, err: refuse("the task has two priorities (%s and %s)", prio, t.priority)}, true
	}
	t.priority = prio
	fit.it = t
	return fit, true
}

// fitTaskCreateBody is fitTaskCreate once a priority said before the
// task noun is taken out.
func fitTaskCreateBody(s string, cal calendar) (frameFit, bool) {
	if after, ok := opens(s, cueTaskNew); ok {
		body := trimSep(after)
		if b, ok := opens(body, cueTaskTitled); ok {
			body = strings.TrimSpace(b)
		}
		t, err := parseTaskBody(body, cal)
		return frameFit{score: scoreNamed, it: t, err: err}, true
	}
	if after, ok := opens(s, cueTaskLabel); ok && strings.HasPrefix(strings.TrimSpace(after), ":") {
		t, err := parseTaskBody(trimSep(after), cal)
		return frameFit{score: scoreNamed, it: t, err: err}, true
	}
	if after, ok := opens(s, lexCue("add")); ok {
		toks := tokens(after)
		for i := 1; i < len(toks); i++ {
			j, ok := cueToMyList.match(toks, i)
			if !ok || j != len(toks) {
				continue
			}
			t, err := parseTaskBody(strings.TrimSpace(after[:toks[i].start]), cal)
			if toks[i+1].norm == "my" && t.assignee == "" {
				t.assignee = me
			}
			return frameFit{score: scoreCue, it: t, err: err}, true
		}
	}
	return frameFit{}, false
}

// "Remind me to call Priya", "Remind me tomorrow to call Priya",
// "Remind Tom to send the contract".
func fitTaskRemind(s string, _ []span, cal calendar) (frameFit, bool) {
	if after, ok := opens(s, cueRemindMe); ok {
		after = strings.TrimSpace(after)
		if body, ok := opens(after, cueTo); ok {
			t, err := parseTaskBody(strings.TrimSpace(body), cal)
			if t.assignee == "" {
				t.assignee = me // "remind me": the task is the caller's
			}
			return frameFit{score: scoreNamed, it: t, err: err}, true
		}
		// "Remind me tomorrow to call Priya": a date, then "to".
		toks := tokens(after)
		for i := 1; i < len(toks); i++ {
			if toks[i].norm != "to" {
				continue
			}
			when := strings.TrimSpace(after[:toks[i].start])
			if _, err := parseDate(when, cal); err != nil {
				continue
			}
			t, err := parseTaskBody(strings.TrimSpace(after[toks[i].wend:]), cal)
			if err != nil {
				return frameFit{score: scoreNamed, err: err}, true
			}
			if t.due != "" {
				return frameFit{score: scoreNamed, err: refuse("the task has two due dates (%q and %q)", when, t.due)}, true
			}
			t.due, _ = parseDate(when, cal)
			if t.assignee == "" {
				t.assignee = me
			}
			return frameFit{score: scoreNamed, it: t}, true
		}
		return frameFit{}, false
	}
	after, ok := opens(s, cueRemind)
	if !ok {
		return frameFit{}, false
	}
	who, body, ok := findCue(after, cueTo, 1)
	if !ok || !validName(who) {
		return frameFit{}, false
	}
	t, err := parseTaskBody(strings.TrimSpace(body), cal)
	if err == nil && t.assignee != "" {
		return frameFit{score: scoreNamed, err: refuse("the task is assigned twice (%q and %q)", who, t.assignee)}, true
	}
	t.assignee = who
	return frameFit{score: scoreNamed, it: t, err: err}, true
}

// "Assign the task X to Tom", "Reassign X to Maria".
func fitTaskAssign(s string, _ []span, _ calendar) (frameFit, bool) {
	for _, v := range []struct {
		c     cue
		score int
	}{{cueAssignNamed, scoreNamed}, {cueAssignBare, scoreBare}} {
		after, ok := opens(s, v.c)
		if !ok {
			continue
		}
		task, who, ok := findCue(after, cueTo, 1)
		if !ok {
			continue
		}
		who = unquote(strings.TrimSpace(who))
		switch {
		case isMe(who):
			who = me
		case !validName(who) && !reEmail.MatchString(who):
			return frameFit{score: v.score, err: refuse("%q does not look like a member's name", who)}, true
		}
		return frameFit{score: v.score, it: taskChange{task: taskRef(task), op: "assign", value: who}}, true
	}
	return frameFit{}, false
}

// "Mark the task X as done", "Mark X as in progress", "X is done".
func fitTaskStatus(s string, _ []span, _ calendar) (frameFit, bool) {
	status := func(rest string, tail cue, score int) (frameFit, bool) {
		toks := tokens(rest)
		for i := 1; i < len(toks); i++ {
			if j, ok := tail.match(toks, i); ok && j == len(toks) {
				word := rest[toks[i].start:]
				if toks[i].norm == "as" || toks[i].norm == "to" {
					word = rest[toks[i+1].start:]
				}
				return frameFit{score: score, it: statusChange(taskRef(rest[:toks[i].start]), word)}, true
			}
		}
		return frameFit{}, false
	}
	if after, ok := opens(s, cueStatusNamed); ok {
		return status(strings.TrimSpace(after), cueStatusTail, scoreNamed)
	}
	if after, ok := opens(s, cueMark); ok {
		return status(strings.TrimSpace(after), cueAsStatus, scoreShape)
	}
	// "The Q1 report task is done", "Call Jane is now complete".
	toks := tokens(s)
	for i := 1; i < len(toks); i++ {
		j, ok := cueIsDone.match(toks, i)
		if !ok || j != len(toks) {
			continue
		}
		task := s[:toks[i].start]
		if rest, ok := opens(task, cueTheTaskOpt); ok {
			task = rest
		}
		word := s[toks[j-1].start:]
		if toks[j-1].norm == "progress" {
			word = "in progress"
		}
		if strings.TrimSpace(task) == "" {
			return frameFit{}, false
		}
		return frameFit{score: scoreShape, it: statusChange(taskRef(task), word)}, true
	}
	return frameFit{}, false
}

// "Complete the task X", "Tick off X", "I've finished the Q1 report".
func fitTaskComplete(s string, _ []span, _ calendar) (frameFit, bool) {
	done := func(task string, score int) (frameFit, bool) {
		task = strings.TrimSpace(task)
		if task == "" {
			return frameFit{}, false
		}
		return frameFit{score: score, it: taskChange{task: taskRef(task), op: "complete"}}, true
	}
	if after, ok := opens(s, cueCompleteNmd); ok {
		return done(after, scoreNamed)
	}
	for _, c := range []cue{cueIFinished, cueImDone} {
		if after, ok := opens(s, c); ok {
			return done(after, scoreShape)
		}
	}
	if after, ok := opens(s, cueCompleteBare); ok {
		// "Complete Prepare the Q1 report": only tasks are completed.
		rest := strings.TrimSpace(after)
		if r, ok := opens(rest, lexCue("the")); ok {
			rest = strings.TrimSpace(r)
		}
		if w := tokens(rest); len(w) > 0 && notCompleted[w[0].norm] {
			return frameFit{}, false
		}
		return done(after, scoreBare)
	}
	return frameFit{}, false
}

// notCompleted are the records "complete" never means.
var notCompleted = wordSet(`contact contacts file files folder folders email emails e-mail e-mails all everything`)

// "Start the task X" (in progress), "Reopen X" (open).
func fitTaskStart(s string, _ []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cueTaskStart); ok && strings.TrimSpace(after) != "" {
		return frameFit{score: scoreNamed, it: taskChange{task: taskRef(after), op: "status", value: "in_progress"}}, true
	}
	if after, ok := opens(s, cueTaskReopen); ok && strings.TrimSpace(after) != "" {
		return frameFit{score: scoreNamed, it: taskChange{task: taskRef(after), op: "status", value: "open"}}, true
	}
	return frameFit{}, false
}

// "Delete the task X".
func fitTaskDelete(s string, _ []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cueTaskDelete); ok && strings.TrimSpace(after) != "" {
		return frameFit{score: scoreNamed, it: taskChange{task: taskRef(after), op: "delete"}}, true
	}
	return frameFit{}, false
}

// "Move the task X to Friday", "Set the due date of X to Friday",
// "Postpone X until Monday", "Move X to next week".
func fitTaskDue(s string, _ []span, cal calendar) (frameFit, bool) {
	due := func(task, when string, score int) (frameFit, bool) {
		d, err := parseDate(strings.TrimSpace(when), cal)
		if err != nil {
			return frameFit{score: score, err: err}, true
		}
		return frameFit{score: score, it: taskChange{task: taskRef(task), op: "due", value: d}}, true
	}
	if after, ok := opens(s, cueDueNamed); ok {
		if task, when, ok := findCue(after, cueUntil, 1); ok {
			return due(task, when, scoreNamed)
		}
	}
	if after, ok := opens(s, cueDueOf); ok {
		if task, when, ok := findCue(after, cueToUntil, 1); ok {
			return due(task, when, scoreNamed)
		}
	}
	if after, ok := opens(s, cueDueBare); ok {
		if task, when, ok := findCue(after, cueUntil, 1); ok {
			return due(task, when, scoreShape)
		}
	}
	if after, ok := opens(s, cueMoveBare); ok {
		// "Move X to <date>": only a date makes it a task ("Move
		// notes.txt to Archive" is a file).
		toks := tokens(after)
		for i := 1; i < len(toks); i++ {
			if toks[i].norm != "to" {
				continue
			}
			task := strings.TrimSpace(after[:toks[i].start])
			if d, err := parseDate(strings.TrimSpace(after[toks[i].wend:]), cal); err == nil && !reFileExt.MatchString(task) {
				// The destination fills a typed slot (a date).
				return frameFit{score: scoreShape, it: taskChange{task: taskRef(task), op: "due", value: d}}, true
			}
		}
	}
	return frameFit{}, false
}

// "Push the renewal offer task back a week", "Delay Call Jane by 3
// days": the due date moves by a span.
func fitTaskShift(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueShiftVerb)
	if !ok {
		return frameFit{}, false
	}
	toks := tokens(after)
	k := len(toks) - 1
	if k >= 0 && toks[k].norm == "later" {
		k--
	}
	if k < 2 {
		return frameFit{}, false
	}
	unit := toks[k].norm
	if unit != "day" && unit != "days" && unit != "week" && unit != "weeks" {
		return frameFit{}, false
	}
	num := toks[k-1].norm
	if !numberWord(num) {
		return frameFit{}, false
	}
	k -= 2
	if k >= 0 && toks[k].norm == "by" {
		k--
	}
	if k >= 0 && (toks[k].norm == "back" || toks[k].norm == "out") {
		k--
	}
	if k < 0 {
		return frameFit{}, false
	}
	n := wordNumber(num)
	if strings.HasPrefix(unit, "week") {
		n *= 7
	}
	task := after[:toks[k].end]
	return frameFit{score: scoreNamed, it: taskChange{task: taskRef(task), op: "shift", value: strconv.Itoa(n)}}, true
}

// numberWord reports whether w is a count: digits or one to ten.
func numberWord(w string) bool {
	if _, err := strconv.Atoi(w); err == nil {
		return true
	}
	return countWords[w]
}

var countWords = wordSet(`a an one two three four five six seven eight nine ten`)

// "Rename the task X to Y".
func fitTaskRename(s string, _ []span, _ calendar) (frameFit, bool) {
	after, ok := opens(s, cueRename)
	if !ok {
		return frameFit{}, false
	}
	task, title, ok := findCue(after, cueToAsInto, 1)
	if !ok {
		return frameFit{}, false
	}
	t := capFirst(unquote(strings.TrimSpace(title)))
	if t == "" {
		return frameFit{score: scoreNamed, err: refuse("the new task title is empty")}, true
	}
	return frameFit{score: scoreNamed, it: taskChange{task: taskRef(task), op: "title", value: t}}, true
}

// The task search frame: "What tasks are open?", "Show overdue tasks",
// "List Tom's tasks due this week", "What's on Maria's plate?", "What
// does Sam need to do?", "What's due tomorrow?". The filter after the
// cue is read by parseTaskFilter (parse_task_query.go).
var (
	cueTasksNoun   = lexCue("tasks|todos|to-dos")
	cueTasksOfVerb = lexCue("show|list|get|display|give_me|what_are [me] [all_of|all]")
	cueTaskAdj     = lexCue("open|done|completed|finished|closed|in_progress|in-progress|overdue|pending")
	cueListTasks   = lexCue("show|list|find|get|display|give [me] [all_of|all|every] [the|our|my]")
	cueWhichTasks  = lexCue("what|which tasks|todos|to-dos")
	cueAnyTasks    = lexCue("[are_there] any tasks|todos|to-dos")
	cueHowManyTask = lexCue("how many tasks|todos|to-dos")
	cuePlate       = lexCue("what's|what_is on")
	cuePlateTail   = lexCue("plate")
	cueWorkingOn   = lexCue("what is|are|am")
	cueWorkingTail = lexCue("working on")
	cueNeedToDo    = lexCue("what do|does")
	cueNeedTail    = lexCue("have|need to do")
	cueWhatDue     = lexCue("what's|what_is|is_there_anything|is_anything|anything")
	cueDueWord     = lexCue("overdue|due")
)

// taskFindFrames are tried after the task change frames.
var taskFindFrames = []frameDef{{"task-find", fitTaskFind}}

func init() { frameWords["task-find"] = "a task search" }

func fitTaskFind(s string, _ []span, cal calendar) (frameFit, bool) {
	filter := func(rest string) (frameFit, bool) {
		it, ok, err := parseTaskFilter(rest, s, cal)
		return fromParser(it, ok, err, scoreNamed)
	}
	// "List Tom's open tasks due this week".
	if rest, ok := opens(s, cueTasksOfVerb); ok && !reMyTasks.MatchString(s) {
		if who, after, ok := possessive(rest); ok {
			after = strings.TrimSpace(after)
			adj := ""
			if r, ok := opens(after, cueTaskAdj); ok {
				adj, after = after[:len(after)-len(r)], strings.TrimSpace(r)
			}
			if r, ok := opens(after, cueTasksNoun); ok {
				who = unquote(strings.TrimSpace(who))
				if !validName(who) {
					return frameFit{}, false
				}
				return filter(adj + " " + r + " assigned to " + who)
			}
		}
	}
	// "What's on Maria's plate?", "What is Sam working on?", "What does
	// Tom need to do?".
	workload := func(who string) (frameFit, bool) {
		who = strings.TrimSpace(who)
		if owner, tail, ok := possessive(who); ok && strings.TrimSpace(tail) == "" {
			who = owner
		}
		switch {
		case strings.EqualFold(who, "my") || isMe(who):
			who = me
		case !validName(who):
			return frameFit{}, false
		}
		return frameFit{score: scoreNamed, it: taskFind{assignee: who}}, true
	}
	for _, v := range []struct{ open, tail cue }{{cuePlate, cuePlateTail}, {cueWorkingOn, cueWorkingTail}, {cueNeedToDo, cueNeedTail}} {
		if rest, ok := opens(s, v.open); ok {
			if who, ok := endsWithCue(rest, v.tail, 1); ok {
				return workload(who)
			}
		}
	}
	// "What's due tomorrow?", "Is anything overdue?".
	if rest, ok := opens(s, cueWhatDue); ok {
		rest = strings.TrimSpace(rest)
		if toks := tokens(rest); len(toks) > 0 && cueDueWord.matches(toks[0]) && (toks[0].norm == "overdue") == (len(toks) == 1) {
			return filter(rest)
		}
	}
	// "Show open tasks assigned to Maria", "What tasks are open?".
	if rest, ok := opens(s, cueListTasks); ok {
		rest = strings.TrimSpace(rest)
		if r, ok := opens(rest, cueTaskAdj); ok {
			if r2, ok := opens(strings.TrimSpace(r), cueTasksNoun); ok {
				return filter(rest[:len(rest)-len(r)] + " " + r2)
			}
		}
		if r, ok := opens(rest, cueTasksNoun); ok {
			return filter(r)
		}
	}
	for _, c := range []cue{cueWhichTasks, cueAnyTasks, cueHowManyTask} {
		if rest, ok := opens(s, c); ok {
			return filter(rest)
		}
	}
	return frameFit{}, false
}
