package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// loopback returns a Sender allowed to reach httptest servers.
func loopback() *Sender { return NewSender(Guard{AllowHosts: []string{"127.0.0.1"}}, 0) }

func TestDeliverResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Test") != "1" {
				w.WriteHeader(400)
				return
			}
			w.Write([]byte("thanks"))
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/big":
			w.WriteHeader(500)
			w.Write([]byte(strings.Repeat("é", 2000) + "\x00"))
		}
	}))
	defer srv.Close()
	s := loopback()
	ctx := context.Background()
	hdr := http.Header{"X-Test": {"1"}}

	if r := s.Deliver(ctx, Request{URL: srv.URL + "/ok", Body: []byte(`{}`), Header: hdr}); !r.OK() || r.Response != "thanks" || r.Latency <= 0 {
		t.Fatalf("ok: %+v", r)
	}
	if r := s.Deliver(ctx, Request{URL: srv.URL + "/gone", Body: []byte(`{}`)}); r.OK() || !r.Gone || r.Status != 410 {
		t.Fatalf("gone: %+v", r)
	}
	if r := s.Deliver(ctx, Request{URL: srv.URL + "/busy", Body: []byte(`{}`)}); r.OK() || r.RetryAfter != 2*time.Minute {
		t.Fatalf("busy: %+v", r)
	}
	r := s.Deliver(ctx, Request{URL: srv.URL + "/big", Body: []byte(`{}`)})
	if len(r.Response) > ResponseLimit+3 || !utf8.ValidString(r.Response) || strings.Contains(r.Response, "\x00") {
		t.Fatalf("big: %d bytes, valid=%v", len(r.Response), utf8.ValidString(r.Response))
	}
}

// TestDeliverNoRedirects: a 3xx is a failure and its target is never called.
func TestDeliverNoRedirects(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer target.Close()
	for _, code := range []int{301, 302, 303, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/elsewhere", code)
		}))
		res := loopback().Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)})
		srv.Close()
		if res.OK() || res.Status != code {
			t.Errorf("%d: %+v, want a failed attempt with status %d", code, res, code)
		}
	}
	// A redirect to a private address is refused outright.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer srv.Close()
	if res := loopback().Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)}); res.OK() {
		t.Fatalf("redirect to metadata: %+v", res)
	}
	if n := followed.Load(); n != 0 {
		t.Fatalf("redirect target called %d times", n)
	}
}

// TestDeliverPrivateAtConnect: a name that resolves to loopback is refused
// when connecting, and the receiver never sees the request.
func TestDeliverPrivateAtConnect(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	for _, host := range []string{"localhost", "127.0.0.1"} {
		res := NewSender(Guard{}, 0).Deliver(context.Background(), Request{URL: "http://" + host + ":" + u.Port() + "/", Body: []byte(`{}`)})
		var be *BlockedError
		if res.OK() || !errors.As(res.Err, &be) {
			t.Errorf("%s: %+v, want a *BlockedError", host, res)
		}
		if strings.Contains(res.Err.Error(), "http://") {
			t.Errorf("error leaks the URL: %v", res.Err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("receiver got %d requests", n)
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	s := NewSender(Guard{AllowHosts: []string{"127.0.0.1"}}, 100*time.Millisecond)
	res := s.Deliver(context.Background(), Request{URL: srv.URL, Body: []byte(`{}`)})
	if res.OK() || res.Err == nil || res.Err.Error() != "timeout" {
		t.Fatalf("slow receiver: %+v", res)
	}
}
