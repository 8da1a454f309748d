package console_test

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestExportedSession: another package's page (the OAuth consent page)
// sees the signed-in member, checks the CSRF token of its own form, and
// renders inside the console's chrome.
func TestExportedSession(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.signedIn(e.a.admin)
		cookies := b.jar.Cookies(mustURL(t, e.srv.URL+"/console"))
		req := func(csrf string) *http.Request {
			r := httptest.NewRequest("POST", "/oauth/authorize", strings.NewReader("csrf="+csrf))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range cookies {
				r.AddCookie(c)
			}
			return r
		}
		m, ok := e.c.Current(req(""))
		if !ok || m.MemberID != e.a.admin.ID || m.WorkspaceID != e.a.ws || m.Role != "admin" || m.Name != "Admin A" || !m.Manager() {
			t.Fatalf("Current: %+v %v", m, ok)
		}
		token := e.c.CSRFToken(req(""))
		if token == "" || token != b.csrf() {
			t.Fatalf("CSRFToken %q", token)
		}
		if err := e.c.VerifyCSRF(req(token)); err != nil {
			t.Fatalf("VerifyCSRF with the token: %v", err)
		}
		if err := e.c.VerifyCSRF(req("forged")); err == nil {
			t.Fatal("VerifyCSRF accepted a forged token")
		}
		anon := httptest.NewRequest("GET", "/oauth/authorize", nil)
		if _, ok := e.c.Current(anon); ok || e.c.CSRFToken(anon) != "" || e.c.VerifyCSRF(anon) == nil {
			t.Fatal("a request without a session is signed in")
		}
		w := httptest.NewRecorder()
		e.c.Render(w, req(""), "Allow Claude?", template.HTML(`<p id="consent">Pick a key</p>`))
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "<h1>Allow Claude?</h1>") || !strings.Contains(body, `<p id="consent">Pick a key</p>`) ||
			!strings.Contains(body, "Sign out") || w.Header().Get("Content-Security-Policy") == "" {
			t.Fatalf("Render: %d %s", w.Code, body)
		}
	})
}
