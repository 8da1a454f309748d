package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/oauth/oauthtest"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestAssistantConnects connects a hosted assistant to a real node as a
// workspace owner would: the official MCP TypeScript SDK's OAuth client
// (pinned in oauth/testdata/js) discovers the node through its
// well-knowns, registers, and sends the browser to /oauth/authorize;
// there, headless Chromium, signed in to the console with a one-time
// link, sees the consent page in the console's layout and clicks Allow;
// the client exchanges the code, lists and calls tools (only those of the
// chosen key's scopes), refreshes, and is refused once the owner revokes
// the assistant on the key's console page, and with a token minted for
// another resource. A browser without a console session is sent to sign
// in, and a consent form without the session's CSRF token changes nothing.
func TestAssistantConnects(t *testing.T) {
	t.Parallel() // its own nodes and Chromium profile
	if _, err := exec.LookPath(chromium); err != nil {
		t.Fatalf("%s is missing: apt-get install chromium (.ci/run does it)", chromium)
	}
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{Name: "assistant key", Scopes: []string{"contacts:read"}})
	origin := n.URL()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The assistant's redirect URI: the browser lands here with the code.
	back := make(chan url.Values, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/connect" {
			// The assistant's own page sends the member to the node.
			fmt.Fprintf(w, `<!doctype html><title>Assistant</title><a id="connect" href="%s">Connect</a>`, html.EscapeString(r.URL.Query().Get("to")))
			return
		}
		if r.URL.Path != "/callback" {
			http.NotFound(w, r) // the browser's favicon request
			return
		}
		select {
		case back <- r.URL.Query():
		default:
		}
		fmt.Fprint(w, "<!doctype html><title>Assistant</title><p>Back at the assistant.</p>")
	}))
	t.Cleanup(receiver.Close)

	secret, _, err := console.CreateLink(ctx, n.DB(), owner.WorkspaceID, owner.MemberID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := newChrome(t, origin)
	b.open(origin + console.LinkPath(secret))
	b.click("#link-signin", "Create a key")

	st := &oauth.Store{DB: n.DB()}
	var clientID string
	steps := oauthtest.RunFlow(t, origin+oauth.ResourcePath, receiver.URL+"/callback", func(step string, raw map[string]any) any {
		switch step {
		case "authorize":
			authURL, _ := raw["url"].(string)
			clientID, _ = raw["client_id"].(string)
			if !strings.HasPrefix(authURL, origin+oauth.AuthorizePath+"?") {
				t.Fatalf("authorization URL %s", authURL)
			}
			refusedWithoutSession(t, authURL)
			// From the assistant's site ("localhost" is another site
			// than "127.0.0.1"): the Strict session cookie is withheld,
			// the console's sign-in page reloads itself, and the
			// signed-in member lands on the consent page.
			b.open(strings.Replace(receiver.URL, "127.0.0.1", "localhost", 1) + "/connect?to=" + url.QueryEscape(authURL))
			b.click("#connect", "Connect MCP SDK test client")
			b.waitJS(`location.pathname === "` + oauth.AuthorizePath + `"`)
			b.waitText("Scopes: contacts:read")
			b.shoot("consent")
			forgedConsent(t, n, authURL, b.cookies())
			b.click(`button[name=decision][value=allow]`, "Back at the assistant.")
			var q url.Values
			select {
			case q = <-back:
			case <-ctx.Done():
				t.Fatal("the browser never came back to the assistant")
			}
			if q.Get("iss") != origin || q.Get("code") == "" {
				t.Fatalf("redirect to the assistant: %v", q)
			}
			return map[string]string{"code": q.Get("code"), "state": q.Get("state")}
		case "tools":
			tools := strings.Join(oauthtest.Strings(raw["tools"]), ",")
			if !strings.Contains(tools, "contacts_search") || strings.Contains(tools, "contacts_create") {
				t.Errorf("tools through the key (contacts:read): %s", tools)
			}
		case "revoke":
			b.open(origin + console.Path + "/keys/" + owner.KeyID)
			b.waitText("MCP SDK test client")
			b.shoot("key-assistant")
			b.click(`button[aria-label="Revoke MCP SDK test client"]`, "No assistant is connected with this key.")
			if gs, err := st.ListGrants(ctx, owner.WorkspaceID); err != nil || len(gs) != 0 {
				t.Fatalf("grants after the revocation in the console: %+v %v", gs, err)
			}
			return struct{}{}
		case "foreign":
			return map[string]string{"token": foreignToken(t, st, owner, clientID)}
		}
		return nil
	})
	if steps != oauthtest.Steps {
		t.Fatalf("steps %s", steps)
	}
	b.checkCSP()
}

