package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestMetadata: the documents a client discovers the node with, and the
// 401 that points to them.
func TestMetadata(t *testing.T) {
	e := start(t)
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		r := e.get(e.n.URL()+path, nil)
		m := r.json(t)
		if r.status != 200 || m["resource"] != e.resource() || m["authorization_servers"].([]any)[0] != e.n.URL() ||
			r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	r := e.get(e.n.URL()+"/.well-known/oauth-authorization-server", nil)
	m := r.json(t)
	for k, want := range map[string]string{"issuer": e.n.URL(), "authorization_endpoint": e.n.URL() + "/oauth/authorize",
		"token_endpoint": e.n.URL() + "/oauth/token", "registration_endpoint": e.n.URL() + "/oauth/register",
		"revocation_endpoint": e.n.URL() + "/oauth/revoke"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %s", k, m[k], want)
		}
	}
	if methods := m["code_challenge_methods_supported"].([]any); len(methods) != 1 || methods[0] != "S256" {
		t.Errorf("code_challenge_methods_supported: %v", methods)
	}
	if _, ok := m["jwks_uri"]; ok {
		t.Error("jwks_uri advertised, but nothing is signed")
	}

	// Every 401 from /mcp names the resource metadata.
	want := `Bearer resource_metadata="` + e.n.URL() + `/.well-known/oauth-protected-resource/mcp"`
	for _, auth := range []string{"", "Bearer sois_oat_" + strings.Repeat("a", 52), "Bearer nonsense"} {
		req, _ := http.NewRequest(http.MethodPost, e.resource(), strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		r := e.do(req)
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), want) {
			t.Errorf("auth %q: %d %q", auth, r.status, r.header.Get("WWW-Authenticate"))
		}
		if auth != "" && !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("auth %q: no invalid_token error: %q", auth, r.header.Get("WWW-Authenticate"))
		}
	}
}

// TestRegister: bad metadata is refused with RFC 7591 errors and stores
// nothing; good metadata registers a public or confidential client.
func TestRegister(t *testing.T) {
	e := start(t)
	for _, tt := range []struct {
		name string
		meta any
		code string
	}{
		{"no redirect uris", map[string]any{"client_name": "x"}, "invalid_redirect_uri"},
		{"http on a public host", map[string]any{"redirect_uris": []string{"http://client.example/cb"}}, "invalid_redirect_uri"},
		{"fragment", map[string]any{"redirect_uris": []string{"https://client.example/cb#frag"}}, "invalid_redirect_uri"},
		{"relative", map[string]any{"redirect_uris": []string{"/cb"}}, "invalid_redirect_uri"},
		{"custom scheme", map[string]any{"redirect_uris": []string{"javascript://client.example/cb"}}, "invalid_redirect_uri"},
		{"user info", map[string]any{"redirect_uris": []string{"https://u:p@client.example/cb"}}, "invalid_redirect_uri"},
		{"implicit grant", map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "grant_types": []string{"implicit"}}, "invalid_client_metadata"},
		{"token response", map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "response_types": []string{"token"}}, "invalid_client_metadata"},
		{"jwt auth", map[string]any{"redirect_uris": []string{"https://client.example/cb"}, "token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"},
		{"not json", "redirect_uris=https://client.example/cb", "invalid_client_metadata"},
	} {
		r := e.register(tt.meta)
		if r.status != http.StatusBadRequest || r.json(t)["error"] != tt.code {
			t.Errorf("%s: %d %s, want 400 %s", tt.name, r.status, r.body, tt.code)
		}
	}
	if n := e.count("oauth_clients"); n != 0 {
		t.Fatalf("refused registrations stored %d clients", n)
	}

	r := e.register(map[string]any{"client_name": "Loopback", "redirect_uris": []string{"http://127.0.0.1:7777/cb", "http://localhost/cb", "https://client.example/cb"},
		"token_endpoint_auth_method": "none"})
	m := r.json(t)
	if r.status != http.StatusCreated || !strings.HasPrefix(m["client_id"].(string), "sois_oci_") || m["client_secret"] != nil ||
		m["token_endpoint_auth_method"] != "none" || len(m["redirect_uris"].([]any)) != 3 {
		t.Fatalf("public client: %d %s", r.status, r.body)
	}
	r = e.register(map[string]any{"redirect_uris": []string{"https://client.example/cb"}})
	m = r.json(t)
	if r.status != http.StatusCreated || !strings.HasPrefix(m["client_secret"].(string), "sois_ocs_") || m["token_endpoint_auth_method"] != "client_secret_basic" ||
		m["client_name"] != "Unnamed client" {
		t.Fatalf("confidential client: %d %s", r.status, r.body)
	}
}

