package local

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// cf builds contactFields as the parser would, from key/value pairs.
func cf(kv ...string) contactFields {
	var f contactFields
	for i := 0; i+1 < len(kv); i += 2 {
		if err := f.set(kv[i], kv[i+1]); err != nil {
			panic(err.reason)
		}
	}
	return f
}

// normal drops the order in which fields were named, which the tests
// do not pin down.
func normal(its []intent) []intent {
	out := make([]intent, len(its))
	for i, it := range its {
		switch v := it.(type) {
		case contactCreate:
			v.fields.order = nil
			it = v
		case contactUpdate:
			v.set.order = nil
			it = v
		}
		out[i] = it
	}
	return out
}

var testCal = calendar{today: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), known: true}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []intent
	}{
		// Contacts: create.
		{"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com",
			[]intent{contactCreate{cf("name", "Jane Doe", "title", "CEO", "company", "Acme Corp", "email", "jane@acme.com")}}},
		{"Add Bob Smith from Initech in Berlin, phone +49 30 1234",
			[]intent{contactCreate{cf("name", "Bob Smith", "company", "Initech", "city", "Berlin", "phone", "+49 30 1234")}}},
		{"Create a contact for Bob from Bank of America in New York",
			[]intent{contactCreate{cf("name", "Bob", "company", "Bank of America", "city", "New York")}}},
		{"Create a contact for Ana Lima, Head of Sales at Umbrella, based in Lisbon",
			[]intent{contactCreate{cf("name", "Ana Lima", "title", "Head of Sales", "company", "Umbrella", "city", "Lisbon")}}},
		{"Create a contact for Ana Lima at Johnson and Johnson",
			[]intent{contactCreate{cf("name", "Ana Lima", "company", "Johnson and Johnson")}}},
		{"Add Jane Dow to my contacts", []intent{contactCreate{cf("name", "Jane Dow")}}},
		{"Create a new contact named Ana Lima, ana@umbrella.com, +1 555 0100, tagged vip, partner",
			[]intent{contactCreate{cf("name", "Ana Lima", "email", "ana@umbrella.com", "phone", "+1 555 0100", "tags", "vip, partner")}}},
		{"Create a contact for Jane Doe jane@acme.com", []intent{contactCreate{cf("name", "Jane Doe", "email", "jane@acme.com")}}},
		{"Create a contact for Jane Doe, notes: met at the fair, wants a demo",
			[]intent{contactCreate{cf("name", "Jane Doe", "notes", "met at the fair, wants a demo")}}},
		{"Create a contact for Dr. Jane Smith, title CTO", []intent{contactCreate{cf("name", "Dr. Jane Smith", "title", "CTO")}}},
		{"please add a contact for Jane Doe, email: jane@acme.com, thanks", []intent{contactCreate{cf("name", "Jane Doe", "email", "jane@acme.com")}}},
		// Contacts: search.
		{"Find all contacts from London", []intent{contactFind{contactFilter{from: "London"}}}},
		{"contacts at Acme", nil}, // no verb: not understood
		{"Show me the contacts at Acme", []intent{contactFind{contactFilter{company: "Acme"}}}},
		{"List contacts at Acme in Paris", []intent{contactFind{contactFilter{company: "Acme", city: "Paris"}}}},
		{"Find contacts from Acme in Paris", []intent{contactFind{contactFilter{company: "Acme", city: "Paris"}}}},
		{"find Jane", []intent{contactFind{contactFilter{query: "Jane"}}}},
		{"Look up jane@acme.com", []intent{contactFind{contactFilter{email: "jane@acme.com"}}}},
		{"list contacts tagged vip", []intent{contactFind{contactFilter{tag: "vip"}}}},
		{"Find contacts named Jane", []intent{contactFind{contactFilter{name: "Jane"}}}},
		{"List all contacts", []intent{contactFind{}}},
		{"Who works at Initech?", []intent{contactFind{contactFilter{company: "Initech"}}}},
		// Contacts: update and delete.
		{"Update Jane Doe's phone to +44 20 7946 0000", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, set: cf("phone", "+44 20 7946 0000")}}},
		{"Change Jane's email to x@y.com", []intent{contactUpdate{who: contactRef{name: "Jane"}, set: cf("email", "x@y.com")}}},
		{"Set the city of Jane Doe to Paris", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, set: cf("city", "Paris")}}},
		{"Jane Doe moved to Paris", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, set: cf("city", "Paris")}}},
		{"Jane Doe now works at Initech", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, set: cf("company", "Initech")}}},
		{"Jane Doe is now CTO at Initech", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, set: cf("title", "CTO", "company", "Initech")}}},
		{"Jane's new email is jane@new.com", []intent{contactUpdate{who: contactRef{name: "Jane"}, set: cf("email", "jane@new.com")}}},
		{"Update the contact Jane Doe: phone +1 555 0100, city Paris", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, set: cf("phone", "+1 555 0100", "city", "Paris")}}},
		{"Tag Jane Doe as partner", []intent{contactUpdate{who: contactRef{name: "Jane Doe"}, addTags: []string{"partner"}}}},
		{"Delete the contact Jane Doe", []intent{contactDelete{who: contactRef{name: "Jane Doe"}}}},
		{"Remove jane@acme.com from contacts", []intent{contactDelete{who: contactRef{email: "jane@acme.com"}}}},
		{"Delete all contacts from Acme", []intent{contactDeleteAll{contactFilter{from: "Acme"}}}},
		{"Delete contacts tagged old", []intent{contactDeleteAll{contactFilter{tag: "old"}}}},
		// Tasks.
		{"Create a task to call Jane tomorrow", []intent{taskCreate{title: "Call Jane", due: "2026-03-05"}}},
		{"Add a task 'Send Q1 report' due 2026-12-05 assigned to Maria", []intent{taskCreate{title: "Send Q1 report", due: "2026-12-05", assignee: "Maria"}}},
		{"Add a task 'Send Q1 report' assigned to Maria Garcia due Friday", []intent{taskCreate{title: "Send Q1 report", due: "2026-03-06", assignee: "Maria Garcia"}}},
		{"Create a task called Review Jane's contract by next Monday", []intent{taskCreate{title: "Review Jane's contract", due: "2026-03-09"}}},
		{"Remind me to renew the lease in 2 weeks", []intent{taskCreate{title: "Renew the lease", due: "2026-03-18", assignee: me}}},
		{"Add a task to file taxes assigned to me", []intent{taskCreate{title: "File taxes", assignee: me}}},
		{"Show my tasks", []intent{taskFind{assignee: me}}},
		{"What tasks do I have?", []intent{taskFind{assignee: me}}},
		{"Show open tasks assigned to me", []intent{taskFind{status: "open", assignee: me}}},
		{"Assign the task Call Jane to me", []intent{taskChange{task: "Call Jane", op: "assign", value: me}}},
		{"Which teams am I in?", []intent{orgMemberTeams{member: me}}},
		{"Create a task to work on site visit", []intent{taskCreate{title: "Work on site visit"}}},
		{"Create a task to call Jane and send her the contract", []intent{taskCreate{title: "Call Jane and send her the contract"}}},
		{"Assign the task Send Q1 report to Tom", []intent{taskChange{task: "Send Q1 report", op: "assign", value: "Tom"}}},
		{"Mark the task Send Q1 report as done", []intent{taskChange{task: "Send Q1 report", op: "complete"}}},
		{"Mark the task 'Call Jane' as in progress", []intent{taskChange{task: "Call Jane", op: "status", value: "in_progress"}}},
		{"Complete the task Call Jane", []intent{taskChange{task: "Call Jane", op: "complete"}}},
		{"Delete the task Send Q1 report", []intent{taskChange{task: "Send Q1 report", op: "delete"}}},
		{"Move the task Call Jane to Friday", []intent{taskChange{task: "Call Jane", op: "due", value: "2026-03-06"}}},
		{"Rename the task Call Jane to Call Jane Doe", []intent{taskChange{task: "Call Jane", op: "title", value: "Call Jane Doe"}}},
		{"What tasks are open?", []intent{taskFind{status: "open"}}},
		{"Show tasks assigned to Maria", []intent{taskFind{assignee: "Maria"}}},
		{"Show me open tasks assigned to Maria", []intent{taskFind{status: "open", assignee: "Maria"}}},
		{"List tasks due today", []intent{taskFind{dueFrom: "2026-03-04", dueTo: "2026-03-04"}}},
		{"List tasks due this week", []intent{taskFind{dueFrom: "2026-03-04", dueTo: "2026-03-08"}}},
		{"Show overdue tasks", []intent{taskFind{overdue: true, dueTo: "2026-03-03"}}},
		{"List tasks due before 2026-04-01", []intent{taskFind{dueTo: "2026-03-31"}}},
		{"List open tasks due by Friday", []intent{taskFind{status: "open", dueTo: "2026-03-06"}}},
		{"List tasks due next week", []intent{taskFind{dueFrom: "2026-03-09", dueTo: "2026-03-15"}}},
		{"Create a task to call her", []intent{taskCreate{title: "Call her"}}},
		{"Find tasks about the report", []intent{taskFind{query: "the report"}}},
		// Email.
		{"Email John the Q1 report", []intent{emailSend{to: []recipient{{name: "John"}}, subject: "Q1 report", attach: "Q1 report"}}},
		{"Send the Q1 report to jane@acme.com", []intent{emailSend{to: []recipient{{addr: "jane@acme.com"}}, subject: "Q1 report", attach: "Q1 report"}}},
		{"Send an email to jane@acme.com saying the meeting moved to 3pm",
			[]intent{emailSend{to: []recipient{{addr: "jane@acme.com"}}, subject: "The meeting moved to 3pm", body: "The meeting moved to 3pm."}}},
		{"Send an email to Jane and bob@x.com with subject Offsite saying see you there!",
			[]intent{emailSend{to: []recipient{{name: "Jane"}, {addr: "bob@x.com"}}, subject: "Offsite", body: "See you there!"}}},
		{"Email Jane about the offsite", []intent{emailSend{to: []recipient{{name: "Jane"}}, subject: "The offsite"}}},
		{"Show emails I sent to Jane", []intent{emailFind{to: recipient{name: "Jane"}}}},
		{"What emails did I send to jane@acme.com?", []intent{emailFind{to: recipient{addr: "jane@acme.com"}}}},
		{"Show emails that were not sent", []intent{emailFind{status: "not_sent"}}},
		{"Show the outbox", []intent{emailFind{status: "not_sent"}}},
		// Files.
		{"List files in Reports", []intent{filesList{folder: "Reports"}}},
		{"Show the files in the Reports folder", []intent{filesList{folder: "Reports"}}},
		{"What's in Reports?", []intent{filesList{folder: "Reports"}}},
		{"List files", []intent{filesList{}}},
		{"Find files named budget", []intent{filesFind{query: "budget"}}},
		{"Create a folder Contracts", []intent{folderCreate{name: "Contracts"}}},
		{"Create a folder called Contracts in Legal", []intent{folderCreate{name: "Contracts", parent: "Legal"}}},
		{`Create a folder "Made in Berlin"`, []intent{folderCreate{name: "Made in Berlin"}}},
		{"Rename file old.txt to new.txt", []intent{fileChange{name: "old.txt", kind: "file", op: "rename", value: "new.txt"}}},
		{"Move Q1 report.pdf to folder Archive", []intent{fileChange{name: "Q1 report.pdf", op: "move", value: "Archive"}}},
		{"Move the folder Archive to the root", []intent{fileChange{name: "Archive", kind: "folder", op: "move", toRoot: true}}},
		{"Delete file budget.xlsx", []intent{fileChange{name: "budget.xlsx", kind: "file", op: "delete"}}},
		// Org and extensions.
		{"List departments", []intent{orgDepartments{}}},
		{"List teams", []intent{orgTeams{}}},
		{"List the teams in Engineering", []intent{orgTeams{department: "Engineering"}}},
		{"List members", []intent{orgMembers{}}},
		{"Who is in the Sales team?", []intent{orgUnitMembers{unit: "Sales", kind: "team"}}},
		{"Who's in Engineering?", []intent{orgUnitMembers{unit: "Engineering"}}},
		{"Which team is Maria in?", []intent{orgMemberTeams{member: "Maria"}}},
		{"Who leads Engineering?", []intent{orgLead{unit: "Engineering"}}},
		{"Who is the head of the Sales department?", []intent{orgLead{unit: "Sales", kind: "department"}}},
		{"What extensions are installed?", []intent{extensionsList{}}},
		{"What can you do?", []intent{help{}}},
		// Several actions.
		{"Create a contact for Ana Lima at Umbrella and a task to send her the onboarding pack",
			[]intent{contactCreate{cf("name", "Ana Lima", "company", "Umbrella")}, taskCreate{title: "Send her the onboarding pack", about: true}}},
		{"Add a task to review the contract and create a contact for Bob Smith",
			[]intent{taskCreate{title: "Review the contract"}, contactCreate{cf("name", "Bob Smith")}}},
		{"Find Jane. Then delete the task Call Jane.",
			[]intent{contactFind{contactFilter{query: "Jane"}}, taskChange{task: "Call Jane", op: "delete"}}},
		{"Delete the contact Jane Doe and list departments",
			[]intent{contactDelete{who: contactRef{name: "Jane Doe"}}, orgDepartments{}}},
		{"Create a contact for Ana Lima and set her phone to +1 555 0100",
			[]intent{contactCreate{cf("name", "Ana Lima")}, contactUpdate{who: contactRef{pron: "her"}, set: cf("phone", "+1 555 0100")}}},
		// Phones with a bracketed area code stay whole; other brackets
		// hold details.
		{"add contact Ben Frost, phone (646) 555-0123, works at Hooli",
			[]intent{contactCreate{cf("name", "Ben Frost", "phone", "(646) 555-0123", "company", "Hooli")}}},
		{"Add Ana Lima, +1 (415) 555-0134 (ana@lima.example)",
			[]intent{contactCreate{cf("name", "Ana Lima", "phone", "+1 (415) 555-0134", "email", "ana@lima.example")}}},
		// A name in a first sentence, details in the second.
		{"Look at Emma Schultz. Her phone is +49 30 901820 now.",
			[]intent{contactUpdate{who: contactRef{name: "Emma Schultz"}, set: cf("phone", "+49 30 901820")}}},
		{"Dan Reyes rang. He has moved to Houston.",
			[]intent{contactUpdate{who: contactRef{name: "Dan Reyes"}, set: cf("city", "Houston")}}},
		{"I spoke to Lena Berg today, she's CFO at Globex. Please add her.",
			[]intent{contactCreate{cf("name", "Lena Berg", "title", "CFO", "company", "Globex")}}},
		// The broad "she's …" detail rules leave a task's title alone;
		// "'s joined" takes a capitalised company only.
		{"Create a task to call Jane Doe, she's expecting it", []intent{taskCreate{title: "Call Jane Doe, she's expecting it"}}},
		{"Emma's joined Globex", []intent{contactUpdate{who: contactRef{name: "Emma"}, set: cf("company", "Globex")}}},
		{"Emma's joined the Platform team", nil},
		// Dates before the title, periods of a member's tasks.
		{"Remind me by Friday to send the invoices", []intent{taskCreate{title: "Send the invoices", due: "2026-03-06", assignee: "me"}}},
		{"what does Sam need to do this week", []intent{taskFind{status: "open", assignee: "Sam", dueTo: "2026-03-08"}}},
		{"what's on Maria's plate this month", []intent{taskFind{status: "open", assignee: "Maria", dueTo: "2026-03-31"}}},
	}
	for _, tc := range tests {
		got, err := parse(tc.in, testCal)
		if tc.want == nil {
			if err == nil {
				t.Errorf("parse(%q) = %#v, want it not understood", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse(%q): %s", tc.in, err.reason)
			continue
		}
		if !reflect.DeepEqual(normal(got), normal(tc.want)) {
			t.Errorf("parse(%q)\n got %#v\nwant %#v", tc.in, normal(got), normal(tc.want))
		}
	}
}

func TestParseRefusals(t *testing.T) {
	tests := []struct {
		in     string
		cal    calendar
		reason string
	}{
		{"Make me a sandwich", testCal, `I don't understand "Make me a sandwich"`},
		{"", testCal, "empty"},
		{"Create a contact for the CEO of Acme", testCal, "could not find the contact's name"},
		{"Create a contact for Jane Doe, email jane-at-acme", testCal, "does not look like an email address"},
		{"Update Jane Doe's phone to soon", testCal, "does not look like a phone number"},
		{"Create a task to call Jane tomorrow", calendar{}, `I don't know today's date, so I can't work out "tomorrow"`},
		{"Add a task 'Pay rent' due December 5", calendar{}, "can't tell the year"},
		{"Add a task 'Pay rent' due 2026-02-30", testCal, "not a valid date"},
		{"Add a task 'Pay rent' soonish", testCal, `could not read "soonish" after the task title`},
		{"Show overdue tasks", calendar{}, "today's date"},
		{"Email her the report", testCal, `can't tell who "her" is`},
		{"Find Jane. Then bake a cake", testCal, `I don't understand "bake a cake"`},
		{"Email the team that we won", testCal, "could not tell who"},
	}
	for _, tc := range tests {
		_, err := parse(tc.in, tc.cal)
		if err == nil {
			t.Errorf("parse(%q) succeeded, want a refusal containing %q", tc.in, tc.reason)
			continue
		}
		if !strings.Contains(err.reason, tc.reason) {
			t.Errorf("parse(%q) refused with %q, want it to contain %q", tc.in, err.reason, tc.reason)
		}
		if r := err.reply(); !strings.HasPrefix(r, "I can't do that yet: ") || !strings.Contains(r, "docs/local-agent.md") {
			t.Errorf("reply %q must start with \"I can't do that yet: \" and point to the docs", r)
		}
	}
}

func TestSplitClauses(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Create a contact for Ana at Johnson and Johnson", []string{"Create a contact for Ana at Johnson and Johnson"}},
		{"Create a contact for Ana Lima and a task to call her", []string{"Create a contact for Ana Lima", "create a task to call her"}},
		{"Add a contact for Ana and another contact for Bob", []string{"Add a contact for Ana", "add another contact for Bob"}},
		{"Create a task to call Jane and email her the report", []string{"Create a task to call Jane and email her the report"}},
		{"Create a contact for Dr. Jane Smith", []string{"Create a contact for Dr. Jane Smith"}},
		{"Find Jane, then list departments", []string{"Find Jane", "list departments"}},
		{"List departments; list teams", []string{"List departments", "list teams"}},
		{"Send an email to jane@acme.com saying hi and thanks", []string{"Send an email to jane@acme.com saying hi and thanks"}},
		// A question after a request is its own clause, never part of a
		// title, and reads his/her as the last person the request names.
		{"remind me to call Luis Fernández tomorrow and what's his email", []string{"remind me to call Luis Fernández tomorrow", "what's Luis Fernández's email"}},
		{"create a task to email Chris Martin on Friday and what's his email", []string{"create a task to email Chris Martin on Friday", "what's Chris Martin's email"}},
		{"Assign the renewal offer to Sam and list his tasks", []string{"Assign the renewal offer to Sam", "list Sam's tasks"}},
		{"create a task to call Jane and what's next", []string{"create a task to call Jane", "what's next"}},
		{"Email Jane saying the plan and what's next", []string{"Email Jane saying the plan and what's next"}},
	}
	for _, tc := range tests {
		if got := splitClauses(tidy(tc.in), testCal); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitClauses(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
