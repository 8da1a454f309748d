package local_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/local"
)

// readOnly are the tools that change nothing.
var readOnly = map[string]bool{
	"contacts_get": true, "contacts_search": true, "tasks_search": true, "files_get": true, "files_list": true,
	"files_search": true, "email_search": true, "org_departments": true, "org_members": true, "org_teams": true,
	"extensions_list": true, agent.AskTool: true,
}

// FuzzGenerate: no message panics the local agent; its step is the same
// for the same message; every call it makes carries JSON arguments; and a
// message without a single word (garbage) never leads to a call that
// writes.
func FuzzGenerate(f *testing.F) {
	for _, s := range []string{
		"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com",
		"Delete the task Buy milk", "Email Jane the Q3 report", "Move report.pdf to Archive",
		"what can you do?", "", "!!!", "123 456", "@@ -- ##", "\x00\xff\xfe", "a, b; c. d",
		"Add task: call Bob tomorrow at 3pm, high priority", "Rename folder Reports to \"../..\"",
	} {
		f.Add(s)
	}
	p := local.New()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, msg string) {
		req := agent.Request{Model: local.ModelName, Messages: []agent.Message{{Role: agent.RoleUser, Text: msg}}}
		resp, err := p.Generate(ctx, req)
		if err != nil {
			t.Fatalf("Generate(%q): %v", msg, err)
		}
		again, _ := p.Generate(ctx, req)
		if !reflect.DeepEqual(resp, again) {
			t.Fatalf("Generate(%q) differs between two calls", msg)
		}
		garbage := !hasWord(msg)
		// Follow the plan a few steps, every tool answering with an empty
		// result: no step may panic, and none may write on garbage.
		for step := 0; ; step++ {
			var results []agent.ToolResult
			for _, c := range resp.Message.Calls {
				if !json.Valid(c.Args) {
					t.Fatalf("Generate(%q) called %s with arguments that are not JSON: %q", msg, c.Name, c.Args)
				}
				if garbage && !readOnly[c.Name] {
					t.Fatalf("Generate(%q) wrote on garbage at step %d: %s %s", msg, step, c.Name, c.Args)
				}
				results = append(results, agent.ToolResult{CallID: c.ID, Name: c.Name, Content: json.RawMessage(`{}`)})
			}
			if len(results) == 0 || step == 4 || results[0].Name == agent.AskTool {
				return
			}
			resp.Message.Role = agent.RoleModel
			req.Messages = append(req.Messages, resp.Message, agent.Message{Role: agent.RoleTool, Results: results})
			if resp, err = p.Generate(ctx, req); err != nil {
				t.Fatalf("Generate(%q) step %d: %v", msg, step+1, err)
			}
		}
	})
}

// hasWord reports whether s holds a run of three ASCII letters.
func hasWord(s string) bool {
	run := 0
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			if run++; run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
