// Package fakeserver is the core the provider fakes (geminifake,
// openaifake) share: a running httptest server that records every request,
// counts calls and answers from a queue of scripted replies or a handler
// func. A fake supplies only its wire format (a Wire) and embeds the *Core,
// whose methods are the fake's scripting API.
package fakeserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Wire is what a fake knows of its API: how to read a request, who may
// call, and how to write a reply. Req is the fake's record of one call and
// Rep its scripted answer.
type Wire[Req, Rep any] struct {
	// Parse reads r into a Req. When it cannot (no such route, an
	// unreadable or malformed body) it answers w itself and returns false;
	// such a request is neither recorded nor counted.
	Parse func(w http.ResponseWriter, r *http.Request) (Req, bool)
	// Authorized reports whether r carries an accepted key.
	Authorized func(r *http.Request) bool
	// Deny is the answer to a request that is not authorized. Such a
	// request is recorded and counted but consumes no scripted reply.
	Deny func(Req) Rep
	// Fallback is the answer when the queue is empty and no handler is set.
	Fallback Rep
	// Write sends rep as the answer to req.
	Write func(rep Rep, w http.ResponseWriter, req Req)
}

// Core is a running fake server. It is safe for concurrent use.
type Core[Req, Rep any] struct {
	wire Wire[Req, Rep]
	srv  *httptest.Server

	mu      sync.Mutex
	queue   []Rep
	handler func(Req) Rep
	reqs    []Req
}

// New starts a server that speaks wire; Close stops it.
func New[Req, Rep any](wire Wire[Req, Rep]) *Core[Req, Rep] {
	c := &Core[Req, Rep]{wire: wire}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	return c
}

// URL is the server's root URL, e.g. "http://127.0.0.1:41234".
func (c *Core[Req, Rep]) URL() string { return c.srv.URL }

// Close stops the server.
func (c *Core[Req, Rep]) Close() { c.srv.Close() }

// Enqueue appends replies answered in order, before any handler.
func (c *Core[Req, Rep]) Enqueue(replies ...Rep) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = append(c.queue, replies...)
}

// Handle sets the func that answers when the queue is empty. Without one,
// an empty queue answers the fake's fallback reply. The func may block
// (e.g. on a channel) to hold a call in flight; it runs outside the fake's
// lock.
func (c *Core[Req, Rep]) Handle(f func(Req) Rep) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handler = f
}

// Calls is the number of requests received on the fake's route, including
// those answered as unauthorized.
func (c *Core[Req, Rep]) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.reqs)
}

// Requests returns a copy of the requests received, in order.
func (c *Core[Req, Rep]) Requests() []Req {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Req(nil), c.reqs...)
}

// Last returns the most recent request.
func (c *Core[Req, Rep]) Last() (Req, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) == 0 {
		var zero Req
		return zero, false
	}
	return c.reqs[len(c.reqs)-1], true
}

func (c *Core[Req, Rep]) serve(w http.ResponseWriter, r *http.Request) {
	req, ok := c.wire.Parse(w, r)
	if !ok {
		return
	}
	c.wire.Write(c.next(req, c.wire.Authorized(r)), w, req)
}

// next records req and picks its reply; an unauthorized call consumes no
// scripted reply.
func (c *Core[Req, Rep]) next(req Req, authorized bool) Rep {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	if !authorized {
		c.mu.Unlock()
		return c.wire.Deny(req)
	}
	if len(c.queue) > 0 {
		r := c.queue[0]
		c.queue = c.queue[1:]
		c.mu.Unlock()
		return r
	}
	h := c.handler
	c.mu.Unlock()
	if h != nil {
		return h(req)
	}
	return c.wire.Fallback
}

// WriteHeader starts an answer: the extra headers h, then Content-Type
// contentType (which h cannot override), then status.
func WriteHeader(w http.ResponseWriter, h http.Header, contentType string, status int) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
}

// WriteJSON answers with status and v as the JSON body (see WriteHeader).
func WriteJSON(w http.ResponseWriter, h http.Header, contentType string, status int, v any) {
	WriteHeader(w, h, contentType, status)
	_ = json.NewEncoder(w).Encode(v)
}

// Tokens is the fakes' deterministic token count for n bytes: ⌈n / 4⌉.
func Tokens(n int) int64 { return int64((n + 3) / 4) }

// Args marshals a scripted call's arguments to JSON; nil, or a value that
// does not marshal, becomes {}.
func Args(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return []byte("{}")
	}
	return b
}