// TestAuthorizeRefusals: an unknown client or a redirect URI that does
// not match ends on a page, never a redirect; other errors go back to the
// client with error= and state; the consent form refuses a forged CSRF
// token, a foreign key and a plain member; none of them stores a grant.
func TestAuthorizeRefusals(t *testing.T) {
	e := start(t)
	client := e.client()

	// Not signed in: to the console's sign-in, and back here afterwards.
	u := location(t, e.get(e.authorizeURL(client), nil))
	if u.Path != "/test-signin" || !strings.HasPrefix(u.Query().Get("next"), oauth.AuthorizePath+"?") {
		t.Fatalf("sign-in redirect: %s", u)
	}

	for _, tt := range []struct {
		name string
		over []string
	}{
		{"unknown client", []string{"client_id", "sois_oci_nope"}},
		{"redirect_uri mismatch", []string{"redirect_uri", "https://client.example/cb/other"}},
		{"redirect_uri of another host", []string{"redirect_uri", "https://evil.example/cb"}},
	} {
		r := e.get(e.authorizeURL(client, tt.over...), e.cookie)
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" || !strings.Contains(r.body, "Cannot connect") {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	for _, tt := range []struct {
		name string
		over []string
		code string
	}{
		{"no resource", []string{"resource", ""}, "invalid_target"},
		{"another resource", []string{"resource", "https://other.example/mcp"}, "invalid_target"},
		{"plain PKCE", []string{"code_challenge_method", "plain"}, "invalid_request"},
		{"no PKCE", []string{"code_challenge", "", "code_challenge_method", ""}, "invalid_request"},
		{"implicit", []string{"response_type", "token"}, "unsupported_response_type"},
	} {
		u := location(t, e.get(e.authorizeURL(client, tt.over...), e.cookie))
		if u.Host != "client.example" || u.Query().Get("error") != tt.code || u.Query().Get("state") != "st-123" || u.Query().Get("iss") != e.n.URL() {
			t.Errorf("%s: redirect %s", tt.name, u)
		}
	}

	form, page := e.consentForm(e.authorizeURL(client), e.cookie)
	for _, want := range []string{"Connect Test Assistant", "client.example", "assistant key", "contacts:read", `value="csrf-owner"`, "Allow", "Deny"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("consent page lacks %q:\n%s", want, page.body)
		}
	}
	if strings.Contains(page.body, "<script") {
		t.Error("consent page has a script")
	}
	form.Set("key_id", e.owner.KeyID)
	form.Set("decision", "allow")

	forged := cloneForm(form, oauth.CSRFField, "csrf-someone-else")
	if r := e.post(oauth.AuthorizePath, forged, e.cookie); r.status != http.StatusForbidden || r.header.Get("Location") != "" {
		t.Errorf("forged CSRF: %d %s", r.status, r.body)
	}
	if r := e.post(oauth.AuthorizePath, form, nil); r.status != http.StatusUnauthorized {
		t.Errorf("signed out: %d %s", r.status, r.body)
	}
	stranger := testbed.Workspace(t, e.n.DB(), workspace.Owner, access.KeyParams{Name: "foreign key"})
	r := e.post(oauth.AuthorizePath, cloneForm(form, "key_id", stranger.KeyID), e.cookie)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choose one of the workspace") || strings.Contains(r.body, "foreign key") {
		t.Errorf("another workspace's key: %d %s", r.status, r.body)
	}
	plain := e.sess.signIn("plain", oauth.Member{WorkspaceID: e.owner.WorkspaceID, MemberID: e.owner.MemberID, Name: "Plain", Role: "member"})
	if r := e.post(oauth.AuthorizePath, cloneForm(form, oauth.CSRFField, "csrf-plain"), plain); r.status != http.StatusForbidden || !strings.Contains(r.body, "owner or admin") {
		t.Errorf("plain member: %d %s", r.status, r.body)
	}
	if n := e.count("oauth_grants"); n != 0 {
		t.Fatalf("refused consents stored %d grants", n)
	}

	u = location(t, e.post(oauth.AuthorizePath, cloneForm(form, "decision", "deny"), e.cookie))
	if u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "st-123" || u.Query().Get("code") != "" {
		t.Fatalf("deny: %s", u)
	}
	if n := e.count("oauth_grants"); n != 0 {
		t.Fatalf("a denial stored %d grants", n)
	}
}

func cloneForm(f url.Values, key, value string) url.Values {
	c := url.Values{}
	for k, v := range f {
		c[k] = append([]string(nil), v...)
	}
	c.Set(key, value)
	return c
}

