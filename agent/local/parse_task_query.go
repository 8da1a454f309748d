package local

import (
	"strings"
	"time"
)

// Task searches: the filter after the task search frame's cue
// (frames_tasks.go): "are open", "assigned to Maria", "due this week".

var (
	reTaskFilterLead = re(`^(?:(?:that|which)\s+)?(?:are\s+there|there\s+are|are|is)\b\s*`)
	reTaskStatusLead = re(`^(?:still\s+)?(open|done|completed|finished|closed|in[\s-]progress|overdue|pending|to\s+do)\b\s*`)
	reTaskStatusTail = re(`\s+(?:that\s+are\s+|which\s+are\s+)?(?:still\s+)?(open|done|completed|finished|closed|in[\s-]progress|overdue|pending)$`)
	reTaskMarker     = re(`(?:^|\s+)(assigned\s+to|for|due(?:\s+(?:on|by|before))?|before|about|matching|named|called|containing|titled)\s+`)
)

// parseTaskFilter reads what follows "tasks": "are open", "assigned to
// Maria", "due this week", "about the report". whole is the clause, for
// spotting "my tasks".
func parseTaskFilter(rest, whole string, cal calendar) (intent, bool, *parseError) {
	var f taskFind
	if reMyTasks.MatchString(whole) {
		f.assignee = me
	}
	if loc := reDoIHave.FindStringIndex(rest); loc != nil {
		f.assignee, rest = me, rest[:loc[0]]+" "+rest[loc[1]:]
	} else if m := reDoesHave.FindStringSubmatch(strings.TrimSpace(rest)); m != nil {
		// "What tasks does Tom have?"
		rest = strings.TrimSpace(rest)[len(m[0]):] + " assigned to " + m[1]
	}
	rest = strings.TrimSpace(reTaskFilterLead.ReplaceAllString(strings.TrimSpace(rest), ""))
	if m := reTaskStatusLead.FindStringSubmatch(rest); m != nil {
		f.status, rest = statusOf(m[1]), rest[len(m[0]):]
	}
	if m := reTaskStatusTail.FindStringSubmatchIndex(" " + rest); m != nil && f.status == "" {
		f.status, rest = statusOf((" " + rest)[m[2]:m[3]]), (" " + rest)[:m[0]]
	}
	if f.status == "overdue" {
		if !cal.known {
			return nil, true, refuse("I don't know today's date, so I can't tell which tasks are overdue")
		}
		f.status, f.overdue, f.dueTo = "", true, day(cal.today, -1)
	}
	lead, pieces := splitMarkers(strings.TrimSpace(rest), reTaskMarker)
	if lead != "" {
		return nil, true, refuse("I could not read %q in the task filter", lead)
	}
	for _, p := range pieces {
		v := unquote(p.value)
		switch {
		case (p.marker == "assigned to" || p.marker == "for") && isMe(v):
			f.assignee = me
		case p.marker == "assigned to" || p.marker == "for":
			if !validName(v) && !reEmail.MatchString(v) {
				return nil, true, refuse("%q does not look like a member's name", v)
			}
			f.assignee = v
		case strings.HasPrefix(p.marker, "due") || p.marker == "before":
			from, to, err := dueRange(p.marker, v, cal)
			if err != nil {
				return nil, true, err
			}
			f.dueFrom, f.dueTo = from, to
		default:
			f.query = v
		}
	}
	return f, true, nil
}

// dueRange turns "due today", "due this week", "due before 2026-12-05"
// into a due_from / due_to range.
func dueRange(marker, v string, cal calendar) (from, to string, err *parseError) {
	lv := strings.ToLower(v)
	if from, to, ok := period(lv, cal); ok {
		if !cal.known {
			return "", "", refuse("I don't know today's date, so I can't work out %q", v)
		}
		if marker == "due by" {
			from = "" // "what does Sam need to do by this week": overdue too
		}
		return from, to, nil
	}
	d, err := parseDate(v, cal)
	if err != nil {
		return "", "", err
	}
	switch marker {
	case "due before", "before":
		t, _ := time.Parse(time.DateOnly, d)
		return "", day(t, -1), nil
	case "due by":
		return "", d, nil
	}
	return d, d, nil
}

// period is the range of "this week", "next week", "this month" or
// "next month" (a week ends on Sunday); ok is false for other text.
func period(lv string, cal calendar) (from, to string, ok bool) {
	t := cal.today
	switch lv {
	case "this week":
		return day(t, 0), day(t, (7-int(t.Weekday()))%7), true
	case "next week":
		toMonday := (8 - int(t.Weekday())) % 7
		if toMonday == 0 {
			toMonday = 7
		}
		return day(t, toMonday), day(t, toMonday+6), true
	case "this month":
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return day(t, 0), first.AddDate(0, 1, -1).Format(time.DateOnly), true
	case "next month":
		first := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		return first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly), true
	}
	return "", "", false
}
