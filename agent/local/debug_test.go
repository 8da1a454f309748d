package local

import (
	"os"
	"testing"
)

func TestDebugExamples(t *testing.T) {
	if os.Getenv("LOCAL_DEBUG") == "" {
		t.Skip()
	}
	msgs := []string{
		"Create a task to call Jane and send her the contract",
		"Create a contact for Dr. Jane Smith",
		"Add a task to review the contract and create a contact for Bob Smith",
		"Find Jane. Then delete the task Call Jane.",
		"Create a contact for Jane Dow, jane@dow.com, tagged vip, partner",
		"Create a contact for Bob from Bank of America in New York",
		"Create a contact for Jane Dow, Acme Corp",
		"Create a contact",
		"Remind me to call Bob next Monday",
		"Create a task to call Jane in 3 days",
		"Create a task to call Jane on Friday",
		"Add a task 'Send Q2 report' due December 5",
		"Reschedule the task Call Jane to next Friday",
		"Show tasks due this week",
		"Show overdue tasks",
		"Rename the task Call Jane to Call Jane Doe",
		"Mark the task Call Jane as in progress",
		"Email Jane Doe about the offsite",
		"Send the Q1 report to jane@acme.com",
		"Email jane@acme.com and bob@x.com saying hi there",
		"Tag Jane Doe as partner",
		"Jane Doe is now CTO at Initech",
		"Update the contact Jane Doe: phone +1 555 0100, city Paris",
		"Create a contact for Ana Lima at Umbrella and set her phone to +1 555 0100",
		"List the teams in Engineering",
		"Who is in Sales?",
		"Show my tasks",
		"Move the folder Archive to the root",
		"Create a folder Contracts in Reports",
		"What's in Reports?",
		"Delete contacts tagged vip",
		"find jane@acme.com",
		"Who works at Initech?",
		"Please create a contact for Ana Lima, ana@umbrella.com, thanks",
		"Can you list all contacts?",
		"Create a contact for Ana Lima at Umbrella and email her the Q1 report",
		"Create a task to call her",
		"Email her the report",
		"Send Jane Doe the Q1 report",
		"What emails did I send to john@globex.com?",
		"Which teams is Tom Lee in?",
		"Who heads the Sales department?",
		"Find contacts from Initech",
		"Show tasks for Tom",
		"Delete the task Nothing",
	}
	for _, m := range msgs {
		c := newConvo(t, newWS())
		from := len(c.ws.calls)
		reply, asked := c.send(m)
		t.Logf("\n> %s\n  calls: %v\n  asked=%v: %s", m, c.ws.callArgs(from), asked, reply)
	}
}

func (w *fakeWS) callArgs(from int) []string {
	var out []string
	for _, c := range w.calls[from:] {
		out = append(out, c.Name+string(c.Args))
	}
	return out
}
