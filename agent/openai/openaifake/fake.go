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
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent/internal/fakeserver"
)

// Request is one call the fake received.
type Request struct {
	Path   string
	Header http.Header
	Body   []byte      // the raw JSON body
	Parsed ChatRequest // Body decoded
}

// Server is a running fake. It is safe for concurrent use.
//
// Its scripting API comes from the embedded core: URL is the server root
// (configure clients with BaseURL); Enqueue appends replies answered in
// order, before any handler; Handle sets the func that answers when the
// queue is empty (without one, an empty queue answers Text("ok")); Calls
// counts the chat completion requests received, Requests returns them in
// order and Last the most recent; Close stops the server.
type Server struct {
	// APIKey, when set before the first call, is the only bearer token
	// accepted; other requests get OpenAI's 401 invalid_api_key.
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
		Deny:       func(req Request) Reply { return InvalidKey(bearer(req.Header)) },
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

// BaseURL is URL()+"/v1", the base URL OpenAI clients expect.
func (s *Server) BaseURL() string { return s.URL() + "/v1" }

// parse accepts POST …/chat/completions with a JSON body; anything else
// gets OpenAI's error answer.
func parse(w http.ResponseWriter, r *http.Request) (Request, bool) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeError(w, nil, http.StatusNotFound, Error{Type: "invalid_request_error", Message: "openaifake: no route " + r.Method + " " + r.URL.Path})
		return Request{}, false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, nil, http.StatusBadRequest, Error{Type: "invalid_request_error", Message: err.Error()})
		return Request{}, false
	}
	req := Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	if err := json.Unmarshal(body, &req.Parsed); err != nil {
		writeError(w, nil, http.StatusBadRequest, Error{Type: "invalid_request_error", Message: "We could not parse the JSON body of your request. " + err.Error()})
		return Request{}, false
	}
	return req, true
}

// authorized accepts the bearer token APIKey.
func (s *Server) authorized(r *http.Request) bool {
	return s.APIKey == "" || bearer(r.Header) == s.APIKey
}

// bearer is the token of the Authorization header.
func bearer(h http.Header) string {
	token, _ := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	return token
}

// contentType is what the OpenAI API answers with.
const contentType = "application/json"

func writeError(w http.ResponseWriter, h http.Header, status int, e Error) {
	fakeserver.WriteJSON(w, h, contentType, status, map[string]Error{"error": e})
}
