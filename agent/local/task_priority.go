package local

import "strings"

// A task's priority, said before or after its title: "Create a high
// priority task to …", "…, due tomorrow, high priority", "… with
// priority low", "…, urgent". Tasks have no priority field, so the
// priority is kept in the new task's description ("Priority: high") and
// named in the reply.

// priorityWord is the priority a word gives; "" when it gives none.
func priorityWord(w string) string {
	switch strings.ToLower(w) {
	case "high", "top", "urgent":
		return "high"
	case "medium", "normal":
		return "medium"
	case "low":
		return "low"
	}
	return ""
}

const (
	prioLevel = `(high|top|medium|normal|low|urgent)`
	// prioPhrase is "high priority", "priority: low", "priority of high".
	prioPhrase = prioLevel + `[\s-]+priority|priority(?:\s*[:=]\s*|\s+(?:of\s+|is\s+)?)` + prioLevel
	// prioSep comes before a trailing priority: a comma or semicolon, a
	// dash, "and", an opening bracket, maybe "make it" or "it's".
	prioSep = `(?:\s*[,;]\s*(?:and\s+)?|\s+[-–]\s+|\s+and\s+|\s+\(\s*)(?:(?:make|mark)\s+it\s+|it'?s\s+|it\s+is\s+)?(?:a\s+|at\s+|as\s+)?`
)

var (
	// rePrioritySuffix is a priority phrase at the end of a task body,
	// after a separator: ", high priority", " and priority low",
	// " with high priority", " (urgent)", ", urgent".
	rePrioritySuffix = re(`(?:` + prioSep + `(?:` + prioPhrase + `|(urgent))|(?:\s*[,;]\s*(?:and\s+)?|\s+and\s+|\s+)with\s+(?:a\s+)?(?:` + prioPhrase + `))\s*\)?$`)
	// rePriorityLead is a priority before the task noun: "a high
	// priority task", "an urgent to-do", "a low-priority reminder".
	rePriorityLead = re(`\b(?:` + prioLevel + `[\s-]+priority|(urgent))\s+((?:new\s+)?(?:task|to-do|todo|reminder)\b)`)
)

// peelPriority takes a trailing priority phrase off a task body.
func peelPriority(work string) (prio, rest string, ok bool) {
	m := rePrioritySuffix.FindStringSubmatchIndex(work)
	if m == nil {
		return "", work, false
	}
	for g := 1; g <= 5; g++ {
		if m[2*g] >= 0 {
			return priorityWord(work[m[2*g]:m[2*g+1]]), work[:m[0]], true
		}
	}
	return "", work, false
}

// leadPriority takes a priority said before the task noun out of a
// request: "Add a high priority task: call Jane" reads as "Add a task:
// call Jane" with priority high.
func leadPriority(s string) (prio, rest string) {
	m := rePriorityLead.FindStringSubmatchIndex(s)
	if m == nil {
		return "", s
	}
	var w string
	if m[2] >= 0 {
		w = s[m[2]:m[3]]
	} else {
		w = s[m[4]:m[5]]
	}
	return priorityWord(w), s[:m[0]] + s[m[6]:]
}
