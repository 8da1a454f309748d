package local

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
)

// turn is one message of the caller and what must follow.
type turn struct {
	say string
	// calls are the tool calls the turn must make, in order: "tool" checks
	// the name only, `tool {"k":"v"}` also the exact arguments.
	calls []string
	asked bool   // the turn must end with a question
	reply string // the reply (or question) must contain this; "^…" means start with
}

type flowCase struct {
	name  string
	setup func(*toolWS)
	tools []string // nil: every tool
	turns []turn
}

// noContacts deletes the seeded contacts.
func noContacts(w *toolWS) {
	w.t.Helper()
	if _, err := w.db.Exec(context.Background(), `DELETE FROM contacts WHERE workspace_id = ?`, w.caller.WorkspaceID); err != nil {
		w.t.Fatal(err)
	}
}

// acmeSeven puts six more contacts at Acme Corp in the workspace (seven
// with Jane Doe).
func acmeSeven(w *toolWS) {
	var names []string
	for i := 2; i <= 7; i++ {
		names = append(names, fmt.Sprintf("Person %c", 'A'+i))
	}
	w.addContacts("Acme Corp", names...)
}

func without(tools ...string) []string {
	return slices.DeleteFunc(slices.Clone(allTools), func(t string) bool { return slices.Contains(tools, t) })
}

