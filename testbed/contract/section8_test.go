package contract_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// headerTransport adds the two credentials to every request of the MCP
// client, the way a desktop MCP client is configured with static headers.
type headerTransport struct{ a auth }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if h.a.Token != "" {
		r.Header.Set("Authorization", "Bearer "+h.a.Token)
	}
	if h.a.Key != "" {
		r.Header.Set("X-Api-Key", h.a.Key)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// mcpConnect connects the official MCP SDK client to the node's /mcp.
func mcpConnect(ctx context.Context, n *node, a auth) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "contract-test", Version: "1"}, nil)
	return client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:   n.URL + "/mcp",
		HTTPClient: &http.Client{Transport: headerTransport{a}},
		MaxRetries: -1,
	}, nil)
}

// DESIGN §8: the MCP server.
func TestSection8MCP(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	c := n.initWorkspace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cs, err := mcpConnect(ctx, n, c.auth())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer cs.Close()

	tools := map[string]*mcp.Tool{}
	t.Run("tools/list: the stable names", func(t *testing.T) {
		res, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tl := range res.Tools {
			tools[tl.Name] = tl
		}
		for _, name := range strings.Split("contacts_search, contacts_get, contacts_create, contacts_update, contacts_delete, tasks_search, tasks_create, tasks_update, tasks_assign, tasks_complete, tasks_delete, email_send, email_search, files_search, files_list, files_get, files_create_folder, files_move, files_rename, files_delete, org_departments, org_teams, org_members, extensions_list", ", ") {
			tl := tools[name]
			if tl == nil {
				t.Errorf("tool %s missing", name)
				continue
			}
			if tl.InputSchema == nil || tl.Description == "" {
				t.Errorf("tool %s has no input schema or description", name)
			}
		}
	})

	props := func(name string) []string {
		tl := tools[name]
		if tl == nil {
			return nil
		}
		raw, _ := json.Marshal(tl.InputSchema)
		var s struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		_ = json.Unmarshal(raw, &s)
		var out []string
		for k := range s.Properties {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	t.Run("the contact tools' arguments are fixed", func(t *testing.T) {
		fields := []string{"name", "email", "phone", "company", "title", "city", "tags", "notes"}
		want := map[string][]string{
			"contacts_create": fields,
			"contacts_update": append([]string{"id"}, fields...),
			"contacts_search": {"query", "name", "email", "company", "city", "tag", "limit", "cursor"},
		}
		for tool, w := range want {
			w = slices.Clone(w)
			slices.Sort(w)
			if got := props(tool); !slices.Equal(got, w) {
				t.Errorf("%s arguments = %v, want %v", tool, got, w)
			}
		}
		for _, tool := range []string{"contacts_get", "contacts_delete"} {
			if !slices.Contains(props(tool), "id") {
				t.Errorf("%s has no id argument: %v", tool, props(tool))
			}
		}
	})

	t.Run("tools/call: create, search, get", func(t *testing.T) {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_create", Arguments: map[string]any{
			"name": "Mia Cp", "email": "mia@mcp.example", "phone": "+1 555 0100", "company": "Mcpco", "title": "CTO",
			"city": "Lisbon", "tags": []string{"vip"}, "notes": "via MCP",
		}})
		if err != nil || res.IsError {
			t.Fatalf("contacts_create: %v %+v", err, res)
		}
		id := findID(t, res)
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_search", Arguments: map[string]any{"email": "mia@mcp.example", "limit": 5}})
		if err != nil || res.IsError || !strings.Contains(resultText(res), "Mia Cp") {
			t.Errorf("contacts_search: %v %s", err, resultText(res))
		}
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_search", Arguments: map[string]any{"query": "Mcpco"}})
		if err != nil || res.IsError || !strings.Contains(resultText(res), "Mia Cp") {
			t.Errorf("contacts_search query: %v %s", err, resultText(res))
		}
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_get", Arguments: map[string]any{"id": id}})
		if err != nil || res.IsError || !strings.Contains(resultText(res), "Lisbon") {
			t.Errorf("contacts_get: %v %s", err, resultText(res))
		}
		// Arguments are validated against the schema.
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": 42}})
		if err == nil && !res.IsError {
			t.Errorf("contacts_create with a numeric name succeeded: %s", resultText(res))
		}
	})

	t.Run("same permissions: a contacts:read key cannot create", func(t *testing.T) {
		k := n.keyCreate(t, c.WorkspaceID, "--scopes", "contacts:read")
		ro, err := mcpConnect(ctx, n, auth{c.Token, k})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		res, err := ro.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": "Not Allowed"}})
		if err == nil && !res.IsError {
			t.Errorf("a contacts:read key created a contact over MCP: %s", resultText(res))
		}
		res, err = ro.CallTool(ctx, &mcp.CallToolParams{Name: "contacts_search", Arguments: map[string]any{"query": "Not Allowed"}})
		if err != nil || res.IsError {
			t.Errorf("contacts_search with contacts:read: %v %s", err, resultText(res))
		} else if strings.Contains(resultText(res), "Not Allowed") {
			t.Errorf("the refused contact exists")
		}
	})

	t.Run("both credentials are required", func(t *testing.T) {
		for _, a := range []auth{{}, {Token: c.Token}, {Key: c.APIKey}} {
			if s, err := mcpConnect(ctx, n, a); err == nil {
				s.Close()
				t.Errorf("connected with %+v", a)
			}
		}
	})
}

func resultText(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		b.Write(raw)
	}
	return b.String()
}

// findID digs the created record's id out of a tool result.
func findID(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	var v map[string]any
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(raw, &v)
	} else {
		_ = json.Unmarshal([]byte(resultText(res)), &v)
	}
	for _, key := range []string{"id"} {
		if s, ok := v[key].(string); ok {
			return s
		}
	}
	for _, inner := range v {
		if m, ok := inner.(map[string]any); ok {
			if s, ok := m["id"].(string); ok {
				return s
			}
		}
	}
	t.Fatalf("no id in the tool result %s", resultText(res))
	return ""
}
