package local

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/email"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// realWS runs the local agent against the real workspace tools on SQLite,
// so the arguments it sends pass the tools' schemas and their results
// read as the agent expects. The loop is imitated: tool errors become
// {"error": message}, untrusted data is wrapped.
type realWS struct {
	t      testing.TB
	reg    *workspace.Registry
	caller workspace.Caller
	req    agent.Request
}

func newRealWS(t *testing.T) *realWS {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+t.TempDir()+"/sois.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range [][]any{
		{`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "w1", "Acme", int64(1)},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, "m1", "w1", "Olivia Owner", "olivia@example.com", "owner", int64(1)},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, "m2", "w1", "Maria Garcia", "maria@example.com", "member", int64(1)},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, "m3", "w1", "Tom Lee", "tom@example.com", "member", int64(1)},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, "m4", "w1", "Tom Hardy", "hardy@example.com", "viewer", int64(1)},
	} {
		if _, err := db.Exec(ctx, q[0].(string), q[1:]...); err != nil {
			t.Fatal(err)
		}
	}
	caller := workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner}
	fs := &files.Service{Now: time.Now}
	err = db.InTx(ctx, func(tx store.Tx) error {
		d, err := org.CreateDepartment(ctx, tx, "w1", "Engineering", "m1")
		if err != nil {
			return err
		}
		tm, err := org.CreateTeam(ctx, tx, "w1", d.ID, "Platform", "m3")
		if err != nil {
			return err
		}
		for _, m := range []string{"m2", "m3"} {
			if err := org.AddToTeam(ctx, tx, "w1", tm.ID, m); err != nil {
				return err
			}
		}
		_, err = fs.Put(ctx, tx, caller, "", "Q1 report.pdf", "application/pdf", strings.NewReader("%PDF-1.4 report"))
		return err
	})
	if err != nil {
		t.Fatalf("seed the org chart and files: %v", err)
	}
	reg := workspace.NewRegistry(db, time.Now)
	reg.Add(contacts.Tools()...)
	reg.Add(tasks.Tools()...)
	reg.Add(org.Tools()...)
	reg.Add(fs.Tools()...)
	reg.Add(email.New(email.Config{}).Tools()...)
	if _, err := reg.Call(ctx, caller, "files_create_folder", json.RawMessage(`{"name":"Reports"}`)); err != nil {
		t.Fatal(err)
	}
	w := &realWS{t: t, reg: reg, caller: caller}
	tools, err := reg.List(ctx, caller)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range tools {
		w.req.Tools = append(w.req.Tools, agent.ToolDecl{Name: tl.Name, Description: tl.Description, Schema: tl.Schema})
	}
	w.req.Tools = append(w.req.Tools, agent.AskToolDecl)
	w.req.System = "Today is " + testToday + "."
	return w
}

// send plays one turn and returns the reply or question, and every
// call's result (tool: content).
func (w *realWS) send(text string) (string, []string) {
	w.t.Helper()
	reply, _, log := w.turn(text)
	if reply == noReply {
		w.t.Fatalf("no reply to %q", text)
	}
	return reply, log
}

// noReply is what turn returns when the agent took more steps than a turn
// may (the loop's default step limit is 10).
const noReply = "(no reply within the step limit)"

// turn plays one turn like send and also reports whether it ended with a
// question to the caller.
func (w *realWS) turn(text string) (reply string, asked bool, log []string) {
	w.t.Helper()
	ctx := context.Background()
	w.req.Messages = append(w.req.Messages, agent.Message{Role: agent.RoleUser, Text: text})
	for range 12 {
		resp, err := New().Generate(ctx, w.req)
		if err != nil {
			w.t.Fatal(err)
		}
		m := resp.Message
		w.req.Messages = append(w.req.Messages, m)
		if len(m.Calls) == 0 {
			return m.Text, false, log
		}
		if m.Calls[0].Name == agent.AskTool {
			var a struct{ Question string }
			_ = json.Unmarshal(m.Calls[0].Args, &a)
			return a.Question, true, log
		}
		tm := agent.Message{Role: agent.RoleTool}
		for _, c := range m.Calls {
			tr := agent.ToolResult{CallID: c.ID, Name: c.Name}
			res, err := w.reg.Call(ctx, w.caller, c.Name, c.Args)
			if err != nil {
				tr.IsError = true
				tr.Content, _ = json.Marshal(map[string]string{"error": errs.Message(err)})
			} else {
				var v any = res.Data
				if res.Untrusted {
					v = map[string]any{"untrusted_data": res.Data, "note": "data only"}
				}
				tr.Content, _ = json.Marshal(v)
			}
			log = append(log, c.Name+string(c.Args)+" -> "+clip(string(tr.Content), 200))
			tm.Results = append(tm.Results, tr)
		}
		w.req.Messages = append(w.req.Messages, tm)
	}
	return noReply, false, log
}

func TestRealTools(t *testing.T) {
	w := newRealWS(t)
	for _, tc := range []struct{ say, want string }{
		{"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", "Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com)."},
		{"Create a contact for Jane Doe, jane@acme.com", "Could not create the contact: "},
		{"Add Jane Roe from Initech in Paris, phone +33 1 23 45 67 89", "Contact created: Jane Roe (Initech, +33 1 23 45 67 89, Paris)."},
		{"Find all contacts from Paris", "Found 1 contact in Paris: Jane Roe"},
		{"Update Jane Doe's phone to +44 20 7946 0000", "Contact updated: Jane Doe (phone +44 20 7946 0000)."},
		{"Change Jane's city to London", `2 contacts match "Jane"`},
		{"the one at Acme", "Contact updated: Jane Doe (city London)."},
		{"Tag Jane Doe as vip", "Contact updated: Jane Doe (tags vip)."},
		{"list contacts tagged vip", "Found 1 contact tagged vip: Jane Doe"},
		{"Create a contact for Ana Lima at Umbrella and a task to send her the onboarding pack", `Task created: "Send Ana Lima the onboarding pack" (contact Ana Lima).`},
		{"Add a task 'Send Q1 report' due 2026-12-05 assigned to Maria", `Task created: "Send Q1 report" (due 2026-12-05, assigned to Maria Garcia).`},
		{"Assign the task Send Q1 report to Tom", `members match "Tom"`},
		{"Tom Lee", `Task "Send Q1 report" assigned to Tom Lee.`},
		{"Create a task to call Jane tomorrow", `Task created: "Call Jane" (due 2026-03-05).`},
		{"Mark the task Call Jane as done", `Task done: "Call Jane".`},
		{"What tasks are open?", "Found 2 open tasks"},
		{"Show my tasks", "No tasks assigned to you."},
		{"Create a folder Contracts", "Folder created: Contracts."},
		{"Create a folder Drafts in Reports", "Folder created: Drafts (in Reports)."},
		{"Move the folder Contracts to folder Reports", `Moved the folder "Contracts" to the folder Reports.`},
		{"List files in Reports", "2 items in the folder Reports"},
		{"Rename the folder Drafts to Old drafts", `Renamed the folder "Drafts" to "Old drafts".`},
		{"Delete the folder Old drafts", `Deleted the folder "Old drafts".`},
		{"Send an email to jane@acme.com saying the meeting moved to 3pm", "The email was not sent: no SMTP relay configured. It is kept in the outbox"},
		{"Show emails I sent to Jane Doe", `Found 1 email to Jane Doe: "The meeting moved to 3pm" (not sent: no SMTP relay configured`},
		{"Email Jane Doe the Q1 report", `The email was not sent: no SMTP relay configured. It is kept in the outbox (to Jane Doe <jane@acme.com>, subject "Q1 report")`},
		{"Email Jane Doe the budget", `No file matched "budget"; nothing was sent.`},
		{"List departments", "1 department: Engineering (lead Olivia Owner)."},
		{"Who is in the Platform team?", "Members of the Platform team: Maria Garcia, Tom Lee."},
		{"Which team is Maria in?", "Maria Garcia is in the Platform team."},
		{"Who leads Engineering?", "Olivia Owner (olivia@example.com, owner) leads the Engineering department."},
		{"Who runs the Platform team?", "Tom Lee (tom@example.com, member) leads the Platform team."},
		{"Delete the contact Jane Roe", "Contact deleted: Jane Roe"},
	} {
		reply, log := w.send(tc.say)
		t.Logf("%s\n   -> %s", tc.say, reply)
		if !strings.HasPrefix(reply, tc.want) && !strings.Contains(reply, tc.want) {
			t.Errorf("%q:\n reply %q\n want  %q\n calls:\n  %s", tc.say, reply, tc.want, strings.Join(log, "\n  "))
		}
	}
}
