package mcp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/mcp"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// noDB runs built-in tools without a database: the fake tools need none.
type noDB struct{}

func (noDB) InTx(_ context.Context, fn func(store.Tx) error) error { return fn(nil) }

func schema(s string) json.RawMessage { return json.RawMessage(s) }

// fakeRegistry has one tool per effect, in two families, and one that fails
// with an internal error carrying a secret.
func fakeRegistry() *workspace.Registry {
	reg := workspace.NewRegistry(noDB{}, nil)
	search := func(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
		var a struct{ Query string }
		_ = json.Unmarshal(args, &a)
		return workspace.Result{Data: map[string]any{"query": a.Query, "contacts": []map[string]string{{"name": "Jane Doe"}}}}, nil
	}
	reg.Add(
		workspace.Tool{Name: "contacts_search", Description: "Search contacts.", Scope: "contacts:read", Effect: workspace.Read,
			Schema: schema(`{"type":"object","properties":{"query":{"type":"string"}},"additionalProperties":false}`), Run: search},
		workspace.Tool{Name: "contacts_create", Description: "Create a contact.", Scope: "contacts:write", Effect: workspace.Write,
			Schema: schema(`{"type":"object","properties":{"name":{"type":"string","minLength":1}},"required":["name"],"additionalProperties":false}`),
			Run: func(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
				var a struct{ Name string }
				_ = json.Unmarshal(args, &a)
				return workspace.Result{
					Data:    map[string]any{"contact": map[string]string{"id": "01JTEST", "name": a.Name}},
					Actions: []workspace.Receipt{{Tool: "contacts_create", OK: true, Ref: "contact/01JTEST", Summary: "created " + a.Name}},
				}, nil
			}},
		workspace.Tool{Name: "contacts_delete", Description: "Delete a contact.", Scope: "contacts:write", Effect: workspace.Destroy, Idempotent: true,
			Schema: schema(`{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}`),
			Run: func(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
				return workspace.Result{Data: []string{"gone"}}, nil
			}},
		workspace.Tool{Name: "tasks_search", Description: "Search tasks.", Scope: "tasks:read", Effect: workspace.Read,
			Schema: schema(`{"type":"object"}`), Run: search},
		workspace.Tool{Name: "tasks_create", Description: "Create a task.", Scope: "tasks:write", Effect: workspace.Write,
			Schema: schema(`{"type":"object"}`),
			Run: func(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
				return workspace.Result{}, errors.New("db at postgres://admin:hunter2@db exploded")
			}},
	)
	return reg
}

// creds are the header pairs the fake auth knows.
type creds struct{ token, key string }

var (
	owner        = creds{"sois_tok_owner", "sois_all"}
	viewer       = creds{"sois_tok_viewer", "sois_all"}
	contactsRead = creds{"sois_tok_owner", "sois_contacts_read"}
	broken       = creds{"sois_tok_owner", "sois_broken"}
)

// fakeAuth maps header pairs to callers, like the node's auth does.
func fakeAuth(r *http.Request) (workspace.Caller, error) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	c := creds{tok, r.Header.Get("X-Api-Key")}
	switch c {
	case owner:
		return workspace.Caller{WorkspaceID: "ws1", MemberID: "m1", Role: workspace.Owner, KeyID: "k1"}, nil
	case viewer:
		return workspace.Caller{WorkspaceID: "ws1", MemberID: "m2", Role: workspace.Viewer, KeyID: "k1"}, nil
	case contactsRead:
		return workspace.Caller{WorkspaceID: "ws1", MemberID: "m1", Role: workspace.Owner, KeyID: "k2", Scopes: []string{"contacts:read"}}, nil
	case broken:
		return workspace.Caller{}, errors.New("database is down")
	}
	return workspace.Caller{}, errs.E(errs.Unauthorized, "token sois_tok_… unknown") // must not reach the client
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcp.NewHandler(fakeRegistry(), fakeAuth, mcp.Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// headers adds the two credentials to every request.
type headers struct {
	c    creds
	next http.RoundTripper
}

func (h headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+h.c.token)
	r.Header.Set("X-Api-Key", h.c.key)
	return h.next.RoundTrip(r)
}

// connect opens a real go-sdk client session with c's credentials.
func connect(t *testing.T, srv *httptest.Server, c creds) *sdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{
		Endpoint:   srv.URL + "/mcp",
		HTTPClient: &http.Client{Transport: headers{c, http.DefaultTransport}},
	}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func listNames(t *testing.T, cs *sdk.ClientSession) map[string]*sdk.Tool {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatalf("list tools: %v", err)
	}
	out := map[string]*sdk.Tool{}
	for _, tl := range res.Tools {
		out[tl.Name] = tl
	}
	return out
}

func TestListToolsPerCaller(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		name string
		c    creds
		want []string
	}{
		{"owner sees everything", owner, []string{"contacts_create", "contacts_delete", "contacts_search", "tasks_create", "tasks_search"}},
		{"viewer sees only reads", viewer, []string{"contacts_search", "tasks_search"}},
		{"contacts:read key sees only contacts reads", contactsRead, []string{"contacts_search"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := listNames(t, connect(t, srv, tc.c))
			var names []string
			for n := range got {
				names = append(names, n)
			}
			slices.Sort(names)
			if !slices.Equal(names, tc.want) {
				t.Fatalf("tools = %v, want %v", names, tc.want)
			}
		})
	}
}

