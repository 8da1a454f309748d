// Package geminifake is a scriptable fake of the Gemini API's
// generateContent endpoint (POST /{version}/models/{model}:generateContent)
// for tests: it answers from a queue of canned replies or a handler func,
// records every request and counts calls.
//
// Usage is deterministic so that cost assertions are exact: unless a Reply
// sets Usage, promptTokenCount is ⌈request body bytes / 4⌉ and
// candidatesTokenCount is ⌈(reply text + call names + call args bytes) / 4⌉,
// at least 1.
package geminifake

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
	Model  string // from the path, e.g. "gemini-2.5-flash"
	Path   string
	Header http.Header
	Body   []byte                 // the raw JSON body
	Parsed GenerateContentRequest // Body decoded
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	// APIKey, when set before the first call, is the only key accepted;
	// requests with another x-goog-api-key get Gemini's 400 API_KEY_INVALID.
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

// URL is the base URL to configure the client with (no version path).
func (s *Server) URL() string { return s.srv.URL }

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

// Calls is the number of generateContent requests received.
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
	model, ok := parsePath(r.URL.Path)
	if r.Method != http.MethodPost || !ok {
		writeError(w, nil, Error{Code: 404, Status: "NOT_FOUND", Message: "geminifake: no route " + r.Method + " " + r.URL.Path})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, nil, Error{Code: 400, Status: "INVALID_ARGUMENT", Message: err.Error()})
		return
	}
	req := Request{Model: model, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	if err := json.Unmarshal(body, &req.Parsed); err != nil {
		writeError(w, nil, Error{Code: 400, Status: "INVALID_ARGUMENT", Message: "Invalid JSON payload received. " + err.Error()})
		return
	}
	authorized := s.APIKey == "" || r.Header.Get("x-goog-api-key") == s.APIKey || r.URL.Query().Get("key") == s.APIKey
	s.next(req, authorized).write(w, req)
}

// next records req and picks its reply; an unauthorized call consumes no
// scripted reply.
func (s *Server) next(req Request, authorized bool) Reply {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	if !authorized {
		s.mu.Unlock()
		return InvalidKey()
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

// parsePath accepts /{version}/models/{model}:generateContent.
func parsePath(p string) (string, bool) {
	rest, ok := strings.CutSuffix(p, ":generateContent")
	if !ok {
		return "", false
	}
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if len(parts) != 3 || parts[1] != "models" || parts[2] == "" {
		return "", false
	}
	return parts[2], true
}

func writeError(w http.ResponseWriter, h http.Header, e Error) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.Code)
	_ = json.NewEncoder(w).Encode(map[string]Error{"error": e})
}

func ceilDiv(n, d int) int64 { return int64((n + d - 1) / d) }
