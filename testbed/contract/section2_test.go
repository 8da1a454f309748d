package contract_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DESIGN §2: identities and credentials.
func TestSection2Credentials(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	a := n.initWorkspace(t)
	b := n.initWorkspace(t)

	t.Run("init --json prints workspace_id, token, api_key, base_url", func(t *testing.T) {
		raw := n.mustCLI(t, "init", "--json")
		var m map[string]any
		decode(t, raw, &m)
		for _, k := range []string{"workspace_id", "token", "api_key", "base_url"} {
			if s, _ := m[k].(string); s == "" {
				t.Errorf("init --json: %q missing or empty in %s", k, raw)
			}
		}
		if !strings.HasPrefix(a.Token, "sois_tok_") {
			t.Errorf("token %q does not start with sois_tok_", a.Token)
		}
		if !strings.HasPrefix(a.APIKey, "sois_") || strings.HasPrefix(a.APIKey, "sois_tok_") {
			t.Errorf("api_key %q is not sois_…", a.APIKey)
		}
		if a.BaseURL != n.URL {
			t.Errorf("base_url = %q, want %q (http://<SOIS_LISTEN>)", a.BaseURL, n.URL)
		}
		if a.WorkspaceID == b.WorkspaceID || m["workspace_id"] == a.WorkspaceID {
			t.Errorf("each init must create another workspace: %s %s %v", a.WorkspaceID, b.WorkspaceID, m["workspace_id"])
		}
	})

	t.Run("both credentials of one workspace are accepted", func(t *testing.T) {
		if r := n.do(t, "GET", "/api/agent/budget", a.auth(), nil); r.Status != http.StatusOK {
			t.Fatalf("GET /api/agent/budget = %s", r)
		}
		r := n.do(t, "POST", "/mcp", a.auth(), mcpInit, "Accept", "application/json, text/event-stream")
		if r.Status != http.StatusOK {
			t.Fatalf("POST /mcp initialize = %s", r)
		}
	})

	t.Run("secrets are stored only as hashes", func(t *testing.T) {
		c := n.initWorkspace(t)
		// Let SQLite's write-ahead log settle, then look for the secrets in
		// every file of the database.
		files, _ := filepath.Glob(filepath.Join(n.dir, "sois.db*"))
		if len(files) == 0 {
			t.Fatal("no database file")
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{c.Token, c.APIKey, strings.TrimPrefix(c.Token, "sois_tok_"), strings.TrimPrefix(c.APIKey, "sois_")} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("%s holds a secret in clear text", filepath.Base(f))
				}
			}
		}
	})

	t.Run("no request sees another workspace's data", func(t *testing.T) {
		cv := n.send(t, a.auth(), map[string]any{"message": "Create a contact for Wanda Isolated, CEO of Tenantco, wanda@tenant.example"})
		if cv.Status != "completed" {
			t.Fatalf("create: %+v", cv)
		}
		got := n.send(t, b.auth(), map[string]any{"message": "Look up wanda@tenant.example"})
		if strings.Contains(got.Reply, "Wanda") {
			t.Errorf("workspace B found workspace A's contact: %q", got.Reply)
		}
	})

	t.Run("effective permission is member role ∩ key scopes", func(t *testing.T) {
		c := n.initWorkspace(t)
		ws := c.WorkspaceID
		// A key narrowed to contacts:read may not create.
		ro := n.keyCreate(t, ws, "--scopes", "contacts:read")
		cv := n.send(t, auth{c.Token, ro}, map[string]any{"message": "Create a contact for Scoped Out, scoped@example.com"})
		if len(cv.Turns) == 0 || hasOKAction(cv.Turns[len(cv.Turns)-1].Actions, "contacts_create") {
			t.Errorf("a contacts:read key created a contact: %+v", cv)
		}
		// A viewer may not create even with an unscoped key.
		n.mustCLI(t, "members", "add", "--workspace", ws, "--name", "Vera Viewer", "--email", "vera@example.com", "--role", "viewer")
		var tok struct {
			Token string `json:"token"`
		}
		decode(t, n.mustCLI(t, "tokens", "create", "--workspace", ws, "--member", "vera@example.com", "--json"), &tok)
		if !strings.HasPrefix(tok.Token, "sois_tok_") {
			t.Fatalf("tokens create --json: token %q", tok.Token)
		}
		cv = n.send(t, auth{tok.Token, c.APIKey}, map[string]any{"message": "Create a contact for Viewer Made, viewer-made@example.com"})
		if len(cv.Turns) == 0 || hasOKAction(cv.Turns[len(cv.Turns)-1].Actions, "contacts_create") {
			t.Errorf("a viewer created a contact: %+v", cv)
		}
		// Neither contact exists.
		got := n.send(t, c.auth(), map[string]any{"message": "List all contacts"})
		if strings.Contains(got.Reply, "Scoped Out") || strings.Contains(got.Reply, "Viewer Made") {
			t.Errorf("a refused create happened: %q", got.Reply)
		}
	})
	// These run last: 30 failed authentications a minute from one address
	// trigger the abuse protection (429), checked at the end.
	//
	// A failed check says 401 without revealing which part was wrong: every
	// bad combination gets the same problem body, on both endpoints.
	bad := map[string]auth{
		"no credentials":        {},
		"token only":            {Token: a.Token},
		"key only":              {Key: a.APIKey},
		"wrong token":           {Token: "sois_tok_" + strings.Repeat("a", 52), Key: a.APIKey},
		"wrong key":             {Token: a.Token, Key: "sois_" + strings.Repeat("a", 52)},
		"malformed token":       {Token: "nonsense", Key: a.APIKey},
		"token and key swapped": {Token: a.APIKey, Key: a.Token},
		"different workspaces":  {Token: a.Token, Key: b.APIKey},
	}
	endpoints := []struct {
		name, method, path, body string
		hdr                      []string
	}{
		{"POST /api/agent", "POST", "/api/agent", `{"message":"List all contacts"}`, nil},
		{"GET /api/agent/conversations", "GET", "/api/agent/conversations", "", nil},
		{"POST /mcp", "POST", "/mcp", mcpInit, []string{"Accept", "application/json, text/event-stream"}},
	}
	for _, ep := range endpoints {
		t.Run("401 identical for every bad credential: "+ep.name, func(t *testing.T) {
			var first []byte
			for name, cred := range bad {
				var body any
				if ep.body != "" {
					body = ep.body
				}
				r := n.do(t, ep.method, ep.path, cred, body, ep.hdr...)
				if r.Status != http.StatusUnauthorized {
					t.Errorf("%s: status %s, want 401", name, r)
					continue
				}
				checkProblem(t, r, http.StatusUnauthorized)
				if first == nil {
					first = r.Body
				} else if !bytes.Equal(first, r.Body) {
					t.Errorf("%s: 401 body differs from another bad credential's, revealing which part was wrong:\n%s\n%s", name, first, r.Body)
				}
			}
		})
	}

	t.Run("429 only for abuse protection, with Retry-After", func(t *testing.T) {
		var r resp
		for i := 0; i < 40; i++ {
			r = n.do(t, "GET", "/api/agent/budget", auth{Token: a.Token, Key: "sois_wrong"}, nil)
			if r.Status == http.StatusTooManyRequests {
				break
			}
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("bad key: %s", r)
			}
		}
		checkProblem(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
	})
}

const mcpInit = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`

func hasOKAction(as []action, tool string) bool {
	for _, a := range as {
		if a.Tool == tool && a.OK {
			return true
		}
	}
	return false
}
