package fakeserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent/internal/fakeserver"
)

// start runs a fake whose requests are their bodies and whose replies are
// strings, answered as {"reply": …}. Only POST /call is routed; the key
// goes in the X-Key header.
func start(t *testing.T, key string) *fakeserver.Core[string, string] {
	t.Helper()
	c := fakeserver.New(fakeserver.Wire[string, string]{
		Parse: func(w http.ResponseWriter, r *http.Request) (string, bool) {
			if r.Method != http.MethodPost || r.URL.Path != "/call" {
				fakeserver.WriteJSON(w, nil, "application/json", http.StatusNotFound, map[string]string{"error": "no route"})
				return "", false
			}
			body, _ := io.ReadAll(r.Body)
			return string(body), true
		},
		Authorized: func(r *http.Request) bool { return key == "" || r.Header.Get("X-Key") == key },
		Deny:       func(req string) string { return "denied " + req },
		Fallback:   "fallback",
		Write: func(rep string, w http.ResponseWriter, req string) {
			fakeserver.WriteJSON(w, nil, "application/json", http.StatusOK, map[string]string{"reply": rep})
		},
	})
	t.Cleanup(c.Close)
	return c
}

func call(t *testing.T, c *fakeserver.Core[string, string], path, key, body string) (int, string) {
	t.Helper()
	code, out := fakeserver.Post(t, c.URL()+path, http.Header{"X-Key": {key}}, body)
	s, _ := out["reply"].(string)
	return code, s
}

func TestScript(t *testing.T) {
	c := start(t, "k")
	if _, ok := c.Last(); ok {
		t.Error("Last on a fresh fake must report none")
	}
	if code, _ := call(t, c, "/other", "k", "a"); code != http.StatusNotFound || c.Calls() != 0 {
		t.Errorf("unrouted: status %d, calls %d; want 404 and not counted", code, c.Calls())
	}
	c.Enqueue("first", "second")
	steps := []struct {
		key, body, want string
	}{
		{"wrong", "a", "denied a"}, // recorded, consumes nothing
		{"k", "b", "first"},
		{"k", "c", "second"},
		{"k", "d", "fallback"},
	}
	for _, s := range steps {
		if _, got := call(t, c, "/call", s.key, s.body); got != s.want {
			t.Errorf("%s with key %q: reply %q, want %q", s.body, s.key, got, s.want)
		}
	}
	c.Handle(func(req string) string { return "handled " + req })
	c.Enqueue("queued")
	if _, got := call(t, c, "/call", "k", "e"); got != "queued" {
		t.Errorf("reply %q, want the queue before the handler", got)
	}
	if _, got := call(t, c, "/call", "k", "f"); got != "handled f" {
		t.Errorf("reply %q, want the handler's", got)
	}
	reqs := c.Requests()
	if got := strings.Join(reqs, ","); got != "a,b,c,d,e,f" || c.Calls() != 6 {
		t.Errorf("requests = %s (calls %d), want a,b,c,d,e,f", got, c.Calls())
	}
	reqs[0] = "changed"
	if again := c.Requests(); again[0] != "a" {
		t.Error("Requests must return a copy")
	}
	if last, ok := c.Last(); !ok || last != "f" {
		t.Errorf("Last = %q, %v", last, ok)
	}
}

// send is call for other goroutines than the test's: it reports instead of
// stopping the test.
func send(c *fakeserver.Core[string, string], body string) (string, error) {
	resp, err := http.Post(c.URL()+"/call", "text/plain", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestHandlerOutsideLock: a handler holding a call in flight blocks neither
// the other calls nor the scripting API.
func TestHandlerOutsideLock(t *testing.T) {
	c := start(t, "")
	release := make(chan struct{})
	held := make(chan struct{})
	c.Handle(func(req string) string {
		if req == "hold" {
			close(held)
			<-release
		}
		return "done " + req
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if got, err := send(c, "hold"); err != nil || got != "{\"reply\":\"done hold\"}\n" {
			t.Errorf("held call: reply %q, %v", got, err)
		}
	}()
	<-held
	done := make(chan struct{})
	go func() {
		defer close(done)
		if n := c.Calls(); n != 1 {
			t.Errorf("calls = %d while one is held", n)
		}
		c.Enqueue("while held")
		if got, err := send(c, "x"); err != nil || got != "{\"reply\":\"while held\"}\n" {
			t.Errorf("reply %q, %v while a call is held", got, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("the scripting API blocked while a handler held a call")
	}
	close(release)
	wg.Wait()
	<-done
}

func TestConcurrentCalls(t *testing.T) {
	c := start(t, "")
	c.Handle(func(req string) string { return req })
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := send(c, "x"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if c.Calls() != 20 || len(c.Requests()) != 20 {
		t.Errorf("calls = %d, requests %d, want 20", c.Calls(), len(c.Requests()))
	}
}

func TestWriteHeader(t *testing.T) {
	rec := httptest.NewRecorder()
	fakeserver.WriteJSON(rec, http.Header{"Retry-After": {"7"}, "Content-Type": {"text/plain"}}, "application/json", 429, map[string]int{"n": 1})
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "7" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("status %d, header %v", rec.Code, rec.Header())
	}
	if body := rec.Body.String(); body != "{\"n\":1}\n" {
		t.Errorf("body = %q", body)
	}
}

func TestTokens(t *testing.T) {
	for n, want := range map[int]int64{0: 0, 1: 1, 3: 1, 4: 1, 5: 2, 56: 14, 62: 16} {
		if got := fakeserver.Tokens(n); got != want {
			t.Errorf("Tokens(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, `{}`},
		{map[string]any{"q": "Acme"}, `{"q":"Acme"}`},
		{map[string]any{}, `{}`},
		{[]int{1}, `[1]`},
		{"text", `"text"`},
		{make(chan int), `{}`}, // does not marshal
	}
	for _, tt := range tests {
		if got := string(fakeserver.Args(tt.in)); got != tt.want {
			t.Errorf("Args(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
