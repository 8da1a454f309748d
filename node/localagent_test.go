package node_test

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

type fullConv struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reply  string `json:"reply"`
	Turns  []struct {
		Status  string `json:"status"`
		Actions []struct {
			Tool    string `json:"tool"`
			OK      bool   `json:"ok"`
			Ref     string `json:"ref"`
			Summary string `json:"summary"`
		} `json:"actions"`
	} `json:"turns"`
}

// TestLocalAgentEndToEnd drives the built-in agent through the HTTP API
// across the tool families, with questions back and confirmations.
func TestLocalAgentEndToEnd(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			say := func(msg, convID string) fullConv {
				t.Helper()
				body := map[string]any{"message": msg}
				if convID != "" {
					body["conversation_id"] = convID
				}
				r := n.Do("POST", "/api/agent?wait=30", c, body)
				var cv fullConv
				r.JSON(t, &cv)
				if r.Status != 200 {
					t.Fatalf("%q: %d %s", msg, r.Status, r.Body)
				}
				return cv
			}
			last := func(cv fullConv) []string {
				var out []string
				for _, a := range cv.Turns[len(cv.Turns)-1].Actions {
					out = append(out, a.Tool)
				}
				return out
			}

			cv := say("Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", "")
			if cv.Status != "completed" || !strings.HasPrefix(cv.Reply, "Contact created") || len(cv.Turns[0].Actions) != 1 || !strings.HasPrefix(cv.Turns[0].Actions[0].Ref, "contact/") {
				t.Fatalf("headline: %+v", cv)
			}
			say("Create a contact for Jane Smith, CTO of Initech, jane.smith@initech.example", "")
			cv = say("Find all contacts from Acme Corp", "")
			if !strings.Contains(cv.Reply, "Jane Doe") || strings.Contains(cv.Reply, "Jane Smith") {
				t.Fatalf("search: %s", cv.Reply)
			}
			// Ambiguous name → question → answer completes it.
			cv = say("Update Jane's phone to +44 20 7946 0000", "")
			if cv.Status != "input_required" || !strings.Contains(cv.Reply, "Jane Doe") || !strings.Contains(cv.Reply, "Jane Smith") {
				t.Fatalf("ambiguity: %s %s", cv.Status, cv.Reply)
			}
			cv = say("the one at Acme", cv.ID)
			if cv.Status != "completed" || strings.Join(last(cv), ",") != "contacts_update" {
				t.Fatalf("answer: %s %s %v", cv.Status, cv.Reply, last(cv))
			}
			// Several actions in one message.
			cv = say("Create a contact for Ana Lima at Umbrella and a task to send her the onboarding pack", "")
			if cv.Status != "completed" || strings.Join(last(cv), ",") != "contacts_create,tasks_create" {
				t.Fatalf("multi: %s %v", cv.Reply, last(cv))
			}
			cv = say("What tasks are open?", "")
			if !strings.Contains(cv.Reply, "onboarding pack") {
				t.Fatalf("tasks: %s", cv.Reply)
			}
			cv = say("Create a folder Contracts", "")
			if cv.Status != "completed" || strings.Join(last(cv), ",") != "files_create_folder" {
				t.Fatalf("folder: %s", cv.Reply)
			}
			cv = say("Send an email to jane@acme.com saying the meeting moved to 3pm", "")
			if !strings.Contains(cv.Reply, "not sent") || !strings.Contains(cv.Reply, "no SMTP relay") {
				t.Fatalf("email without relay must say so: %s", cv.Reply)
			}
			cv = say("List departments", "")
			if cv.Status != "completed" {
				t.Fatalf("org: %s", cv.Reply)
			}
			// Bulk delete asks first; "no" deletes nothing, "yes" deletes all.
			for i, nm := range []string{"Al", "Bo", "Cy", "Di", "Ed", "Fa"} {
				say("Add "+nm+" Tester from Globex", "")
				_ = i
			}
			cv = say("Delete all contacts from Globex", "")
			if cv.Status != "input_required" || !strings.Contains(cv.Reply, "6") {
				t.Fatalf("bulk delete must ask: %s %s", cv.Status, cv.Reply)
			}
			cv = say("yes", cv.ID)
			if cv.Status != "completed" || len(last(cv)) != 6 {
				t.Fatalf("confirmed bulk delete: %s %v", cv.Reply, last(cv))
			}
			cv = say("What is the weather in Paris?", "")
			if cv.Status != "completed" || !strings.HasPrefix(cv.Reply, "I can't do that yet: ") || len(cv.Turns[0].Actions) != 0 {
				t.Fatalf("unknown request: %+v", cv)
			}
		})
	}
}

// TestReadOnlyKeyCannotWrite: the agent under a contacts:read key refuses a
// write and changes nothing.
func TestReadOnlyKeyCannotWrite(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{Scopes: []string{"contacts:read"}})
	r := n.Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"})
	var cv fullConv
	r.JSON(t, &cv)
	if cv.Status != "completed" || !strings.Contains(cv.Reply, "does not allow") || len(cv.Turns[0].Actions) != 0 {
		t.Fatalf("read-only key: %+v", cv)
	}
	var count int
	_ = n.DB().QueryRow(t.Context(), `SELECT count(*) FROM contacts`).Scan(&count)
	if count != 0 {
		t.Fatalf("a read-only key created %d contacts", count)
	}
}
