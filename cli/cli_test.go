package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// run runs a command line against env and returns stdout, stderr and the exit code.
func run(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, &cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }})
	return out.String(), errOut.String(), code
}

func TestInitKeysTokensMembers(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"SOIS_DATABASE_URL": url, "SOIS_DATA_DIR": t.TempDir(), "SOIS_PUBLIC_URL": "http://node.test"}
			out, errOut, code := run(t, env, "init", "--json")
			if code != 0 {
				t.Fatalf("init: %d %s", code, errOut)
			}
			var creds struct {
				WorkspaceID string `json:"workspace_id"`
				Token       string `json:"token"`
				APIKey      string `json:"api_key"`
				BaseURL     string `json:"base_url"`
			}
			if err := json.Unmarshal([]byte(out), &creds); err != nil || creds.WorkspaceID == "" || !strings.HasPrefix(creds.Token, "sois_tok_") || !strings.HasPrefix(creds.APIKey, "sois_") || creds.BaseURL != "http://node.test" {
				t.Fatalf("init --json = %s (%v)", out, err)
			}
			// A second init makes another workspace.
			out2, _, _ := run(t, env, "init", "--json")
			if strings.Contains(out2, creds.WorkspaceID) {
				t.Fatal("second init reused the workspace")
			}
			env["SOIS_WORKSPACE"] = creds.WorkspaceID

			out, errOut, code = run(t, env, "keys", "create", "--name", "erp", "--budget-daily", "5", "--budget-monthly", "100.50", "--scopes", "contacts:read,tasks:write", "--json")
			if code != 0 {
				t.Fatalf("keys create: %d %s", code, errOut)
			}
			var k struct {
				ID     string `json:"id"`
				APIKey string `json:"api_key"`
			}
			if err := json.Unmarshal([]byte(out), &k); err != nil || k.ID == "" || !strings.HasPrefix(k.APIKey, "sois_") {
				t.Fatalf("keys create --json = %s", out)
			}
			if _, errOut, code = run(t, env, "keys", "update", k.ID, "--no-budget-daily", "--budget-total", "1000"); code != 0 {
				t.Fatalf("keys update: %d %s", code, errOut)
			}
			out, _, _ = run(t, env, "keys", "list", "--json")
			var keys []struct {
				ID            string   `json:"id"`
				Scopes        []string `json:"scopes"`
				BudgetDaily   *string  `json:"budget_daily_usd"`
				BudgetMonthly *string  `json:"budget_monthly_usd"`
				BudgetTotal   *string  `json:"budget_total_usd"`
			}
			if err := json.Unmarshal([]byte(out), &keys); err != nil || len(keys) != 2 {
				t.Fatalf("keys list = %s", out)
			}
			got := keys[1]
			if got.ID != k.ID || got.BudgetDaily != nil || *got.BudgetMonthly != "100.50" || *got.BudgetTotal != "1000.00" || len(got.Scopes) != 2 {
				t.Fatalf("updated key %+v", got)
			}
			// Bad input: clear errors, nothing changed.
			for _, args := range [][]string{
				{"keys", "create", "--budget-daily", "-5"},
				{"keys", "create", "--budget-daily", "1.1234567"},
				{"keys", "create", "--scopes", "contacts:fly"},
				{"keys", "create", "--response-url", "http://10.0.0.1/hook"},
				{"keys", "update", k.ID, "--budget-daily", "5", "--no-budget-daily"},
				{"keys", "update", k.ID, "--response-url", "https://hooks.example.com/x", "--no-response-url"},
				// A new key has nothing to remove, a listing adds
				// no one: flags of another form are refused, not
				// ignored.
				{"keys", "create", "--threshold", "0"}, // was taken as the default, 80
				{"keys", "create", "--no-budget-daily"},
				{"keys", "create", "--no-response-url"},
				{"members", "list", "--role", "viewer"},
				{"keys", "update", "NOPE", "--name", "x"},
				{"members", "add", "--name", "X", "--email", "not-an-email"},
				{"members", "add", "--name", "X", "--email", "x@example.com", "--role", "king"},
			} {
				if _, errOut, code := run(t, env, args...); code == 0 || errOut == "" {
					t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
				}
			}
			out, _, _ = run(t, env, "keys", "list", "--json")
			if strings.Count(out, `"id"`) != 2 {
				t.Fatalf("bad input created keys: %s", out)
			}

			if _, errOut, code = run(t, env, "members", "add", "--name", "Vera", "--email", "vera@example.com", "--role", "viewer"); code != 0 {
				t.Fatalf("members add: %s", errOut)
			}
			out, _, _ = run(t, env, "members", "list")
			if !strings.Contains(out, "vera@example.com") || !strings.Contains(out, "viewer") {
				t.Fatalf("members list = %s", out)
			}
			out, errOut, code = run(t, env, "tokens", "create", "--member", "vera@example.com", "--json")
			var tok struct {
				ID    string `json:"id"`
				Token string `json:"token"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &tok) != nil || !strings.HasPrefix(tok.Token, "sois_tok_") {
				t.Fatalf("tokens create: %d %s %s", code, out, errOut)
			}
			// tokens list names the tokens (to revoke one), never a secret.
			out, errOut, code = run(t, env, "tokens", "list", "--member", "vera@example.com", "--json")
			if code != 0 || !strings.Contains(out, tok.ID) || strings.Contains(out, "sois_tok_") || strings.Count(out, `"id"`) != 1 {
				t.Fatalf("tokens list --member: %d %s %s", code, out, errOut)
			}
			if out, _, _ = run(t, env, "tokens", "list"); !strings.Contains(out, tok.ID) || strings.Count(out, "\n") < 3 {
				t.Fatalf("tokens list: %s", out)
			}
			// revoke takes the id alone: a member named there would
			// suggest a check that does not happen.
			if _, errOut, code = run(t, env, "tokens", "revoke", tok.ID, "--member", "owner@example.com"); code == 0 || !strings.Contains(errOut, "--member") {
				t.Fatalf("tokens revoke --member: exit %d, stderr %q", code, errOut)
			}
			// --json is JSON for a revocation too, not a sentence.
			out, errOut, code = run(t, env, "tokens", "revoke", tok.ID, "--json")
			var revokedTok struct {
				ID      string `json:"id"`
				Revoked bool   `json:"revoked"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &revokedTok) != nil || revokedTok.ID != tok.ID || !revokedTok.Revoked {
				t.Fatalf("tokens revoke --json: %d %q %s", code, out, errOut)
			}
			out, errOut, code = run(t, env, "keys", "revoke", k.ID, "--json")
			var revokedKey cli.KeyView
			if code != 0 || json.Unmarshal([]byte(out), &revokedKey) != nil || revokedKey.ID != k.ID || !revokedKey.Revoked {
				t.Fatalf("keys revoke --json: %d %q %s", code, out, errOut)
			}
			if _, errOut, code = run(t, env, "keys", "update", k.ID, "--name", "revived"); code == 0 || !strings.Contains(errOut, "revoked") {
				t.Fatalf("keys update of a revoked key: exit %d, stderr %q", code, errOut)
			}
		})
	}
}

