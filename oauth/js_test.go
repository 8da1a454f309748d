package oauth_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/testbed/npmtool"
)

// TestTypeScriptSDK connects the official MCP TypeScript SDK's OAuth
// client (pinned in testdata/js) to a node: it discovers, registers,
// authorizes (this test is the signed-in member in the browser), lists
// and calls tools, refreshes, and is refused after the grant is revoked
// and with a token for another resource.
func TestTypeScriptSDK(t *testing.T) {
	dir, _ := filepath.Abs("testdata/js")
	npmtool.Install(t, dir)
	e := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "flow.mjs", e.resource())
	cmd.Dir = dir
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	reply := func(v any) {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(stdin, "%s\n", b); err != nil {
			t.Fatalf("write to the script: %v", err)
		}
	}
	var steps []string
	var clientID string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var raw map[string]any
		if err := json.Unmarshal(lines.Bytes(), &raw); err != nil {
			t.Logf("script: %s", lines.Text())
			continue
		}
		step, _ := raw["step"].(string)
		steps = append(steps, step)
		switch step {
		case "authorize":
			authURL, _ := raw["url"].(string)
			clientID, _ = raw["client_id"].(string)
			if !strings.HasPrefix(authURL, e.n.URL()+oauth.AuthorizePath+"?") {
				t.Fatalf("authorization URL %s", authURL)
			}
			form, page := e.consentForm(authURL, e.cookie)
			if page.status != http.StatusOK || !strings.Contains(page.body, "MCP SDK test client") {
				t.Fatalf("consent page: %d %s", page.status, page.body)
			}
			form.Set("key_id", e.owner.KeyID)
			form.Set("decision", "allow")
			u := location(t, e.post(oauth.AuthorizePath, form, e.cookie))
			if u.Host != "127.0.0.1:9" || u.Query().Get("iss") != e.n.URL() {
				t.Fatalf("redirect %s", u)
			}
			reply(map[string]string{"code": u.Query().Get("code"), "state": u.Query().Get("state")})
		case "tools":
			tools := strings.Join(toStrings(raw["tools"]), ",")
			if !strings.Contains(tools, "contacts_search") || strings.Contains(tools, "contacts_create") {
				t.Errorf("tools through the key (contacts:read): %s", tools)
			}
		case "revoke":
			st := &oauth.Store{DB: e.n.DB()}
			grants, err := st.ListGrants(ctx, e.owner.WorkspaceID)
			if err != nil || len(grants) != 1 || grants[0].ClientName != "MCP SDK test client" || grants[0].LastUsedAt == nil {
				t.Fatalf("grants: %+v %v", grants, err)
			}
			if err := st.RevokeGrant(ctx, e.owner.WorkspaceID, grants[0].ID); err != nil {
				t.Fatal(err)
			}
			reply(struct{}{})
		case "foreign":
			reply(map[string]string{"token": mintForResource(t, e, clientID, "https://elsewhere.example/mcp")})
		}
	}
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("script: %v (steps %v)\n%s", err, steps, stderr.String())
	}
	if got := strings.Join(steps, ","); got != "authorize,tools,refreshed,revoke,foreign,done" {
		t.Fatalf("steps %s\n%s", got, stderr.String())
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}
