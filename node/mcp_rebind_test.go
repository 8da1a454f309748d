package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// hostTransport sends the credentials and, when set, a forged Host and Origin.
type hostTransport struct {
	headerTransport
	host, origin string
}

func (h hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if h.host != "" {
		r.Host = h.host
	}
	if h.origin != "" {
		r.Header.Set("Origin", h.origin)
	}
	return h.headerTransport.RoundTrip(r)
}

// TestMCPRefusesRebinding: /mcp answers the node's own names (listen
// address, SOIS_PUBLIC_URL, SOIS_MCP_ALLOW_HOSTS) and refuses any other
// Host or Origin with 403 problem+json, before anything runs.
func TestMCPRefusesRebinding(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), PublicURL: "https://node.example.test",
		MCPAllowHosts: []string{"mcp.example.test:8443"}})
	ctx := context.Background()
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	connect := func(host, origin string) (*sdk.ClientSession, error) {
		client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
		return client.Connect(ctx, &sdk.StreamableClientTransport{
			Endpoint:   n.URL() + "/mcp",
			HTTPClient: &http.Client{Transport: hostTransport{headerTransport{c.Token, c.APIKey}, host, origin}},
		}, nil)
	}
	for _, ok := range []struct{ host, origin string }{
		{"", ""},                     // the listen address
		{"localhost:" + port(n), ""}, // another loopback name, same port
		{"node.example.test", "https://node.example.test"}, // SOIS_PUBLIC_URL, behind a proxy
		{"mcp.example.test:8443", ""},                      // the allow-list
	} {
		s, err := connect(ok.host, ok.origin)
		if err != nil {
			t.Fatalf("Host %q Origin %q refused: %v", ok.host, ok.origin, err)
		}
		s.Close()
	}
	for _, bad := range []struct{ host, origin string }{
		{"evil.example", ""},
		{"evil.example:" + port(n), ""},
		{"mcp.example.test:9999", ""}, // allow-listed name, other port
		{"", "http://evil.example"},
		{"", "null"},
	} {
		if s, err := connect(bad.host, bad.origin); err == nil {
			s.Close()
			t.Errorf("Host %q Origin %q: the official client connected", bad.host, bad.origin)
		}
	}

	// A forged Host gets 403 problem+json and changes nothing.
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"contacts_create","arguments":{"name":"Rebound Person"}}}`
	req, _ := http.NewRequest("POST", n.URL()+"/mcp", strings.NewReader(call))
	req.Host = "attacker.example"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("X-Api-Key", c.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal(body, &p) != nil || p.Status != 403 || !strings.Contains(p.Detail, "attacker.example") {
		t.Fatalf("forged Host: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	s, err := connect("", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_search", Arguments: map[string]any{"name": "Rebound"}})
	if err != nil || res.IsError || strings.Contains(toText(res), "Rebound Person") {
		t.Fatalf("after a forged request: %v %s", err, toText(res))
	}
}

// TestMCPNullableArguments: every optional argument of every tool is
// declared nullable (clients such as the MCP Inspector send null for an
// empty field), and a call with null optional arguments works.
func TestMCPNullableArguments(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	ctx := context.Background()
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	s, err := connectMCP(t, n, c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tools, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, tool := range tools.Tools {
		raw, _ := json.Marshal(tool.InputSchema)
		var schema struct {
			Required   []string                  `json:"required"`
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(raw, &schema); err != nil {
			t.Fatalf("%s schema %s: %v", tool.Name, raw, err)
		}
		for name, p := range schema.Properties {
			if slices.Contains(schema.Required, name) {
				continue
			}
			checked++
			if !nullable(p) {
				t.Errorf("%s: optional argument %s is not nullable: %v", tool.Name, name, p)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d optional arguments seen", checked)
	}
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{
		"name": "Nora Null", "email": nil, "phone": nil, "company": "Nullco", "tags": nil}})
	if err != nil || res.IsError {
		t.Fatalf("contacts_create with nulls: %v %s", err, toText(res))
	}
	res, err = s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_search", Arguments: map[string]any{
		"query": nil, "name": "Nora", "email": nil, "limit": nil, "cursor": nil}})
	if err != nil || res.IsError || !strings.Contains(toText(res), "Nullco") {
		t.Fatalf("contacts_search with nulls: %v %s", err, toText(res))
	}
	// A required argument stays required: null is refused.
	res, err = s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": nil}})
	if err != nil || !res.IsError {
		t.Fatalf("contacts_create name=null: %v %s", err, toText(res))
	}
}

func nullable(p map[string]any) bool {
	switch t := p["type"].(type) {
	case string:
		return t == "null"
	case []any:
		return slices.Contains(t, any("null"))
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := p[k].([]any); ok {
			for _, a := range alts {
				if m, ok := a.(map[string]any); ok && nullable(m) {
					return true
				}
			}
		}
	}
	return false
}

func port(n *testbed.Node) string { return n.Addr()[bytes.LastIndexByte([]byte(n.Addr()), ':')+1:] }
