package recognise

import (
	"strings"
)

// Filter is what a sentence asks records to match: the records-by-filter
// frame's slots.
type Filter struct {
	// Kind is "contacts", "tasks" or "members".
	Kind string
	// Contacts: City ("in X"), Company ("at X", "working for X"), Tag
	// ("tagged X"), From ("from X": a city or a company the sentence does
	// not tell apart), Name ("named X").
	City, Company, Tag, From, Name string
	// Tasks: Status ("open", "done", "in_progress", "overdue") and
	// Assignee ("assigned to X", "X's tasks"; "me" for the sender).
	Status, Assignee string
	// Members: Team, a team or department ("" for everyone).
	Team string
}

// String phrases the filter: "contacts at Acme in Berlin".
func (f Filter) String() string {
	p := []string{f.Kind}
	for _, kv := range [][2]string{{"named", f.Name}, {"at", f.Company}, {"from", f.From}, {"in", f.City},
		{"tagged", f.Tag}, {"status", f.Status}, {"assigned to", f.Assignee}, {"of", f.Team}} {
		if kv[1] != "" {
			p = append(p, kv[0]+" "+kv[1])
		}
	}
	return strings.Join(p, " ")
}

var (
	// reShare turns a request to a peer into a plain request for records:
	// "can you send me your …", "do you have any …".
	reShare = re(`^(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?(?:(?:send|share|give|forward|pass|provide|show|list)\s+(?:me\s+|us\s+)?(?:with\s+)?(?:a\s+list\s+of\s+)?|(?:do|have)\s+(?:you|we)\s+(?:have|got)\s+(?:any\s+|a\s+|an\s+)?|(?:what|which)\s+)?(?:all\s+(?:of\s+)?|every\s+|each\s+|any\s+)?(?:your\s+|our\s+|the\s+|my\s+)?`)
	// reKeep is the part of a goal that says what to do with the records.
	reKeep = re(`\s+and\s+(?:then\s+)?(?:add|import|save|keep|store|copy|bring)\b.*$`)
	// reWriteVerb opens a request that changes records: not a filter.
	reWriteVerb = re(`^(?:please\s+)?(?:create|add|make|new|save|register|update|change|set|edit|delete|remove|erase|wipe|mark|complete|assign|reassign|rename|move|email|e-?mail|write|tag|untag|remind)\b`)
	// reChange anywhere: a sentence that also asks for a change is not a
	// plain request for records ("… and delete every contact in London").
	reChange    = re(`\b(?:delete|remove|erase|wipe|destroy|purge|update|change|modify|rename|overwrite|ignore)\b`)
	reWho       = re(`^who\s+(?:do\s+(?:you|we)\s+know|have\s+(?:you|we)\s+got|is\s+there|are\s+there)\b`)
	reWhoIn     = re(`^who(?:'s|\s+is|\s+are)\s+(?:in|on)\s+(?:your\s+|our\s+|the\s+)?(.+?)(?:\s+team)?$`)
	reMembersOf = re(`\b(?:members?|staff|employees?|people)\s+(?:of|in|on)\s+(?:your\s+|our\s+|the\s+)?(.+?)(?:\s+team)?$`)
	reTeamOf    = re(`\b(?:of|in|on)\s+(?:your\s+|our\s+|the\s+)?(.+?)\s+team\b`)
	reTeamNamed = re(`\bteam\s+["']?([\p{L}][\w&'-]*)`)
	reTaskState = re(`\b(open|done|completed|finished|closed|in[\s-]progress|overdue|pending|outstanding)\b`)
	reAssigned  = re(`\b(?:assigned\s+to|for)\s+(.+?)$`)
	reTasksOf   = re(`^(.+?)(?:'s|')\s+(?:open\s+)?(?:tasks|to-?dos)`)
	// reCue is a slot's cue word and the value after it, up to the next cue.
	reCue = re(`\b(named|called|working\s+(?:at|for)|works\s+(?:at|for)|based\s+in|located\s+in|tagged(?:\s+as|\s+with)?|with\s+(?:the\s+)?tag|labelled|in|at|from|of)\s+`)
)