var flowCases = []flowCase{
	// Contacts.
	{name: "create headline", setup: noContacts, turns: []turn{{
		say:   "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com",
		calls: []string{`contacts_create {"name":"Jane Doe","title":"CEO","company":"Acme Corp","email":"jane@acme.com"}`},
		reply: "^Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com).",
	}}},
	{name: "create duplicate reports the tool error", turns: []turn{{
		say:   "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com",
		calls: []string{"contacts_create"},
		reply: "^Could not create the contact: a contact with email jane@acme.com already exists (contact/",
	}}},
	{name: "add with from/in/phone", turns: []turn{{
		say:   "Add Bob Smith from Initech in Berlin, phone +49 30 1234",
		calls: []string{`contacts_create {"name":"Bob Smith","company":"Initech","city":"Berlin","phone":"+49 30 1234"}`},
		reply: "^Contact created: Bob Smith (Initech, +49 30 1234, Berlin).",
	}}},
	{name: "search from city", turns: []turn{{
		say:   "Find all contacts from London",
		calls: []string{`contacts_search {"city":"London"}`},
		reply: "^Found 2 contacts in London: Jane Doe",
	}}},
	{name: "search from company falls back", turns: []turn{{
		say:   "Find contacts from Initech",
		calls: []string{`contacts_search {"city":"Initech"}`, `contacts_search {"company":"Initech"}`},
		reply: "^Found 2 contacts at Initech: Bob Stone (Initech, Berlin); Jane Roe",
	}}},
	{name: "search at company", turns: []turn{{
		say: "Show contacts at Acme", calls: []string{`contacts_search {"company":"Acme"}`}, reply: "Found 1 contact at Acme: Jane Doe",
	}}},
	{name: "search by name", turns: []turn{{
		say: "find Jane", calls: []string{`contacts_search {"query":"Jane"}`}, reply: "Jane Doe", // and Jane Roe
	}}},
	{name: "search by tag", turns: []turn{{
		say: "list contacts tagged vip", calls: []string{`contacts_search {"tag":"vip"}`}, reply: "Found 1 contact tagged vip: Jane Doe",
	}}},
	{name: "search none", turns: []turn{{
		say: "Find all contacts in Tokyo", calls: []string{`contacts_search {"city":"Tokyo"}`}, reply: "^No contacts found in Tokyo.",
	}}},
	{name: "update phone", turns: []turn{{
		say:   "Update Jane Doe's phone to +44 20 7946 0000",
		calls: []string{`contacts_search {"name":"Jane Doe"}`, `contacts_update {"id":"ct1","phone":"+44 20 7946 0000"}`},
		reply: "^Contact updated: Jane Doe (phone +44 20 7946 0000).",
	}}},
	{name: "moved to city", turns: []turn{{
		say:   "Jane Doe moved to Paris",
		calls: []string{`contacts_search {"name":"Jane Doe"}`, `contacts_update {"id":"ct1","city":"Paris"}`},
		reply: "Contact updated: Jane Doe (city Paris).",
	}}},
	{name: "update ambiguous, answered by company", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{`contacts_search {"name":"Jane"}`}, asked: true,
			reply: `^2 contacts match "Jane": 1) Jane Doe (CEO, Acme Corp, jane@acme.com`},
		{say: "the one at Acme", calls: []string{`contacts_update {"id":"ct1","email":"x@y.com"}`}, reply: "^Contact updated: Jane Doe (email x@y.com)."},
	}},
	{name: "update ambiguous, answered by number", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "2", calls: []string{`contacts_update {"id":"ct2","email":"x@y.com"}`}, reply: "Contact updated: Jane Roe"},
	}},
	{name: "update ambiguous, answered by email", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "jane@initech.com", calls: []string{`contacts_update {"id":"ct2","email":"x@y.com"}`}, reply: "Contact updated: Jane Roe"},
	}},
	{name: "update ambiguous, answered by full name", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "Jane Doe", calls: []string{`contacts_update {"id":"ct1","email":"x@y.com"}`}, reply: "Contact updated: Jane Doe"},
	}},
	{name: "update ambiguous, unclear then clear", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "purple", asked: true, reply: `^I could not tell which contact you meant by "purple". 2 contacts match`},
		{say: "the second one", calls: []string{`contacts_update {"id":"ct2","email":"x@y.com"}`}, reply: "Contact updated: Jane Roe"},
	}},
	{name: "update ambiguous, never made clear", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "purple", asked: true},
		{say: "green", asked: true},
		{say: "blue", reply: `^I could not tell which contact you meant by "Jane", so I stopped there.`},
	}},
	{name: "update ambiguous, cancelled", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "cancel", reply: "^OK, nothing was changed."},
	}},
	{name: "update ambiguous, answer is a new request", turns: []turn{
		{say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, asked: true},
		{say: "List departments", calls: []string{"org_departments"}, reply: "^2 departments: Engineering (lead Ada Lovelace), Sales."},
	}},
	{name: "delete one", turns: []turn{{
		say:   "Delete the contact Jane Doe",
		calls: []string{`contacts_search {"name":"Jane Doe"}`, `contacts_delete {"id":"ct1"}`},
		reply: "^Contact deleted: Jane Doe (CEO, Acme Corp, jane@acme.com",
	}}},
	{name: "delete none matched", turns: []turn{{
		say: "Delete the contact Nobody Here", calls: []string{"contacts_search", "org_members"}, reply: `^No contact matched "Nobody Here"; nothing was deleted.`,
	}}},
	{name: "a small bulk delete is confirmed too", turns: []turn{
		{say: "Delete all contacts from Initech", calls: []string{`contacts_search {"city":"Initech","limit":100}`, `contacts_search {"company":"Initech","limit":100}`},
			asked: true, reply: "^This would delete 2 contacts at Initech: Bob Stone, Jane Roe. Reply 'yes' to confirm."},
		{say: "yes", calls: []string{`contacts_delete {"id":"ct4"}`, `contacts_delete {"id":"ct2"}`}, reply: "^Deleted 2 contacts at Initech: Bob Stone, Jane Roe."},
	}},
	{name: "bulk delete above 5 confirmed", setup: acmeSeven, turns: []turn{
		{say: "Delete all contacts from Acme", calls: []string{"contacts_search", "contacts_search"}, asked: true,
			reply: "^This would delete 7 contacts at Acme: Jane Doe, Person C"},
		{say: "yes", calls: []string{"contacts_delete", "contacts_delete", "contacts_delete", "contacts_delete", "contacts_delete", "contacts_delete", "contacts_delete"},
			reply: "^Deleted 7 contacts at Acme: Jane Doe"},
	}},
	{name: "bulk delete above 5 declined", setup: acmeSeven, turns: []turn{
		{say: "Delete all contacts from Acme", calls: []string{"contacts_search", "contacts_search"}, asked: true, reply: "Reply 'yes' to confirm."},
		{say: "no, wait", reply: "^Cancelled: no contacts were deleted."},
	}},
	{name: "deleting every contact is always confirmed", turns: []turn{
		{say: "Delete all contacts", calls: []string{`contacts_search {"limit":100}`}, asked: true, reply: "^This would delete 4 contacts: Bob Stone, Jane Doe, Jane Roe, John Smith. Reply 'yes' to confirm."},
		{say: "yes", calls: slices.Repeat([]string{"contacts_delete"}, 4), reply: "^Deleted 4 contacts: "},
	}},
	{name: "bulk delete reads every page", setup: func(w *toolWS) {
		var names []string
		for i := range 150 {
			names = append(names, fmt.Sprintf("Person %03d", i))
		}
		w.addContacts("Acme Corp", names...)
	}, turns: []turn{
		{say: "Delete contacts at Acme", calls: []string{`contacts_search {"company":"Acme","limit":100}`, `contacts_search`},
			asked: true, reply: "This would delete 151 contacts at Acme"},
		{say: "confirm", calls: slices.Repeat([]string{"contacts_delete"}, 151), reply: "Deleted 151 contacts"},
	}},
	{name: "contact then task about her", setup: noContacts, turns: []turn{{
		say: "Create a contact for Ana Lima at Umbrella and a task to send her the onboarding pack",
		calls: []string{`contacts_create {"name":"Ana Lima","company":"Umbrella"}`,
			`tasks_create {"title":"Send Ana Lima the onboarding pack","contact_id":"ct101"}`},
		reply: `^Contact created: Ana Lima (Umbrella). Task created: "Send Ana Lima the onboarding pack" (contact Ana Lima).`,
	}}},
	{name: "company with and is not split", setup: noContacts, turns: []turn{{
		say:   "Create a contact for Ana Lima at Johnson and Johnson",
		calls: []string{`contacts_create {"name":"Ana Lima","company":"Johnson and Johnson"}`},
	}}},
	{name: "failed contact skips the task about her", turns: []turn{{
		say:   "Create a contact for Jane Doe, jane@acme.com and a task to call her",
		calls: []string{"contacts_create"},
		reply: `already exists (contact/`,
	}}},
	{name: "failed contact skips the task about her (the task part)", turns: []turn{{
		say:   "Create a contact for Jane Doe, jane@acme.com and a task to call her",
		calls: []string{"contacts_create"},
		reply: `The task "Call her" was not created: the contact it is about was not created or changed.`,
	}}},

	{name: "tag keeps the other tags", turns: []turn{{
		say: "Tag Jane Doe as partner", calls: []string{"contacts_search", `contacts_update {"id":"ct1","tags":["vip","partner"]}`},
		reply: "^Contact updated: Jane Doe (tags vip, partner).",
	}}},
	{name: "contact then email her", setup: noContacts, turns: []turn{{
		say: "Create a contact for Ana Lima, ana@umbrella.com and email her the Q1 report",
		calls: []string{"contacts_create", `files_search {"query":"Q1 report"}`,
			`email_send {"to":["ana@umbrella.com"],"subject":"Q1 report","body":"Hi Ana,\n\nPlease find the Q1 report attached.","attachments":["f2"]}`},
		reply: "^Contact created: Ana Lima (ana@umbrella.com). The email was not sent: no SMTP relay configured.",
	}}},
	{name: "contact without email cannot be emailed", setup: noContacts, turns: []turn{{
		say: "Create a contact for Ana Lima and email her saying welcome", calls: []string{"contacts_create"},
		reply: "^Contact created: Ana Lima. The email was not sent: Ana Lima has no email address.",
	}}},

	// Tasks.
	{name: "overdue tasks leave out done ones", setup: func(w *toolWS) {
		w.call("tasks_create", `{"title":"File taxes","due":"2026-03-01"}`)
		old := w.call("tasks_create", `{"title":"Old thing","due":"2026-02-01"}`)
		w.call("tasks_complete", `{"id":"`+old.sub("task").str("id")+`"}`)
	}, turns: []turn{{
		say: "Show overdue tasks", calls: []string{`tasks_search {"due_to":"2026-03-03"}`}, reply: `^Found 1 overdue task: "File taxes" (open, due 2026-03-01).`,
	}}},
	{name: "task tomorrow", turns: []turn{{
		say: "Create a task to call Jane tomorrow", calls: []string{`tasks_create {"title":"Call Jane","due":"2026-03-05"}`},
		reply: `^Task created: "Call Jane" (due 2026-03-05).`,
	}}},
	{name: "task quoted, due, assigned", turns: []turn{{
		say:   "Add a task 'Send Q1 report' due 2026-12-05 assigned to Maria",
		calls: []string{`org_members {"query":"Maria"}`, `tasks_create {"title":"Send Q1 report","due":"2026-12-05","assignee_id":"m1"}`},
		reply: `^Task created: "Send Q1 report" (due 2026-12-05, assigned to Maria Garcia).`,
	}}},
	{name: "task next Monday", turns: []turn{{
		say: "Remind me to call Bob next Monday", calls: []string{`tasks_create {"title":"Call Bob","due":"2026-03-09","assignee_id":"me"}`},
		reply: `^Task created: "Call Bob" (due 2026-03-09, assigned to you).`,
	}}},
	{name: "task in 3 days", turns: []turn{{
		say: "Create a task to renew the lease in 3 days", calls: []string{`tasks_create {"title":"Renew the lease","due":"2026-03-07"}`},
	}}},
	{name: "task assignee unknown", turns: []turn{{
		say: "Add a task 'Plan offsite' assigned to Zed", calls: []string{`org_members {"query":"Zed"}`, "contacts_search"},
		reply: `^No member matched "Zed"; nothing was created.`,
	}}},
	{name: "assign asks which Tom", turns: []turn{
		{say: "Assign the task Send Q1 report to Tom", calls: []string{`tasks_search {"query":"Send Q1 report"}`, `org_members {"query":"Tom"}`},
			asked: true, reply: `^2 members match "Tom": 1) Tom Hardy (hardy@example.com, viewer); 2) Tom Lee (tom@example.com, admin)`},
		{say: "Tom Lee", calls: []string{`tasks_assign {"id":"t1","assignee_id":"m2"}`}, reply: `^Task "Send Q1 report" assigned to Tom Lee.`},
	}},
	{name: "mark done", turns: []turn{{
		say: "Mark the task Send Q1 report as done", calls: []string{`tasks_search {"query":"Send Q1 report"}`, `tasks_complete {"id":"t1"}`},
		reply: `^Task done: "Send Q1 report".`,
	}}},
	{name: "open tasks", turns: []turn{{
		say: "What tasks are open?", calls: []string{`tasks_search {"status":"open"}`}, reply: `^Found 2 open tasks: "Send Q1 report" (open, due 2026-12-05, assigned to Maria Garcia); "Call Jane" (open).`,
	}}},
	{name: "tasks assigned to", turns: []turn{{
		say: "Show tasks assigned to Maria", calls: []string{`org_members {"query":"Maria"}`, `tasks_search {"assignee_id":"m1"}`},
		reply: `^Found 1 task assigned to Maria Garcia: "Send Q1 report"`,
	}}},
	{name: "delete task", turns: []turn{{
		say: "Delete the task Call Jane", calls: []string{`tasks_search {"query":"Call Jane"}`, `tasks_delete {"id":"t2"}`}, reply: `^Task deleted: "Call Jane".`,
	}}},
	{name: "reschedule task", turns: []turn{{
		say: "Reschedule the task Call Jane to 2026-04-01", calls: []string{"tasks_search", `tasks_update {"id":"t2","due":"2026-04-01"}`},
		reply: `^Task "Call Jane" is now due 2026-04-01.`,
	}}},

	// Email.
	{name: "email a file to a contact, not sent", turns: []turn{{
		say: "Email John the Q1 report",
		calls: []string{`contacts_search {"name":"John"}`, `files_search {"query":"Q1 report"}`,
			`email_send {"to":["john@globex.com"],"subject":"Q1 report","body":"Hi John,\n\nPlease find the Q1 report attached.","attachments":["f2"]}`},
		reply: "^The email was not sent: no SMTP relay configured. It is kept in the outbox",
	}}},
	{name: "email a file, sent", setup: func(w *toolWS) { w.smtp = true }, turns: []turn{{
		say: "Email John the Q1 report", calls: []string{"contacts_search", "files_search", "email_send"},
		reply: `^Email sent to John Smith <john@globex.com>: "Q1 report", with Q1 report.pdf attached.`,
	}}},
	{name: "email with ambiguous file", turns: []turn{
		{say: "Email John the budget", calls: []string{"contacts_search", "files_search"}, asked: true, reply: `2 files match "budget"`},
		{say: "the 2025 one", calls: []string{`email_send {"to":["john@globex.com"],"subject":"Budget","body":"Hi John,\n\nPlease find the budget attached.","attachments":["f4"]}`}},
	}},
	{name: "email with no such file", turns: []turn{{
		say: "Email John the contract", calls: []string{"contacts_search", "files_search"}, reply: `^No file matched "contract"; nothing was sent.`,
	}}},
	{name: "email with ambiguous recipient", turns: []turn{
		{say: "Email Jane the Q1 report", calls: []string{`contacts_search {"name":"Jane"}`, "files_search"}, asked: true, reply: `2 contacts match "Jane"`},
		{say: "Jane Roe", calls: []string{`email_send {"to":["jane@initech.com"],"subject":"Q1 report","body":"Hi Jane,\n\nPlease find the Q1 report attached.","attachments":["f2"]}`}},
	}},
	{name: "email an address with a body", turns: []turn{{
		say:   "Send an email to jane@acme.com saying the meeting moved to 3pm",
		calls: []string{`email_send {"to":["jane@acme.com"],"subject":"The meeting moved to 3pm","body":"The meeting moved to 3pm."}`},
		reply: "^The email was not sent: no SMTP relay configured. It is kept in the outbox",
	}}},
	{name: "email asks for the body", turns: []turn{
		{say: "Email Jane Doe about the offsite", calls: []string{"contacts_search"}, asked: true, reply: "^What should the email to Jane Doe <jane@acme.com> say?"},
		{say: "We meet at 10 in the lobby", calls: []string{`email_send {"to":["jane@acme.com"],"subject":"The offsite","body":"We meet at 10 in the lobby."}`}},
	}},
	{name: "emails sent to a contact", setup: func(w *toolWS) {
		w.smtp = true
		w.call("email_send", `{"to":["jane@acme.com"],"subject":"Hello","body":"Hello."}`)
	}, turns: []turn{
		{say: "Show emails I sent to Jane", calls: []string{`contacts_search {"name":"Jane"}`}, asked: true},
		{say: "1", calls: []string{`email_search {"to":"jane@acme.com"}`}, reply: `^Found 1 email to Jane Doe: "Hello" (sent, to jane@acme.com, 20`},
	}},

	// Files.
	{name: "list folder", turns: []turn{{
		say: "List files in Reports", calls: []string{`files_search {"query":"Reports"}`, `files_list {"folder_id":"f1"}`},
		reply: "^1 item in the folder Reports: Q1 report.pdf (121 KB).",
	}}},
	{name: "list root", turns: []turn{{say: "List files", calls: []string{`files_list {}`}, reply: "^4 items in the root folder: Archive (folder); Reports (folder); budget-2025.xlsx (2 KB); budget-2026.xlsx (2 KB)."}}},
	{name: "find files", turns: []turn{{
		say: "Find files named budget", calls: []string{`files_search {"query":"budget"}`}, reply: `^Found 2 files matching "budget": budget-2025.xlsx (2 KB); budget-2026.xlsx (2 KB).`,
	}}},
	{name: "create folder", turns: []turn{{
		say: "Create a folder Contracts", calls: []string{`files_create_folder {"name":"Contracts"}`}, reply: "^Folder created: Contracts.",
	}}},
	{name: "rename file", turns: []turn{{
		say: "Rename file budget-2026.xlsx to budget-final.xlsx", calls: []string{"files_search", `files_rename {"id":"f3","name":"budget-final.xlsx"}`},
		reply: `^Renamed the file "budget-2026.xlsx" to "budget-final.xlsx".`,
	}}},
	{name: "move file", turns: []turn{{
		say:   "Move Q1 report.pdf to folder Archive",
		calls: []string{`files_search {"query":"Q1 report.pdf"}`, `files_search {"query":"Archive"}`, `files_move {"id":"f2","folder_id":"f5"}`},
		reply: `^Moved the file "Q1 report.pdf" to the folder Archive.`,
	}}},
	{name: "move to root", turns: []turn{{
		say: "Move Q1 report.pdf to the root", calls: []string{"files_search", `files_move {"id":"f2","folder_id":""}`}, reply: "to the root folder",
	}}},
	{name: "delete file", turns: []turn{{
		say: "Delete file budget-2025.xlsx", calls: []string{"files_search", `files_delete {"id":"f4"}`}, reply: `^Deleted the file "budget-2025.xlsx".`,
	}}},

	// Org and extensions.
	// A near tie across families is asked back with both readings.
	{name: "near tie across families, answered by number", turns: []turn{
		{say: "Who's on Platform?", asked: true,
			reply: "^I could not tell what you meant: 1) who has a task or when it is due; 2) the members of a team or department. Which one"},
		{say: "2", calls: []string{"org_departments", "org_teams"}, reply: "^Members of the Platform team: "},
	}},
	{name: "near tie across families, answered by words", turns: []turn{
		{say: "Who's on Platform?", asked: true},
		{say: "purple", asked: true, reply: `^I could not tell which you meant by "purple". I could not tell what you meant: 1)`},
		{say: "the members of a team", calls: []string{"org_departments", "org_teams"}, reply: "^Members of the Platform team: "},
	}},
	{name: "near tie across families, cancelled", turns: []turn{
		{say: "Who's on Platform?", asked: true},
		{say: "cancel", reply: "^OK, nothing was done."},
	}},
	{name: "departments", turns: []turn{{say: "List departments", calls: []string{"org_departments"}, reply: "^2 departments: Engineering (lead Ada Lovelace), Sales."}}},
	{name: "no lead", turns: []turn{{say: "Who heads the Sales department?", calls: []string{"org_departments"}, reply: "^The Sales department has no lead set."}}},
	{name: "team lead by id", turns: []turn{{
		say: "Who runs the Platform team?", calls: []string{"org_teams"}, reply: "^Ada Lovelace (ada@example.com, owner) leads the Platform team.",
	}}},
	{name: "team members", turns: []turn{{
		say: "Who is in the Sales team?", calls: []string{"org_teams"}, reply: "^Members of the Sales team: Maria Garcia, Tom Lee.",
	}}},
	{name: "team members by id", turns: []turn{{
		say: "Who is in Platform?", calls: []string{"org_departments", "org_teams"},
		reply: "^Members of the Platform team: Ada Lovelace, Mariana Silva.",
	}}},
	{name: "member's team", turns: []turn{{
		say: "Which team is Maria in?", calls: []string{`org_members {"query":"Maria"}`, `org_teams {"member_id":"m1"}`}, reply: "^Maria Garcia is in the Sales team.",
	}}},
	{name: "lead", turns: []turn{{
		say: "Who leads Engineering?", calls: []string{"org_departments", "org_teams"},
		reply: "^Ada Lovelace (ada@example.com, owner) leads the Engineering department.",
	}}},
	{name: "team or department asked", turns: []turn{
		{say: "Who is in Sales?", calls: []string{"org_departments", "org_teams"}, asked: true, reply: "1) Sales (department); 2) Sales (team)"},
		{say: "the team", reply: "^Members of the Sales team: Maria Garcia, Tom Lee."},
	}},
	{name: "teams", turns: []turn{{say: "List teams", calls: []string{`org_teams {}`}, reply: "^2 teams: Platform, Sales."}}},
	{name: "teams of a department", turns: []turn{{
		say: "List the teams in Engineering", calls: []string{"org_departments", `org_teams {"department_id":"d1"}`}, reply: "^1 team in the Engineering department: Platform.",
	}}},
	{name: "members", turns: []turn{{say: "List members", calls: []string{`org_members {"limit":100}`}, reply: "^5 members: Ada Lovelace (ada@example.com, owner); Maria Garcia"}}},
	{name: "help", turns: []turn{{say: "What can you do?", reply: "docs/local-agent.md"}}},
	{name: "create folder in a folder", turns: []turn{{
		say: "Create a folder Contracts in Reports", calls: []string{`files_search {"query":"Reports"}`, `files_create_folder {"name":"Contracts","parent_id":"f1"}`},
		reply: "^Folder created: Contracts (in Reports).",
	}}},
	{name: "extensions", turns: []turn{{
		say: "What extensions are installed?", calls: []string{`extensions_list {}`},
		reply: "^Installed extensions: weather (version 1.2.0, 1 tool); crm (unreachable: connection refused); erp (2 tools).",
	}}},

	// Refusals and permissions.
	{name: "unknown request", turns: []turn{{say: "Make me a sandwich", reply: `^I can't do that yet: I don't understand "Make me a sandwich". See docs/local-agent.md`}}},
	{name: "a bare detail the workspace does not know is not guessed", turns: []turn{{say: "Create a contact for Jane Dow, Acme",
		calls: []string{`contacts_search {"company":"Acme","limit":20}`, `contacts_search {"city":"Acme","limit":20}`}, reply: `^I can't do that yet: I could not tell what "Acme" is`}}},
	{name: "my tasks", setup: func(w *toolWS) { w.call("tasks_assign", `{"id":"`+w.id("t2")+`","assignee_id":"m2"}`) }, turns: []turn{{
		say: "Show my open tasks", calls: []string{`tasks_search {"assignee_id":"me","status":"open"}`}, reply: `^Found 1 open task assigned to you: "Call Jane" (open, assigned to Tom Lee).`,
	}}},
	{name: "assign to me", turns: []turn{{
		say: "Assign the task Call Jane to me", calls: []string{"tasks_search", `tasks_assign {"id":"t2","assignee_id":"me"}`}, reply: `^Task "Call Jane" assigned to you.`,
	}}},
	{name: "my teams", turns: []turn{{
		say: "Which team am I in?", calls: []string{`org_teams {"member_id":"me"}`}, reply: "^You are in the Sales team.",
	}}},
	{name: "one unknown clause refuses the whole message", turns: []turn{{say: "Find Jane. Then bake a cake", reply: `^I can't do that yet: I don't understand "bake a cake"`}}},
	{name: "create not allowed", tools: without("contacts_create"), turns: []turn{{
		say: "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", reply: "^I can't do that: your access does not allow contacts_create (the integration key's scopes, or your role in the workspace).",
	}}},
	{name: "update not allowed", tools: without("contacts_update", "contacts_search"), turns: []turn{{
		say: "Update Jane Doe's phone to +44 20 7946 0000", reply: "^I can't do that: your access does not allow contacts_search or contacts_update (the integration key's scopes, or your role in the workspace).",
	}}},
	{name: "later action not allowed: nothing runs", tools: without("tasks_create"), turns: []turn{{
		say: "Create a contact for Ana Lima at Umbrella and a task to send her the onboarding pack", reply: "^I can't do that: your access does not allow tasks_create (the integration key's scopes, or your role in the workspace).",
	}}},
	{name: "member fallback not allowed", tools: without("org_members"), turns: []turn{{
		say: "Email Zed Zulu saying hi", calls: []string{"contacts_search"}, reply: `^No contact matched "Zed Zulu"; the email was not sent.`,
	}}},
	{name: "member fallback", turns: []turn{{
		say: "Email Ada saying hi", calls: []string{"contacts_search", `org_members {"query":"Ada"}`, `email_send {"to":["ada@example.com"],"subject":"Hi","body":"Hi."}`},
	}}},
	{name: "no ask tool: the question is the reply", tools: without(agent.AskTool), turns: []turn{{
		say: "Change Jane's email to x@y.com", calls: []string{"contacts_search"}, reply: `^2 contacts match "Jane"`,
	}}},
	{name: "lookup error is reported", setup: func(w *toolWS) { w.fail["contacts_search"] = "database is locked" }, turns: []turn{{
		say: "Delete the contact Jane Doe", calls: []string{"contacts_search"}, reply: `^Could not look up "Jane Doe": database is locked.`,
	}}},
	{name: "write error is reported", setup: func(w *toolWS) { w.fail["tasks_complete"] = "task is archived" }, turns: []turn{{
		say: "Mark the task Call Jane as done", calls: []string{"tasks_search", "tasks_complete"}, reply: `^Could not complete the task "Call Jane": task is archived.`,
	}}},

	// Several turns in one conversation.
	{name: "a new request after a completed one", setup: noContacts, turns: []turn{
		{say: "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", calls: []string{"contacts_create"}, reply: "^Contact created"},
		{say: "find Jane", calls: []string{`contacts_search {"query":"Jane"}`}, reply: "^Found 1 contact"},
		{say: "thanks a lot", reply: "^I can't do that yet: "},
	}},
}

