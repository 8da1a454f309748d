package oauth_test

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sync"

	"github.com/soisnode/soisnode/oauth"
)

// testSessions is the console as the consent step sees it: a cookie names
// a signed-in member; the CSRF token is derived from the cookie.
type testSessions struct {
	mu      sync.Mutex
	members map[string]oauth.Member
}

const sessionCookie = "test_session"

func newTestSessions() *testSessions { return &testSessions{members: map[string]oauth.Member{}} }

// signIn returns a cookie value signing m in.
func (s *testSessions) signIn(value string, m oauth.Member) *http.Cookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[value] = m
	return &http.Cookie{Name: sessionCookie, Value: value}
}

func (s *testSessions) Current(r *http.Request) (oauth.Member, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return oauth.Member{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.members[c.Value]
	return m, ok
}

func (s *testSessions) SignInURL(next string) string {
	return "/test-signin?next=" + url.QueryEscape(next)
}

func (s *testSessions) CSRFToken(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return "csrf-" + c.Value
	}
	return ""
}

func (s *testSessions) VerifyCSRF(r *http.Request) error {
	if want := s.CSRFToken(r); want == "" || r.PostFormValue(oauth.CSRFField) != want {
		return errors.New("bad csrf token")
	}
	return nil
}

var testPage = template.Must(template.New("p").Parse(`<!doctype html><title>{{.T}}</title><main>{{.B}}</main>`))

func (s *testSessions) Render(w http.ResponseWriter, r *http.Request, title string, body template.HTML) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = testPage.Execute(w, map[string]any{"T": title, "B": body})
}