// TestTokenRefusals: the token endpoint's errors (RFC 6749 §5.2), each
// leaving the code usable; then a code used twice revokes its tokens.
func TestTokenRefusals(t *testing.T) {
	e := start(t)
	client := e.client()
	code := e.code(client, e.owner.KeyID)
	good := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {client},
		"redirect_uri": {"https://client.example/cb"}, "code_verifier": {verifier}}
	with := func(k, v string) url.Values { return cloneForm(good, k, v) }

	e.post(oauth.TokenPath, with("code_verifier", verifier+"x"), nil).oauthError(t, 400, "invalid_grant")
	e.post(oauth.TokenPath, with("redirect_uri", "https://client.example/other"), nil).oauthError(t, 400, "invalid_grant")
	e.post(oauth.TokenPath, with("code_verifier", "short"), nil).oauthError(t, 400, "invalid_request")
	e.post(oauth.TokenPath, with("resource", "https://other.example/mcp"), nil).oauthError(t, 400, "invalid_target")
	e.post(oauth.TokenPath, with("grant_type", "password"), nil).oauthError(t, 400, "unsupported_grant_type")
	e.post(oauth.TokenPath, with("client_id", "sois_oci_nope"), nil).oauthError(t, 401, "invalid_client")
	e.post(oauth.TokenPath, with("client_secret", "guess"), nil).oauthError(t, 401, "invalid_client")
	req, _ := http.NewRequest(http.MethodPost, e.n.URL()+oauth.TokenPath, strings.NewReader(`{"grant_type":"authorization_code"}`))
	req.Header.Set("Content-Type", "application/json")
	e.do(req).oauthError(t, 400, "invalid_request")
	other := e.client()
	e.post(oauth.TokenPath, with("client_id", other), nil).oauthError(t, 400, "invalid_grant")

	// None of that spent the code.
	accessTok, _ := e.tokens(client, code)
	s := e.mcp(accessTok)
	if _, err := s.ListTools(context.Background(), nil); err != nil {
		t.Fatalf("tools with the token: %v", err)
	}
	s.Close()

	// The code a second time: refused, and the first tokens revoked.
	e.post(oauth.TokenPath, good, nil).oauthError(t, 400, "invalid_grant")
	if r := e.mcpStatus(accessTok); r.status != http.StatusUnauthorized {
		t.Fatalf("token of a code used twice: %d %s", r.status, r.body)
	}
}

// TestConfidentialClient: a client with a secret authenticates with HTTP
// Basic or in the form, and only with the right secret.
func TestConfidentialClient(t *testing.T) {
	e := start(t)
	r := e.register(map[string]any{"client_name": "Hosted", "redirect_uris": []string{"https://client.example/cb"}, "token_endpoint_auth_method": "client_secret_post"})
	m := r.json(t)
	id, secret := m["client_id"].(string), m["client_secret"].(string)
	code := e.code(id, e.owner.KeyID)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://client.example/cb"}, "code_verifier": {verifier}}
	e.post(oauth.TokenPath, cloneForm(form, "client_id", id), nil).oauthError(t, 401, "invalid_client")
	bad := e.post(oauth.TokenPath, form, nil, id, secret+"x")
	bad.oauthError(t, 401, "invalid_client")
	if !strings.HasPrefix(bad.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("Basic refusal without a Basic challenge: %v", bad.header)
	}
	r = e.post(oauth.TokenPath, form, nil, id, secret)
	if r.status != http.StatusOK {
		t.Fatalf("basic: %d %s", r.status, r.body)
	}
	refresh := r.json(t)["refresh_token"].(string)
	r = e.post(oauth.TokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {id}, "client_secret": {secret}}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("refresh with the secret in the form: %d %s", r.status, r.body)
	}
}