// Records reads a request for records by filter. ok is false when the
// sentence is not one (it changes records, or names no kind of record).
func Records(sentence string) (Filter, bool) {
	s := strings.Join(strings.Fields(sentence), " ")
	s = strings.TrimSpace(strings.TrimRight(s, ".!?"))
	s = reKeep.ReplaceAllString(s, "")
	if s == "" || reWriteVerb.MatchString(s) || reChange.MatchString(s) {
		return Filter{}, false
	}
	if m := reWhoIn.FindStringSubmatch(s); m != nil && !reCue.MatchString(m[1]) {
		return Filter{Kind: "members", Team: clean(m[1])}, true
	}
	kind := ""
	if reWho.MatchString(s) {
		kind = "contact"
	}
	spans := Spans(s)
	if kind == "" {
		for _, sp := range spans {
			if sp.Kind == KindNoun {
				kind = sp.Value
				break
			}
		}
	}
	body := reShare.ReplaceAllString(s, "")
	switch kind {
	case "member", "team":
		f := Filter{Kind: "members"}
		if m := reTeamOf.FindStringSubmatch(s); m != nil {
			f.Team = clean(m[1])
		} else if m := reMembersOf.FindStringSubmatch(s); m != nil {
			f.Team = clean(m[1])
		} else if m := reTeamNamed.FindStringSubmatch(s); m != nil {
			f.Team = clean(m[1])
		}
		return f, true
	case "task":
		f := Filter{Kind: "tasks"}
		if m := reTaskState.FindStringSubmatch(s); m != nil {
			f.Status = taskStatus(m[1])
		}
		if m := reAssigned.FindStringSubmatch(s); m != nil {
			f.Assignee = clean(m[1])
		} else if m := reTasksOf.FindStringSubmatch(body); m != nil && !strings.Contains(m[1], " ") {
			f.Assignee = clean(m[1])
		}
		return f, true
	case "contact":
		return contactSlots(s), true
	}
	return Filter{}, false
}

// contactSlots fills a contacts filter from the cue words of s: each
// value runs from its cue to the next cue (or the end).
func contactSlots(s string) Filter {
	f := Filter{Kind: "contacts"}
	var locs [][]int
	for _, l := range reCue.FindAllStringSubmatchIndex(s, -1) {
		// "of X" continues the value before it ("Bank of America").
		if !strings.EqualFold(s[l[2]:l[3]], "of") {
			locs = append(locs, l)
		}
	}
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		v := clean(s[l[1]:end])
		if v == "" {
			continue
		}
		cue := strings.ToLower(strings.Fields(s[l[2]:l[3]])[0])
		switch cue {
		case "named", "called":
			f.Name = v
		case "in", "based", "located":
			if f.City == "" {
				f.City = v
			}
		case "at", "working", "works":
			if f.Company == "" {
				f.Company = v
			}
		case "from":
			f.From = v
		default:
			f.Tag = v
		}
	}
	return f
}

func taskStatus(w string) string {
	switch strings.ToLower(strings.ReplaceAll(w, "-", " ")) {
	case "done", "completed", "finished", "closed":
		return "done"
	case "in progress":
		return "in_progress"
	case "overdue":
		return "overdue"
	}
	return "open"
}

// clean drops the punctuation and the filler a sentence leaves after a
// value ("London, please." → "London").
func clean(s string) string {
	s = strings.TrimSpace(s)
	s = reTrailFiller.ReplaceAllString(s, "")
	return strings.TrimRight(strings.TrimSpace(s), ".,;:!?'\"-")
}

var reTrailFiller = re(`(?:[,;]?\s+(?:please|pls|thanks|thank\s+you|here|now|today))+[.!?]?$`)

// Answer reads a short answer to a clarifying question: "all of them"
// and the like are all ("*"); otherwise the value, without politeness
// ("Acme, please." → "Acme", "the one in Berlin" → "Berlin").
func Answer(text string) string {
	v := clean(strings.Join(strings.Fields(text), " "))
	if reAll.MatchString(v) {
		return "*"
	}
	v = reOneIn.ReplaceAllString(v, "")
	return clean(v)
}

var (
	reAll   = re(`^(?:all|all\s+of\s+them|every(?:one|\s+one)?|any|both|everything|all\s+(?:of\s+)?(?:the\s+)?(?:companies|options|cities|teams|tags))$`)
	reOneIn = re(`^(?:just\s+|only\s+)?(?:the\s+ones?|those|the\s+contacts?)\s+(?:in|at|from|of|tagged|named)\s+`)
)
