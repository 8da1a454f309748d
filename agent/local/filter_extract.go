package local

import (
	"strings"
)

// recordFilter is what a sentence asks records to match: the record kind
// and the slots a search narrows on. It is shared with the offline
// negotiation handling, which asks a peer for records by filter and
// answers such requests.
type recordFilter struct {
	// Kind is "contacts", "tasks" or "members".
	Kind string
	// Contacts: City, Company and Tag; From is "from X", a city or a
	// company the sentence does not tell apart (try the city first);
	// Name and Query name or match a contact; Email is an address.
	City, Company, Tag, From, Name, Query, Email string
	// Tasks: Status ("open", "done", "in_progress", "overdue"), Assignee
	// (a member's name, or "me") and Query (words of the title).
	Status, Assignee string
	// Members: Team, a team or department whose members are asked for
	// ("" for every member of the workspace).
	Team string
}

// extractRecordFilter reads the record filter of one sentence, with the
// same lexicon and recognisers as every request: "Can you send me your
// contacts in Berlin?", "Do you have anyone at Acme?", "your open tasks
// assigned to Maria", "who is in your Platform team?". ok is false when
// the sentence is not a request for records by filter; the error, when
// set, says why it was not understood (for a clarifying question).
func extractRecordFilter(sentence string) (recordFilter, bool, *parseError) {
	s := tidy(sentence)
	for _, r := range shareLexicon {
		s = r.rx.ReplaceAllString(s, r.repl)
	}
	intents, err := parse(s, calendar{})
	if err != nil {
		return recordFilter{}, false, err
	}
	if len(intents) != 1 {
		return recordFilter{}, false, refuse("ask for one kind of record at a time")
	}
	switch it := intents[0].(type) {
	case contactFind:
		return contactRecordFilter(it.filter), true, nil
	case whoIs:
		return contactRecordFilter(it.filter), true, nil
	case taskFind:
		f := recordFilter{Kind: "tasks", Status: it.status, Assignee: it.assignee, Query: it.query}
		if it.overdue {
			f.Status = "overdue"
		}
		return f, true, nil
	case orgMembers:
		return recordFilter{Kind: "members"}, true, nil
	case orgUnitMembers:
		return recordFilter{Kind: "members", Team: it.unit}, true, nil
	}
	return recordFilter{}, false, nil
}

func contactRecordFilter(f contactFilter) recordFilter {
	return recordFilter{Kind: "contacts", City: f.city, Company: f.company, Tag: f.tag, From: f.from,
		Name: f.name, Query: f.query, Email: f.email}
}

// shareLexicon turns a request to a peer ("send me your …", "do you
// have any …") into the workspace's own request ("list our …").
var shareLexicon = []rewrite{
	rw(`^(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?(?:send|share|give|forward|pass|provide|show)\s+(?:me|us)\s+(?:with\s+)?(?:a\s+list\s+of\s+)?(?:all\s+(?:of\s+)?)?(?:your|the)\s+`, `list `),
	rw(`^(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?(?:share|send)\s+(?:all\s+(?:of\s+)?)?(?:your|the)\s+`, `list `),
	rw(`^(?:do|have)\s+you\s+(?:have|got)\s+(?:any\s+)?`, `do we have `),
	rw(`\b(in|on|of)\s+your\b`, `$1 the`),
	rw(`\byour\b`, `our`),
	rw(`\byou\b`, `we`),
}

// String phrases the filter for logs and questions: `contacts at Acme in
// Berlin`.
func (f recordFilter) String() string {
	p := []string{f.Kind}
	for _, kv := range [][2]string{{"named", f.Name}, {"matching", f.Query}, {"with email", f.Email}, {"at", f.Company},
		{"from", f.From}, {"in", f.City}, {"tagged", f.Tag}, {"status", f.Status}, {"assigned to", f.Assignee}, {"of", f.Team}} {
		if kv[1] != "" {
			p = append(p, kv[0]+" "+kv[1])
		}
	}
	return strings.Join(p, " ")
}
