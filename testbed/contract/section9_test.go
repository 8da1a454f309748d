package contract_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/poll"
)

// DESIGN §9: operating it.
func TestSection9Operating(t *testing.T) {
	t.Parallel()
	n := startNode(t)
	c := n.initWorkspace(t)

	t.Run("healthz, readyz, metrics", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			if r := request(t, "GET", n.URL+p, nil, nil); r.Status != http.StatusOK {
				t.Errorf("GET %s = %s", p, r)
			}
		}
		r := request(t, "GET", n.URL+"/metrics", nil, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "# TYPE ") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("GET /metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
	})

	t.Run("init: each run another workspace; plain output has the secrets and a curl", func(t *testing.T) {
		out := n.mustCLI(t, "init")
		if !strings.Contains(out, "sois_tok_") || !strings.Contains(out, "curl") || !strings.Contains(out, n.URL+"/api/agent") {
			t.Errorf("init output:\n%s", out)
		}
		d := n.initWorkspace(t)
		if d.WorkspaceID == c.WorkspaceID || d.Token == c.Token || d.APIKey == c.APIKey {
			t.Errorf("init reused a workspace or secret")
		}
	})

	t.Run("SOIS_DATABASE_URL defaults to sqlite://./data/sois.db", func(t *testing.T) {
		dir := t.TempDir()
		cmd := exec.Command(binary, "init", "--json")
		cmd.Dir = dir
		cmd.Env = append(cleanEnv(), "SOIS_DATA_DIR="+filepath.Join(dir, "data"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("init: %v %s", err, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "data", "sois.db")); err != nil {
			t.Errorf("no ./data/sois.db: %v", err)
		}
		var cr creds
		decode(t, string(out), &cr)
		if cr.BaseURL != "http://127.0.0.1:8080" {
			t.Errorf("default base_url = %q, want http://127.0.0.1:8080 (SOIS_LISTEN default)", cr.BaseURL)
		}
	})

	t.Run("keys create with every flag, --json prints id and api_key; list, update, revoke", func(t *testing.T) {
		out := n.mustCLI(t, "keys", "create", "--workspace", c.WorkspaceID, "--name", "erp", "--budget-daily", "1.50",
			"--budget-monthly", "20", "--budget-total", "100", "--response-url", "https://hooks.example.com/sois", "--scopes", "contacts:read,tasks:write", "--json")
		var k map[string]any
		decode(t, out, &k)
		id, _ := k["id"].(string)
		secret, _ := k["api_key"].(string)
		if id == "" || !strings.HasPrefix(secret, "sois_") {
			t.Fatalf("keys create --json = %s", out)
		}
		a := auth{c.Token, secret}
		list := n.mustCLI(t, "keys", "list", "--workspace", c.WorkspaceID, "--json")
		if !strings.Contains(list, id) || strings.Contains(list, secret) {
			t.Errorf("keys list: the key is missing or its secret is shown:\n%s", list)
		}
		if plain := n.mustCLI(t, "keys", "list", "--workspace", c.WorkspaceID); !strings.Contains(plain, id) {
			t.Errorf("keys list (table) lacks the key:\n%s", plain)
		}
		budget := func() map[string]string {
			r := n.do(t, "GET", "/api/agent/budget", a, nil)
			var b struct {
				Budgets []struct {
					Budget   string `json:"budget"`
					LimitUSD string `json:"limit_usd"`
				} `json:"budgets"`
			}
			r.json(t, &b)
			out := map[string]string{}
			for _, w := range b.Budgets {
				out[w.Budget] = strings.TrimRight(strings.TrimRight(w.LimitUSD, "0"), ".")
			}
			return out
		}
		if b := budget(); b["daily"] != "1.5" || b["monthly"] != "20" || b["total"] != "100" {
			t.Errorf("budgets after create: %v", b)
		}
		n.mustCLI(t, "keys", "update", id, "--workspace", c.WorkspaceID, "--budget-daily", "2")
		if b := budget(); b["daily"] != "2" {
			t.Errorf("budgets after update: %v", b)
		}
		n.mustCLI(t, "keys", "revoke", id, "--workspace", c.WorkspaceID)
		checkProblem(t, n.do(t, "GET", "/api/agent/budget", a, nil), http.StatusUnauthorized)
	})

	t.Run("tokens create|revoke, members add|list", func(t *testing.T) {
		n.mustCLI(t, "members", "add", "--workspace", c.WorkspaceID, "--name", "Tom Member", "--email", "tom@example.com", "--role", "member")
		if list := n.mustCLI(t, "members", "list", "--workspace", c.WorkspaceID); !strings.Contains(list, "tom@example.com") {
			t.Errorf("members list:\n%s", list)
		}
		var tok struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		}
		decode(t, n.mustCLI(t, "tokens", "create", "--workspace", c.WorkspaceID, "--member", "tom@example.com", "--json"), &tok)
		a := auth{tok.Token, c.APIKey}
		if r := n.do(t, "GET", "/api/agent/budget", a, nil); r.Status != http.StatusOK {
			t.Fatalf("new token: %s", r)
		}
		n.mustCLI(t, "tokens", "revoke", tok.ID, "--workspace", c.WorkspaceID)
		checkProblem(t, n.do(t, "GET", "/api/agent/budget", a, nil), http.StatusUnauthorized)
	})

	t.Run("send is a client", func(t *testing.T) {
		cmd := exec.Command(binary, "send", "Create a contact for Sendy Client, sendy@example.com", "--wait", "30")
		cmd.Dir = n.dir
		cmd.Env = append(cleanEnv(), "SOIS_URL="+n.URL, "SOIS_TOKEN="+c.Token, "SOIS_API_KEY="+c.APIKey)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Sendy Client") {
			t.Errorf("send: %v\n%s", err, out)
		}
	})

	t.Run("openapi: OpenAPI 3.1 with webhooks, summaries and error responses; served too", func(t *testing.T) {
		out := n.mustCLI(t, "openapi")
		if !strings.Contains(out, "openapi: 3.1") && !strings.Contains(out, `"openapi": "3.1`) {
			t.Errorf("soisnode openapi is not OpenAPI 3.1:\n%.300s", out)
		}
		// The served document is the same but for its servers, which name
		// this node (SOIS_PUBLIC_URL) so a generated client calls it.
		served := strings.Replace(out, "  - description: A local node (make run)\n    url: http://127.0.0.1:8080\n",
			"  - description: This node\n    url: "+strings.TrimRight(n.URL, "/")+"\n", 1)
		if served == out {
			t.Errorf("soisnode openapi has no placeholder server to replace:\n%.300s", out)
		}
		if r := request(t, "GET", n.URL+"/openapi.yaml", nil, nil); r.Status != http.StatusOK || string(r.Body) != served {
			t.Errorf("GET /openapi.yaml (%d) differs from soisnode openapi with this node's URL as its server", r.Status)
		}
		repo, err := os.ReadFile(filepath.Join("..", "..", "openapi", "openapi.yaml"))
		if err != nil || string(repo) != out {
			t.Errorf("openapi/openapi.yaml differs from soisnode openapi (%v)", err)
		}
		r := request(t, "GET", n.URL+"/openapi.json", nil, nil)
		var doc struct {
			OpenAPI  string                                `json:"openapi"`
			Paths    map[string]map[string]json.RawMessage `json:"paths"`
			Webhooks map[string]json.RawMessage            `json:"webhooks"`
		}
		r.json(t, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Webhooks) == 0 {
			t.Errorf("openapi %q, %d webhooks", doc.OpenAPI, len(doc.Webhooks))
		}
		for _, p := range []string{"/api/agent", "/api/agent/conversations", "/api/agent/conversations/{id}", "/api/agent/conversations/{id}/cancel", "/api/agent/budget"} {
			if doc.Paths[p] == nil {
				t.Errorf("path %s is not documented", p)
			}
		}
		for path, ops := range doc.Paths {
			for method, raw := range ops {
				var op struct {
					Summary   string                     `json:"summary"`
					Responses map[string]json.RawMessage `json:"responses"`
				}
				if json.Unmarshal(raw, &op) != nil || method == "parameters" {
					continue
				}
				has4xx := false
				for code := range op.Responses {
					has4xx = has4xx || strings.HasPrefix(code, "4") || code == "default"
				}
				if op.Summary == "" || !has4xx {
					t.Errorf("%s %s: summary %q, error responses %v", method, path, op.Summary, has4xx)
				}
			}
		}
	})

	t.Run("serve --listen; graceful shutdown on SIGTERM", func(t *testing.T) {
		m := newNode(t)
		addr := freeAddr(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, "serve", "--listen", addr)
		cmd.Dir, cmd.Env = m.dir, m.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		up := poll.Until(15*time.Second, func() bool {
			r, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				return false
			}
			r.Body.Close()
			return r.StatusCode == http.StatusOK
		})
		if !up {
			t.Fatal("serve --listen did not come up on the flag's address")
		}
		_ = cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve after SIGINT: %v", err)
		}
		if err := n.stop(t); err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	})
}