// refusedWithoutSession: a browser with no console session is sent to the
// console's sign-in, which comes back to the authorization request.
func refusedWithoutSession(t *testing.T, authURL string) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	u, _ := url.Parse(authURL)
	if res.StatusCode != http.StatusSeeOther || loc.Path != console.Path+"/signin" || loc.Query().Get("next") != u.RequestURI() {
		t.Fatalf("authorize without a session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// forgedConsent posts an Allow with the browser's session cookie but
// without its CSRF token: refused, and no grant is stored.
func forgedConsent(t *testing.T, n *testbed.Node, authURL string, cookies []*http.Cookie) {
	t.Helper()
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("decision", "allow")
	form.Set(oauth.CSRFField, "forged")
	req, _ := http.NewRequest(http.MethodPost, n.URL()+oauth.AuthorizePath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged consent: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var grants int
	if err := n.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM oauth_grants`).Scan(&grants); err != nil || grants != 0 {
		t.Fatalf("grants after a forged consent: %d %v", grants, err)
	}
}

// foreignToken mints an access token of clientID for another node's /mcp.
func foreignToken(t *testing.T, st *oauth.Store, owner testbed.Creds, clientID string) string {
	t.Helper()
	const verifier = "a-verifier-of-at-least-forty-three-characters-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	redirect := "https://client.example/cb"
	code, err := st.Authorize(context.Background(), oauth.Consent{WorkspaceID: owner.WorkspaceID, MemberID: owner.MemberID, KeyID: owner.KeyID,
		ClientID: clientID, RedirectURI: redirect, Resource: "https://elsewhere.example/mcp", CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:])})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.Exchange(context.Background(), code, clientID, redirect, verifier)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Access
}

// cookies are the browser's cookies for the node (the console session's
// is HttpOnly: no page script can read it).
func (c *chrome) cookies() []*http.Cookie {
	c.t.Helper()
	res, err := chromedp.Call(c.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{c.origin}})
	var out []*http.Cookie
	for _, k := range res.Cookies {
		out = append(out, &http.Cookie{Name: k.Name, Value: k.Value})
	}
	if err != nil || len(out) == 0 {
		c.t.Fatalf("the browser's cookies: %v %v", out, err)
	}
	return out
}

// TestConsentByRole: on a node, the consent page is the console's: drawn in
// its layout under ConsentCSP for the member signed in to it; an owner
// picks a key, a plain member is told only an owner or admin may connect an
// assistant and gets no Allow button.
func TestConsentByRole(t *testing.T) {
	t.Parallel()
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{Name: "assistant key", Scopes: []string{"contacts:read"}})
	ctx := context.Background()
	var plain access.Member
	if err := n.DB().InTx(ctx, func(tx store.Tx) error {
		var err error
		plain, err = access.AddMember(ctx, tx, owner.WorkspaceID, "Plain Member", "plain@example.com", workspace.Member, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	reg, err := http.Post(n.URL()+oauth.RegisterPath, "application/json", strings.NewReader(
		`{"client_name":"Role test","redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"none"}`))
	if err != nil {
		t.Fatal(err)
	}
	var client struct {
		ID string `json:"client_id"`
	}
	if err := json.NewDecoder(reg.Body).Decode(&client); err != nil || client.ID == "" {
		t.Fatalf("register: %d %v", reg.StatusCode, err)
	}
	_ = reg.Body.Close()
	sum := sha256.Sum256([]byte("a-verifier-of-at-least-forty-three-characters-0123456789"))
	authURL := n.URL() + oauth.AuthorizePath + "?" + url.Values{"response_type": {"code"}, "client_id": {client.ID},
		"redirect_uri": {"https://client.example/cb"}, "state": {"s1"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "resource": {n.URL() + oauth.ResourcePath}}.Encode()

	for _, c := range []struct {
		memberID   string
		want, none string
	}{
		{owner.MemberID, `name="key_id" value="` + owner.KeyID + `"`, "Only a workspace owner or admin"},
		{plain.ID, "Only a workspace owner or admin can connect an assistant.", `value="allow"`},
	} {
		hc := signedIn(t, n, owner.WorkspaceID, c.memberID)
		res, err := hc.Get(authURL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		page := string(body)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, c.want) || strings.Contains(page, c.none) ||
			!strings.Contains(page, "Sign out") || res.Header.Get("Content-Security-Policy") != console.ConsentCSP {
			t.Fatalf("consent page for %s: %d %q\n%s", c.memberID, res.StatusCode, res.Header.Get("Content-Security-Policy"), page)
		}
	}
}

// signedIn is an HTTP client signed in to n's console as memberID through
// a one-time link; it follows no redirects.
func signedIn(t *testing.T, n *testbed.Node, ws, memberID string) *http.Client {
	t.Helper()
	secret, _, err := console.CreateLink(context.Background(), n.DB(), ws, memberID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(n.URL() + console.LinkPath(secret))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	m := preField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("link page without its form: %s", body)
	}
	res, err = hc.PostForm(n.URL()+"/console/link", url.Values{"pre": {m[1]}, "t": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the link: %d", res.StatusCode)
	}
	return hc
}
