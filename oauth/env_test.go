package oauth_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// env is a running node with a test console: its owner is signed in with
// cookie.
type env struct {
	t      *testing.T
	n      *testbed.Node
	sess   *testSessions
	owner  testbed.Creds
	cookie *http.Cookie
	hc     *http.Client // follows no redirects
}

func start(t *testing.T) *env {
	t.Helper()
	sess := newTestSessions()
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Sessions: sess})
	owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{Name: "assistant key", Scopes: []string{"contacts:read"}})
	e := &env{t: t, n: n, sess: sess, owner: owner,
		cookie: sess.signIn("owner", oauth.Member{WorkspaceID: owner.WorkspaceID, MemberID: owner.MemberID, Name: "Test Member", Role: "owner"}),
		hc:     &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return e
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("status %d, body %q: %v", r.status, r.body, err)
	}
	return m
}

// oauthError asserts an RFC 6749 §5.2 error.
func (r response) oauthError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.json(t)["error"] != code || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("want %d %s, got %d %s", status, code, r.status, r.body)
	}
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	res, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

func (e *env) get(rawURL string, cookie *http.Cookie) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return e.do(req)
}

// post sends form to path; basic, when given, is client id and secret.
func (e *env) post(path string, form url.Values, cookie *http.Cookie, basic ...string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.n.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	return e.do(req)
}

func (e *env) register(meta any) response {
	e.t.Helper()
	b, _ := json.Marshal(meta)
	req, _ := http.NewRequest(http.MethodPost, e.n.URL()+oauth.RegisterPath, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

// client registers a public client redirecting to https://client.example/cb.
func (e *env) client() string {
	e.t.Helper()
	r := e.register(map[string]any{"client_name": "Test Assistant", "redirect_uris": []string{"https://client.example/cb"},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"}})
	if r.status != http.StatusCreated {
		e.t.Fatalf("register: %d %s", r.status, r.body)
	}
	return r.json(e.t)["client_id"].(string)
}

func (e *env) resource() string { return e.n.URL() + "/mcp" }

// authorizeURL is an authorization request; over replaces parameters
// (an empty value drops one).
func (e *env) authorizeURL(clientID string, over ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {"https://client.example/cb"},
		"state": {"st-123"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}, "resource": {e.resource()}}
	for i := 0; i+1 < len(over); i += 2 {
		if over[i+1] == "" {
			q.Del(over[i])
		} else {
			q.Set(over[i], over[i+1])
		}
	}
	return e.n.URL() + oauth.AuthorizePath + "?" + q.Encode()
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// consentForm opens the consent page as cookie's member and returns the
// form it holds.
func (e *env) consentForm(authURL string, cookie *http.Cookie) (url.Values, response) {
	e.t.Helper()
	page := e.get(authURL, cookie)
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page.body, -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return form, page
}

// location is the redirect of r, parsed.
func location(t *testing.T, r response) *url.URL {
	t.Helper()
	if r.status != http.StatusSeeOther {
		t.Fatalf("want a redirect, got %d %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// code runs the browser part as the owner: consent with keyID, and
// return the code from the redirect.
func (e *env) code(clientID, keyID string) string {
	e.t.Helper()
	form, page := e.consentForm(e.authorizeURL(clientID), e.cookie)
	if page.status != http.StatusOK {
		e.t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	form.Set("key_id", keyID)
	form.Set("decision", "allow")
	u := location(e.t, e.post(oauth.AuthorizePath, form, e.cookie))
	if u.Host != "client.example" || u.Query().Get("state") != "st-123" || u.Query().Get("code") == "" {
		e.t.Fatalf("redirect after consent: %s", u)
	}
	return u.Query().Get("code")
}

// tokens exchanges code for tokens as a public client.
func (e *env) tokens(clientID, code string) (access, refresh string) {
	e.t.Helper()
	r := e.post(oauth.TokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID},
		"redirect_uri": {"https://client.example/cb"}, "code_verifier": {verifier}, "resource": {e.resource()}}, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("token: %d %s", r.status, r.body)
	}
	m := r.json(e.t)
	if m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || r.header.Get("Cache-Control") != "no-store" {
		e.t.Fatalf("token response: %v %v", m, r.header)
	}
	return m["access_token"].(string), m["refresh_token"].(string)
}

// count is the number of rows of table.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.n.DB().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
