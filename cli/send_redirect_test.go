package cli_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Go's HTTP client forwards custom headers such as X-Api-Key on redirects,
// even to another host (it strips only Authorization and cookies there).
// `soisnode send` must not hand the integration key to wherever a node URL
// redirects: a redirect is reported, not followed.
func TestSendDoesNotFollowRedirects(t *testing.T) {
	var leaked atomic.Value
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-Api-Key") + "|" + r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"conversation_id":"c1","status":"queued","poll_url":"/x"}`))
	}))
	defer elsewhere.Close()
	node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/api/agent", http.StatusTemporaryRedirect)
	}))
	defer node.Close()
	key := "sois_" + strings.Repeat("k", 52)
	env := map[string]string{"SOIS_URL": node.URL, "SOIS_TOKEN": "sois_tok_" + strings.Repeat("t", 52), "SOIS_API_KEY": key}
	_, _, code := run(t, env, "send", "hello")
	if v, _ := leaked.Load().(string); v != "" {
		t.Fatalf("credentials sent to the redirect target: %q", v)
	}
	if code == 0 {
		t.Fatal("a redirect was reported as success")
	}
}