func TestFlows(t *testing.T) {
	for _, tc := range flowCases {
		for _, askResults := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/askResults=%v", tc.name, askResults), func(t *testing.T) {
				ws := newWS(t)
				if tc.setup != nil {
					tc.setup(ws)
				}
				c := newConvo(t, ws, tc.tools...)
				c.askResults = askResults
				for i, tn := range tc.turns {
					from := len(ws.calls)
					reply, asked := c.send(tn.say)
					checkCalls(t, i, ws, from, tn.calls)
					if asked != tn.asked {
						t.Fatalf("turn %d (%q): asked=%v, want %v; reply %q", i, tn.say, asked, tn.asked, reply)
					}
					if want, ok := strings.CutPrefix(tn.reply, "^"); ok {
						if !strings.HasPrefix(reply, want) {
							t.Fatalf("turn %d (%q): reply\n  %q\nwant prefix\n  %q", i, tn.say, reply, want)
						}
					} else if !strings.Contains(reply, tn.reply) {
						t.Fatalf("turn %d (%q): reply\n  %q\nwant it to contain\n  %q", i, tn.say, reply, tn.reply)
					}
				}
			})
		}
	}
}

func checkCalls(t *testing.T, turn int, ws *toolWS, from int, want []string) {
	t.Helper()
	got := ws.calls[from:]
	if len(got) != len(want) {
		t.Fatalf("turn %d: calls %v, want %v", turn, ws.callNames(from), want)
	}
	for i, w := range want {
		name, args, _ := strings.Cut(w, " ")
		if got[i].Name != name {
			t.Fatalf("turn %d: call %d is %s, want %s (all: %v)", turn, i, got[i].Name, name, ws.callNames(from))
		}
		if args == "" {
			continue
		}
		var wantArgs, gotArgs map[string]any
		if err := json.Unmarshal([]byte(args), &wantArgs); err != nil {
			t.Fatalf("bad test args %s: %v", args, err)
		}
		_ = json.Unmarshal(got[i].Args, &gotArgs)
		if !reflect.DeepEqual(gotArgs, wantArgs) {
			t.Fatalf("turn %d: %s args\n  %s\nwant\n  %s", turn, name, got[i].Args, args)
		}
	}
}
