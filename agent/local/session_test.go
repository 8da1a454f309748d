package local

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
)

func TestProvider(t *testing.T) {
	p := New()
	if p.Name() != "local" || p.Model() != "local" {
		t.Fatalf("Name/Model = %q/%q", p.Name(), p.Model())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Generate(ctx, agent.Request{}); err == nil {
		t.Fatal("Generate with a cancelled context succeeded")
	}
	resp, err := p.Generate(context.Background(), agent.Request{})
	if err != nil || !strings.HasPrefix(resp.Message.Text, "I can't do that yet: ") {
		t.Fatalf("Generate without messages = %+v, %v", resp, err)
	}
}

func TestCallIDs(t *testing.T) {
	c := newConvo(t, newWS(t))
	c.send("Email John the Q1 report")
	var ids []string
	for _, m := range c.req.Messages {
		for _, call := range m.Calls {
			ids = append(ids, call.ID)
		}
	}
	if got := strings.Join(ids, ","); got != "c1,c2,c3" {
		t.Fatalf("call ids %s, want c1,c2,c3", got)
	}
	// The two lookups are one parallel step.
	if m := c.req.Messages[1]; len(m.Calls) != 2 || m.Calls[0].Name != "contacts_search" || m.Calls[1].Name != "files_search" {
		t.Fatalf("first step %+v, want contacts_search and files_search together", m.Calls)
	}
	// A later turn continues the numbering.
	c.send("List departments")
	last := c.req.Messages[len(c.req.Messages)-3]
	if len(last.Calls) != 1 || last.Calls[0].ID != "c4" {
		t.Fatalf("next call %+v, want id c4", last.Calls)
	}
}

func TestResultsMatchedByID(t *testing.T) {
	calls := []agent.ToolCall{{ID: "a", Name: "files_search"}, {ID: "b", Name: "contacts_search"}}
	results := []agent.ToolResult{
		{CallID: "b", Name: "contacts_search", Content: json.RawMessage(`{"contacts":[]}`)},
		{CallID: "a", Name: "files_search", IsError: true, Content: json.RawMessage(`{"error":"boom."}`)},
	}
	got := pairResults(calls, results)
	if got[0].err != "boom" || got[1].failed() {
		t.Fatalf("pairResults = %+v", got)
	}
	got = pairResults(calls, results[:1])
	if got[0].err == "" {
		t.Fatalf("a missing result must read as a failure: %+v", got)
	}
}

func TestDecodeResultErrors(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{`{"error":"a contact with email x@y.com already exists"}`, "a contact with email x@y.com already exists"},
		{`{"message":"not allowed."}`, "not allowed"},
		{`"plain text error"`, "plain text error"},
		{`not json`, "not json"},
		{``, "the tool failed without saying why"},
	} {
		got := decodeResult("t", agent.ToolResult{IsError: true, Content: json.RawMessage(tc.content)})
		if got.err != tc.want {
			t.Errorf("decodeResult(%s).err = %q, want %q", tc.content, got.err, tc.want)
		}
	}
}

func TestRequestStart(t *testing.T) {
	user := func(s string) agent.Message { return agent.Message{Role: agent.RoleUser, Text: s} }
	ask := agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "c2", Name: agent.AskTool}}}
	calls := agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "c1", Name: "contacts_search"}}}
	results := agent.Message{Role: agent.RoleTool, Results: []agent.ToolResult{{CallID: "c1"}}}
	reply := agent.Message{Role: agent.RoleModel, Text: "Done."}
	for _, tc := range []struct {
		name string
		msgs []agent.Message
		want int
	}{
		{"empty", nil, -1},
		{"one message", []agent.Message{user("a")}, 0},
		{"answer to a question", []agent.Message{user("a"), calls, results, ask, user("b")}, 0},
		{"answer after an ask result", []agent.Message{user("a"), ask, {Role: agent.RoleTool}, user("b")}, 0},
		{"two questions", []agent.Message{user("a"), ask, user("b"), ask, user("c")}, 0},
		{"after a final reply", []agent.Message{user("a"), calls, results, reply, user("b")}, 4},
		{"after a turn that stopped", []agent.Message{user("a"), calls, results, user("b")}, 3},
	} {
		if got := requestStart(tc.msgs); got != tc.want {
			t.Errorf("%s: requestStart = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestForeignHistory(t *testing.T) {
	// Another model made the first step; the replay must not pretend.
	req := agent.Request{
		Tools: []agent.ToolDecl{{Name: "contacts_search"}, {Name: "contacts_delete"}, {Name: "files_search"}},
		Messages: []agent.Message{
			{Role: agent.RoleUser, Text: "Delete the contact Jane Doe"},
			{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "x", Name: "files_search", Args: json.RawMessage(`{}`)}}},
			{Role: agent.RoleTool, Results: []agent.ToolResult{{CallID: "x", Name: "files_search", Content: json.RawMessage(`{"files":[]}`)}}},
		},
	}
	m := nextStep(req)
	if len(m.Calls) != 0 || !strings.Contains(m.Text, "can't continue") {
		t.Fatalf("step %+v, want a plain reply that it cannot continue", m)
	}
}

func TestRelativeDateNeedsToday(t *testing.T) {
	c := newConvo(t, newWS(t))
	c.req.System = "You are the workspace agent."
	reply, _ := c.send("Create a task to call Jane tomorrow")
	if !strings.HasPrefix(reply, "I can't do that yet: I don't know today's date") || len(c.ws.calls) != 0 {
		t.Fatalf("reply %q after %d calls", reply, len(c.ws.calls))
	}
	reply, _ = c.send("Create a task to call Jane on 2026-05-01")
	if !strings.HasPrefix(reply, `Task created: "Call Jane" (due 2026-05-01)`) {
		t.Fatalf("reply %q", reply)
	}
}

func TestQuestionFromAnotherModel(t *testing.T) {
	// Another model asked the question; the answer is read as a request of
	// its own rather than replayed against steps we did not take.
	req := agent.Request{
		Tools: []agent.ToolDecl{{Name: "contacts_search"}, {Name: "contacts_get"}, {Name: "contacts_delete"}, {Name: "org_departments"}, {Name: agent.AskTool}},
		Messages: []agent.Message{
			{Role: agent.RoleUser, Text: "Delete the contact Jane Doe"},
			{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "g1", Name: "contacts_get", Args: json.RawMessage(`{"id":"x"}`)}}},
			{Role: agent.RoleTool, Results: []agent.ToolResult{{CallID: "g1", Name: "contacts_get", Content: json.RawMessage(`{}`)}}},
			{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "g2", Name: agent.AskTool, Args: json.RawMessage(`{"question":"Sure?"}`)}}},
			{Role: agent.RoleUser, Text: "List departments"},
		},
	}
	m := nextStep(req)
	if len(m.Calls) != 1 || m.Calls[0].Name != "org_departments" || m.Calls[0].ID != "c3" {
		t.Fatalf("step %+v, want org_departments as c3", m)
	}
}