// TestMCPWithOAuth: an access token acts on /mcp as the member through
// the chosen key (its scopes), refreshes, and stops at revocation; it is
// refused on the caller API; the static headers keep working; a token for
// another resource is refused.
func TestMCPWithOAuth(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	client := e.client()
	accessTok, refresh := e.tokens(client, e.code(client, e.owner.KeyID))

	s := e.mcp(accessTok)
	tools, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tool := range tools.Tools {
		names[tool.Name] = true
	}
	if !names["contacts_search"] || names["contacts_create"] || names["tasks_create"] {
		t.Fatalf("tools are not the key's (contacts:read): %v", names)
	}
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_search", Arguments: map[string]any{"query": "x"}})
	if err != nil || res.IsError {
		t.Fatalf("call: %+v %v", res, err)
	}
	s.Close()

	// Only /mcp takes OAuth tokens.
	if r := e.n.Do(http.MethodGet, "/api/agent/budget", testbed.Creds{}, nil, "Authorization", "Bearer "+accessTok); r.Status != http.StatusUnauthorized {
		t.Fatalf("OAuth token on the caller API: %d %s", r.Status, r.Body)
	}
	// The static headers are unchanged.
	req, _ := http.NewRequest(http.MethodPost, e.resource(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+e.owner.Token)
	req.Header.Set("X-Api-Key", e.owner.APIKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if r := e.do(req); r.status != http.StatusOK || !strings.Contains(r.body, "contacts_search") {
		t.Fatalf("static headers: %d %s", r.status, r.body)
	}

	// Refresh rotates; the spent refresh token, presented again, revokes
	// the grant.
	r := e.post(oauth.TokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {client}, "resource": {e.resource()}}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	fresh := r.json(t)["access_token"].(string)
	if r := e.mcpStatus(fresh); r.status != http.StatusOK {
		t.Fatalf("refreshed token: %d %s", r.status, r.body)
	}
	e.post(oauth.TokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {client}}, nil).oauthError(t, 400, "invalid_grant")
	if r := e.mcpStatus(fresh); r.status != http.StatusUnauthorized {
		t.Fatalf("token after refresh reuse: %d %s", r.status, r.body)
	}

	// RFC 7009 revocation of an access token.
	accessTok, _ = e.tokens(client, e.code(client, e.owner.KeyID))
	if r := e.post(oauth.RevokePath, url.Values{"token": {accessTok}, "client_id": {client}}, nil); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.mcpStatus(accessTok); r.status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", r.status)
	}

	// The console's revocation of a grant.
	accessTok, _ = e.tokens(client, e.code(client, e.owner.KeyID))
	st := &oauth.Store{DB: e.n.DB()}
	grants, err := st.ListGrants(ctx, e.owner.WorkspaceID)
	// The grant whose access token alone was revoked, and the newest.
	if err != nil || len(grants) != 2 || grants[0].ClientName != "Test Assistant" || grants[0].KeyName != "assistant key" {
		t.Fatalf("grants: %+v %v", grants, err)
	}
	if err := st.RevokeGrant(ctx, e.owner.WorkspaceID, grants[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := e.mcpStatus(accessTok); r.status != http.StatusUnauthorized {
		t.Fatalf("token of a revoked grant: %d", r.status)
	}

	// A token minted for another resource (as if SOIS_PUBLIC_URL changed).
	other := mintForResource(t, e, client, "https://elsewhere.example/mcp")
	if r := e.mcpStatus(other); r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), "resource_metadata=") {
		t.Fatalf("token for another resource: %d %v", r.status, r.header)
	}
}

// mintForResource issues tokens for res straight from the store: the
// authorization endpoint would not.
func mintForResource(t *testing.T, e *env, client, res string) string {
	t.Helper()
	st := &oauth.Store{DB: e.n.DB()}
	code, err := st.Authorize(context.Background(), oauth.Consent{WorkspaceID: e.owner.WorkspaceID, MemberID: e.owner.MemberID, KeyID: e.owner.KeyID,
		ClientID: client, RedirectURI: "https://client.example/cb", Resource: res, CodeChallenge: challenge(verifier)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.Exchange(context.Background(), code, client, "https://client.example/cb", verifier)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Access
}

type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// mcp connects the Go SDK's client with an access token.
func (e *env) mcp(token string) *sdk.ClientSession {
	e.t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	s, err := c.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: e.resource(), HTTPClient: &http.Client{Transport: bearer(token)}}, nil)
	if err != nil {
		e.t.Fatalf("mcp connect: %v", err)
	}
	return s
}

// mcpStatus sends tools/list with token.
func (e *env) mcpStatus(token string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.resource(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	return e.do(req)
}

// TestRedirectURIOmitted: a client with one registered redirect URI may
// leave it out of the authorization request (and then of the token
// request); the browser still goes only to that URI.
func TestRedirectURIOmitted(t *testing.T) {
	e := start(t)
	client := e.client()
	form, page := e.consentForm(e.authorizeURL(client, "redirect_uri", ""), e.cookie)
	if page.status != http.StatusOK {
		t.Fatalf("consent page: %d %s", page.status, page.body)
	}
	form.Set("key_id", e.owner.KeyID)
	form.Set("decision", "allow")
	u := location(t, e.post(oauth.AuthorizePath, form, e.cookie))
	if u.String() == "" || u.Host != "client.example" || u.Path != "/cb" {
		t.Fatalf("redirect %s", u)
	}
	r := e.post(oauth.TokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}, "client_id": {client},
		"code_verifier": {verifier}}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("token without redirect_uri: %d %s", r.status, r.body)
	}
	if page.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("consent page may be framed: %v", page.header)
	}
}
