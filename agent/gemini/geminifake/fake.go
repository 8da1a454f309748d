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
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent/internal/fakeserver"
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
//
// Its scripting API comes from the embedded core: URL is the base URL to
// configure the client with (no version path); Enqueue appends replies
// answered in order, before any handler; Handle sets the func that answers
// when the queue is empty (without one, an empty queue answers Text("ok"));
// Calls counts the generateContent requests received, Requests returns them
// in order and Last the most recent; Close stops the server.
type Server struct {
	// APIKey, when set before the first call, is the only key accepted;
	// requests with another x-goog-api-key get Gemini's 400 API_KEY_INVALID.
	APIKey string

	*core
}

type core = fakeserver.Core[Request, Reply]

// New starts a fake; Close stops it.
func New() *Server {
	s := &Server{}
	s.core = fakeserver.New(fakeserver.Wire[Request, Reply]{
		Parse:      parse,
		Authorized: s.authorized,
		Deny:       func(Request) Reply { return InvalidKey() },
		Fallback:   Text("ok"),
		Write:      Reply.write,
	})
	return s
}

// Start starts a fake that tb closes at cleanup.
func Start(tb testing.TB) *Server {
	s := New()
	tb.Cleanup(s.Close)
	return s
}

// parse accepts POST /{version}/models/{model}:generateContent with a JSON
// body; anything else gets Gemini's error answer.
func parse(w http.ResponseWriter, r *http.Request) (Request, bool) {
	model, ok := parsePath(r.URL.Path)
	if r.Method != http.MethodPost || !ok {
		writeError(w, nil, Error{Code: 404, Status: "NOT_FOUND", Message: "geminifake: no route " + r.Method + " " + r.URL.Path})
		return Request{}, false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, nil, Error{Code: 400, Status: "INVALID_ARGUMENT", Message: err.Error()})
		return Request{}, false
	}
	req := Request{Model: model, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	if err := json.Unmarshal(body, &req.Parsed); err != nil {
		writeError(w, nil, Error{Code: 400, Status: "INVALID_ARGUMENT", Message: "Invalid JSON payload received. " + err.Error()})
		return Request{}, false
	}
	return req, true
}

// authorized accepts the key in the x-goog-api-key header or the key query
// parameter.
func (s *Server) authorized(r *http.Request) bool {
	return s.APIKey == "" || r.Header.Get("x-goog-api-key") == s.APIKey || r.URL.Query().Get("key") == s.APIKey
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

// contentType is what the Gemini API answers with.
const contentType = "application/json; charset=UTF-8"

func writeError(w http.ResponseWriter, h http.Header, e Error) {
	fakeserver.WriteJSON(w, h, contentType, e.Code, map[string]Error{"error": e})
}
