// Package openaifake is a scriptable fake of the OpenAI chat completions
// endpoint (POST …/chat/completions, e.g. /v1/chat/completions) for tests:
// it answers from a queue of canned replies or a handler func, records every
// request and counts calls.
//
// Usage is deterministic so that cost assertions are exact: unless a Reply
// sets Usage, prompt_tokens is ⌈request body bytes / 4⌉ and
// completion_tokens is ⌈(reply text + call names + call arguments bytes) / 4⌉,
// at least 1.
package openaifake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Request is one call the fake received.
type Request struct {
	Path   string
	Header http.Header
	Body   []byte      // the raw JSON body
	Parsed ChatRequest // Body decoded
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	// APIKey, when set before the first call, is the only bearer token
	// accepted; other requests get OpenAI's 401 invalid_api_key.
	APIKey string

	srv     *httptest.Server
	mu      sync.Mutex
	queue   []Reply
	handler func(Request) Reply
	reqs    []Request
}

// New starts a fake; Close stops it.
func New() *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Start starts a fake that tb closes at cleanup.
func Start(tb testing.TB) *Server {
	s := New()
	tb.Cleanup(s.Close)
	return s
}

// URL is the server root; configure clients with URL()+"/v1".
func (s *Server) URL() string { return s.srv.URL }

// BaseURL is URL()+"/v1", the base URL OpenAI clients expect.
func (s *Server) BaseURL() string { return s.srv.URL + "/v1" }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Enqueue appends replies answered in order, before any handler.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Handle sets the func that answers when the queue is empty. Without one,
// an empty queue answers Text("ok"). The func may block (e.g. on a channel)
// to hold a call in flight; it runs outside the fake's lock.
func (s *Server) Handle(f func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = f
}

// Calls is the number of chat completion requests received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Requests returns a copy of the requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Last returns the most recent request.
func (s *Server) Last() (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return Request{}, false
	}
	return s.reqs[len(s.reqs)-1], true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeError(w, nil, http.StatusNotFound, Error{Type: "invalid_request_error", Message: "openaifake: no route " + r.Method + " " + r.URL.Path})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, nil, http.StatusBadRequest, Error{Type: "invalid_request_error", Message: err.Error()})
		return
	}
	req := Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	if err := json.Unmarshal(body, &req.Parsed); err != nil {
		writeError(w, nil, http.StatusBadRequest, Error{Type: "invalid_request_error", Message: "We could not parse the JSON body of your request. " + err.Error()})
		return
	}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.next(req, s.APIKey == "" || token == s.APIKey).write(w, req)
}

// next records req and picks its reply; an unauthorized call consumes no
// scripted reply.
func (s *Server) next(req Request, authorized bool) Reply {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	if !authorized {
		s.mu.Unlock()
		token, _ := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		return InvalidKey(token)
	}
	if len(s.queue) > 0 {
		r := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return r
	}
	h := s.handler
	s.mu.Unlock()
	if h != nil {
		return h(req)
	}
	return Text("ok")
}

func writeError(w http.ResponseWriter, h http.Header, status int, e Error) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]Error{"error": e})
}

func ceilDiv(n, d int) int64 { return int64((n + d - 1) / d) }