func TestToolDeclarations(t *testing.T) {
	tools := listNames(t, connect(t, newServer(t), owner))
	yes, no := true, false
	for _, tc := range []struct {
		tool                  string
		readOnly, idempotent  bool
		destructive           *bool
		wantSchemaProperty    string
		wantDescriptionPrefix string
	}{
		{"contacts_search", true, true, nil, "query", "Search contacts"},
		{"contacts_create", false, false, &no, "name", "Create a contact"},
		{"contacts_delete", false, true, &yes, "id", "Delete a contact"},
	} {
		tl := tools[tc.tool]
		if tl == nil {
			t.Fatalf("%s not listed", tc.tool)
		}
		a := tl.Annotations
		if a == nil || a.ReadOnlyHint != tc.readOnly || a.IdempotentHint != tc.idempotent {
			t.Errorf("%s annotations = %+v", tc.tool, a)
			continue
		}
		if (a.DestructiveHint == nil) != (tc.destructive == nil) || (a.DestructiveHint != nil && *a.DestructiveHint != *tc.destructive) {
			t.Errorf("%s destructiveHint = %v, want %v", tc.tool, a.DestructiveHint, tc.destructive)
		}
		if !strings.HasPrefix(tl.Description, tc.wantDescriptionPrefix) {
			t.Errorf("%s description = %q", tc.tool, tl.Description)
		}
		b, _ := json.Marshal(tl.InputSchema)
		if !strings.Contains(string(b), `"`+tc.wantSchemaProperty+`"`) || !strings.Contains(string(b), `"object"`) {
			t.Errorf("%s inputSchema = %s", tc.tool, b)
		}
	}
}

func call(t *testing.T, cs *sdk.ClientSession, name string, args any) *sdk.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

func text(res *sdk.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func TestCallTool(t *testing.T) {
	cs := connect(t, newServer(t), owner)
	res := call(t, cs, "contacts_create", map[string]any{"name": "Jane Doe"})
	if res.IsError {
		t.Fatalf("error: %s", text(res))
	}
	var got struct {
		Contact struct{ ID, Name string }
		Actions []workspace.Receipt
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Contact.Name != "Jane Doe" || len(got.Actions) != 1 || got.Actions[0].Ref != "contact/01JTEST" {
		t.Fatalf("structured content = %s", b)
	}
	if !json.Valid([]byte(text(res))) || !strings.Contains(text(res), "contact/01JTEST") {
		t.Fatalf("text content = %q", text(res))
	}

	// A result that is not an object is wrapped so structured content stays one.
	res = call(t, cs, "contacts_delete", map[string]any{"id": "01JTEST"})
	if b, _ := json.Marshal(res.StructuredContent); res.IsError || string(b) != `{"result":["gone"]}` {
		t.Fatalf("delete: %s %s", b, text(res))
	}
}

func TestCallRefused(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		name string
		c    creds
		tool string
		args any
		want string
	}{
		{"viewer may not write", viewer, "contacts_create", map[string]any{"name": "X"}, "contacts:write"},
		{"key scope narrows", contactsRead, "tasks_search", map[string]any{}, "tasks:read"},
		{"bad arguments", owner, "contacts_create", map[string]any{"nom": "X"}, "arguments of contacts_create"},
		{"internal errors stay inside", owner, "tasks_create", map[string]any{}, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, connect(t, srv, tc.c), tc.tool, tc.args)
			if !res.IsError || !strings.Contains(text(res), tc.want) {
				t.Fatalf("result = error %v %q, want error containing %q", res.IsError, text(res), tc.want)
			}
			if strings.Contains(text(res), "hunter2") {
				t.Fatalf("leaked internals: %q", text(res))
			}
		})
	}
}

func TestUnknownTool(t *testing.T) {
	cs := connect(t, newServer(t), owner)
	_, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "nope", Arguments: map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), "unknown tool") {
		t.Fatalf("err = %v, want unknown tool", err)
	}
}

// post sends one raw JSON-RPC message, the way a client without our SDK does.
func post(t *testing.T, srv *httptest.Server, c creds, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.key != "" {
		req.Header.Set("X-Api-Key", c.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestMissingCredentials(t *testing.T) {
	srv := newServer(t)
	const list = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	var first []byte
	for _, c := range []creds{{}, {owner.token, ""}, {"", owner.key}, {owner.token, "sois_wrong"}, {"sois_tok_wrong", owner.key}} {
		resp, body := post(t, srv, c, list)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%+v: %d %s %s", c, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil || p["type"] != "about:blank" || p["title"] != "Unauthorized" || p["status"] != 401.0 || p["detail"] == "" {
			t.Fatalf("problem = %s", body)
		}
		if first == nil {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Fatalf("bodies differ, revealing which credential failed: %s vs %s", first, body)
		}
	}

	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	if _, err := client.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: srv.URL + "/mcp"}, nil); err == nil {
		t.Fatal("connect without credentials succeeded")
	}

	if resp, body := post(t, srv, broken, list); resp.StatusCode != http.StatusInternalServerError || strings.Contains(string(body), "database") {
		t.Fatalf("auth outage: %d %s", resp.StatusCode, body)
	}
}

// TestRawClient checks the server answers a lone tools/list with no session,
// as stateless clients and proxies send it.
func TestRawClient(t *testing.T) {
	resp, body := post(t, newServer(t), viewer, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), `"contacts_search"`) || strings.Contains(string(body), "contacts_create") {
		t.Fatalf("body = %s", body)
	}
}
