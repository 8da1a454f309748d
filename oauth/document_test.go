package oauth_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// documents serves client ID metadata documents over TLS.
func documents(t *testing.T) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := srv.URL + r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/client.json":
			io.WriteString(w, `{"client_id":"`+id+`","client_name":"Document Client","redirect_uris":["https://client.example/cb"],"grant_types":["authorization_code","refresh_token"]}`)
		case "/wrong-id.json":
			io.WriteString(w, `{"client_id":"https://elsewhere.example/client.json","redirect_uris":["https://client.example/cb"]}`)
		case "/secret.json":
			io.WriteString(w, `{"client_id":"`+id+`","redirect_uris":["https://client.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}`)
		case "/bad-redirect.json":
			io.WriteString(w, `{"client_id":"`+id+`","redirect_uris":["http://client.example/cb"]}`)
		case "/big.json":
			io.WriteString(w, `{"client_id":"`+id+`","client_name":"`+strings.Repeat("x", 20<<10)+`"}`)
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<p>hi</p>`)
		case "/moved.json":
			http.Redirect(w, r, "/client.json", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestClientMetadataDocument: a client whose client_id is the https URL
// of its metadata document authorizes and gets tokens without
// registering; a document that does not hold up is refused on a page and
// stores nothing.
func TestClientMetadataDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		docs := documents(t)
		sess := newTestSessions()
		owner := testbed.Workspace(t, db, workspace.Owner, access.KeyParams{Name: "assistant key"})
		cookie := sess.signIn("owner", oauth.Member{WorkspaceID: owner.WorkspaceID, MemberID: owner.MemberID, Name: "Owner", Role: "owner"})
		mux := http.NewServeMux()
		node := httptest.NewServer(mux)
		t.Cleanup(node.Close)
		srv := &oauth.Server{Store: &oauth.Store{DB: db}, Sessions: sess, BaseURL: func() string { return node.URL },
			FetchClient: oauth.NewFetchClient(docs.Client().Transport), Log: slog.New(slog.DiscardHandler)}
		srv.Mount(mux)
		e := &env{t: t, sess: sess, owner: owner, cookie: cookie, hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		authURL := func(clientID string) string {
			return node.URL + oauth.AuthorizePath + "?" + url.Values{"response_type": {"code"}, "client_id": {clientID},
				"redirect_uri": {"https://client.example/cb"}, "state": {"s"}, "code_challenge": {challenge(verifier)},
				"code_challenge_method": {"S256"}, "resource": {node.URL + "/mcp"}}.Encode()
		}

		if m := e.get(node.URL+oauth.ServerMetadataPath, nil).json(t); m["client_id_metadata_document_supported"] != true {
			t.Fatalf("metadata: %v", m)
		}
		for path, want := range map[string]string{
			"/wrong-id.json":     "is not its URL",
			"/secret.json":       `token_endpoint_auth_method &#34;none&#34;`,
			"/bad-redirect.json": "must use https",
			"/big.json":          "larger than",
			"/html":              "content type",
			"/moved.json":        "status 302",
			"/missing.json":      "status 404",
		} {
			r := e.get(authURL(docs.URL+path), cookie)
			if r.status != http.StatusBadRequest || r.header.Get("Location") != "" || !strings.Contains(r.body, want) {
				t.Errorf("%s: %d %s, want %q", path, r.status, r.body, want)
			}
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM oauth_clients`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused documents stored %d clients (%v)", n, err)
		}

		id := docs.URL + "/client.json"
		for range 2 { // a second authorization refreshes the stored copy
			form, page := e.consentForm(authURL(id), cookie)
			if page.status != http.StatusOK || !strings.Contains(page.body, "Connect Document Client") {
				t.Fatalf("consent page: %d %s", page.status, page.body)
			}
			form.Set("key_id", owner.KeyID)
			form.Set("decision", "allow")
			u := location(t, e.do(postForm(t, node.URL+oauth.AuthorizePath, form, cookie)))
			r := e.do(postForm(t, node.URL+oauth.TokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")},
				"client_id": {id}, "redirect_uri": {"https://client.example/cb"}, "code_verifier": {verifier}}, nil))
			if r.status != http.StatusOK {
				t.Fatalf("token: %d %s", r.status, r.body)
			}
			if _, err := srv.Verify(ctx, r.json(t)["access_token"].(string)); err != nil {
				t.Fatalf("verify: %v", err)
			}
		}
	})
}

func postForm(t *testing.T, target string, form url.Values, cookie *http.Cookie) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return req
}

// TestClientMetadataDocumentGuard: on a node, a document on a loopback or
// private address is not fetched (the SSRF guard of webhooks).
func TestClientMetadataDocumentGuard(t *testing.T) {
	e := start(t)
	docs := documents(t)
	for _, id := range []string{docs.URL + "/client.json", "https://169.254.169.254/latest/meta-data.json", "https://localhost/client.json"} {
		r := e.get(e.authorizeURL(id), e.cookie)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "cannot be fetched") {
			t.Errorf("%s: %d %s", id, r.status, r.body)
		}
	}
	if n := e.count("oauth_clients"); n != 0 {
		t.Fatalf("%d clients stored", n)
	}
}