func TestSendAgainstARunningNode(t *testing.T) {
	url := storetest.SQLiteURL(t)
	n := testbed.Start(t, node.Config{DatabaseURL: url})
	env := map[string]string{"SOIS_DATABASE_URL": url, "SOIS_DATA_DIR": t.TempDir()}
	out, errOut, code := run(t, env, "init", "--json")
	if code != 0 {
		t.Fatalf("init while serving: %s", errOut)
	}
	var creds struct{ Token, APIKey string }
	var raw map[string]string
	_ = json.Unmarshal([]byte(out), &raw)
	creds.Token, creds.APIKey = raw["token"], raw["api_key"]
	env["SOIS_TOKEN"], env["SOIS_API_KEY"], env["SOIS_URL"] = creds.Token, creds.APIKey, n.URL()
	out, errOut, code = run(t, env, "send", "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", "--wait", "20")
	if code != 0 || !strings.HasPrefix(out, "Contact created") {
		t.Fatalf("send: %d %q %q", code, out, errOut)
	}
	if _, _, code := run(t, env, "send"); code != 2 {
		t.Fatalf("send without a message: exit %d, want 2", code)
	}
}

func TestOpenAPIAndUsage(t *testing.T) {
	out, _, code := run(t, nil, "openapi")
	if code != 0 || !strings.Contains(out, "openapi: 3.1") || !strings.Contains(out, "/api/agent") {
		t.Fatalf("openapi: %d %.200s", code, out)
	}
	if _, errOut, code := run(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown verb: %d %s", code, errOut)
	}
}
