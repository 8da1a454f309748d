package oauth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/oauth/oauthtest"
)

// TestTypeScriptSDK connects the official MCP TypeScript SDK's OAuth
// client (pinned in testdata/js) to a node: it discovers, registers,
// authorizes (this test is the signed-in member in the browser), lists
// and calls tools, refreshes, and is refused after the grant is revoked
// and with a token for another resource.
func TestTypeScriptSDK(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	var clientID string
	steps := oauthtest.RunFlow(t, e.resource(), "", func(step string, raw map[string]any) any {
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
			return map[string]string{"code": u.Query().Get("code"), "state": u.Query().Get("state")}
		case "tools":
			tools := strings.Join(oauthtest.Strings(raw["tools"]), ",")
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
			return struct{}{}
		case "foreign":
			return map[string]string{"token": mintForResource(t, e, clientID, "https://elsewhere.example/mcp")}
		}
		return nil
	})
	if steps != oauthtest.Steps {
		t.Fatalf("steps %s", steps)
	}
}
