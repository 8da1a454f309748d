package node_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

type headerTransport struct {
	token, key string
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+h.token)
	r.Header.Set("X-Api-Key", h.key)
	return http.DefaultTransport.RoundTrip(r)
}

func connectMCP(t *testing.T, n *testbed.Node, c testbed.Creds) (*sdk.ClientSession, error) {
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	return client.Connect(context.Background(), &sdk.StreamableClientTransport{
		Endpoint:   n.URL() + "/mcp",
		HTTPClient: &http.Client{Transport: headerTransport{c.Token, c.APIKey}},
	}, nil)
}

// TestMCPEndToEnd drives the node's /mcp with the official go-sdk client.
func TestMCPEndToEnd(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	ctx := context.Background()
	owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	s, err := connectMCP(t, n, owner)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer s.Close()
	tools, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*sdk.Tool{}
	for _, tool := range tools.Tools {
		byName[tool.Name] = tool
	}
	for _, want := range strings.Split("contacts_search,contacts_get,contacts_create,contacts_update,contacts_delete,tasks_search,tasks_create,tasks_update,tasks_assign,tasks_complete,tasks_delete,email_send,email_search,files_search,files_list,files_get,files_create_folder,files_move,files_rename,files_delete,org_departments,org_teams,org_members,extensions_list", ",") {
		if byName[want] == nil {
			t.Errorf("tool %s missing over MCP", want)
		}
	}
	if a := byName["contacts_delete"].Annotations; a == nil || a.DestructiveHint == nil || !*a.DestructiveHint {
		t.Errorf("contacts_delete annotations %+v", a)
	}
	if a := byName["contacts_search"].Annotations; a == nil || !a.ReadOnlyHint {
		t.Errorf("contacts_search annotations %+v", a)
	}
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": "Jane Doe", "company": "Acme Corp", "email": "jane@acme.com"}})
	if err != nil || res.IsError {
		t.Fatalf("contacts_create: %v %+v", err, res)
	}
	res, err = s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_search", Arguments: map[string]any{"company": "acme"}})
	if err != nil || res.IsError || !strings.Contains(toText(res), "Jane Doe") {
		t.Fatalf("contacts_search: %v %s", err, toText(res))
	}
	res, err = s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": 42}})
	if err != nil || !res.IsError {
		t.Fatalf("bad arguments must be a tool error: %v %+v", err, res)
	}
	// No credits spent: MCP calls write no ledger rows.
	var ledger int
	_ = n.DB().QueryRow(ctx, `SELECT count(*) FROM ledger`).Scan(&ledger)
	if ledger != 0 {
		t.Fatalf("MCP calls wrote %d ledger rows", ledger)
	}

	// A viewer sees read tools only, and cannot call a write tool.
	viewer := testbed.Workspace(t, n.DB(), workspace.Viewer, access.KeyParams{})
	vs, err := connectMCP(t, n, viewer)
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	vt, _ := vs.ListTools(ctx, nil)
	for _, tool := range vt.Tools {
		if tool.Annotations == nil || !tool.Annotations.ReadOnlyHint {
			t.Errorf("viewer was offered %s", tool.Name)
		}
	}
	res, err = vs.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": "X"}})
	if err == nil && !res.IsError {
		t.Fatal("viewer created a contact over MCP")
	}
	// Bad credentials: refused.
	if _, err := connectMCP(t, n, testbed.Creds{Token: owner.Token, APIKey: viewer.APIKey}); err == nil {
		t.Fatal("mixed-workspace credentials connected")
	}
}

func toText(r *sdk.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
