package node_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestDescribeTools: an owner's model call declares the tools briefly
// with describe_tools; calling it returns contacts_create's full
// declaration (argument descriptions included) as a tool result, and the
// turn goes on to its reply.
func TestDescribeTools(t *testing.T) {
	var seen string
	script := &testbed.Script{Step: func(req agent.Request) agent.Response {
		last := req.Messages[len(req.Messages)-1]
		if last.Role == agent.RoleTool {
			seen = string(last.Results[0].Content)
			return agent.Response{Message: agent.Message{Role: agent.RoleModel, Text: "described"}}
		}
		var brief agent.ToolDecl
		for _, d := range req.Tools {
			if d.Name == "contacts_create" {
				brief = d
			}
		}
		if strings.Contains(string(brief.Schema), "description") {
			return agent.Response{Message: agent.Message{Role: agent.RoleModel, Text: "not brief: " + string(brief.Schema)}}
		}
		args, _ := json.Marshal(map[string]any{"names": []string{"contacts_create"}})
		return agent.Response{Message: agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "c1", Name: agent.DescribeTool, Args: args}}}}
	}}
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: script})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	r := n.Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "what does contacts_create take?"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"reply":"described"`) {
		t.Fatalf("turn: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(seen, `"name":"contacts_create"`) || !strings.Contains(seen, "Full name of the person") {
		t.Fatalf("describe_tools result: %s", seen)
	}
}
