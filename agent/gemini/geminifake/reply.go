package geminifake

import (
	"net/http"
	"strconv"
	"time"

	"github.com/soisnode/soisnode/agent/internal/fakeserver"
)

// Reply is one scripted answer. With Err set it is an error response;
// otherwise a candidate with Text and/or Calls.
type Reply struct {
	Status int         // HTTP status; 0 means 200, or Err.Code when Err is set
	Header http.Header // extra response headers, e.g. Retry-After
	Err    *Error      // error body {"error": …}
	Raw    string      // when set, sent verbatim as the body (status as above)

	Text         string
	Thought      string // an extra thought part (thought: true), not part of the answer
	Calls        []Call
	FinishReason string // "" means STOP
	ModelVersion string // "" means the model from the path

	Usage          *UsageMetadata // nil means computed (see the package doc)
	CachedTokens   int64          // cachedContentTokenCount when computed
	ThoughtsTokens int64          // thoughtsTokenCount when computed
}

// Call is a scripted function call. Args is marshalled to JSON; ID is sent
// only when set (the Gemini API usually sends none).
type Call struct {
	ID   string
	Name string
	Args any
}

// Text is a plain text answer.
func Text(s string) Reply { return Reply{Text: s} }

// Calls is an answer that calls functions (several calls are parallel).
func Calls(calls ...Call) Reply { return Reply{Calls: calls} }

// Fail is an error answer with Gemini's status name for code.
func Fail(code int, message string) Reply {
	return Reply{Err: &Error{Code: code, Status: statusName(code), Message: message}}
}

// RateLimited is a 429 RESOURCE_EXHAUSTED carrying both a Retry-After
// header and a google.rpc.RetryInfo detail of after (whole seconds).
func RateLimited(after time.Duration) Reply {
	secs := int(after / time.Second)
	r := Fail(http.StatusTooManyRequests, "Resource has been exhausted (e.g. check quota).")
	r.Header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	r.Err.Details = []map[string]any{{
		"@type":      "type.googleapis.com/google.rpc.RetryInfo",
		"retryDelay": strconv.Itoa(secs) + "s",
	}}
	return r
}

// InvalidKey is Gemini's answer to a wrong API key.
func InvalidKey() Reply {
	r := Fail(http.StatusBadRequest, "API key not valid. Please pass a valid API key.")
	r.Err.Details = []map[string]any{{
		"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
		"reason": "API_KEY_INVALID",
		"domain": "googleapis.com",
	}}
	return r
}

func statusName(code int) string {
	switch code {
	case 400:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 500:
		return "INTERNAL"
	case 503:
		return "UNAVAILABLE"
	case 504:
		return "DEADLINE_EXCEEDED"
	}
	return "UNKNOWN"
}

func (r Reply) write(w http.ResponseWriter, req Request) {
	status := r.Status
	if r.Err != nil {
		if status == 0 {
			status = r.Err.Code
		}
		e := *r.Err
		e.Code = status
		writeError(w, r.Header, e)
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	if r.Raw != "" {
		fakeserver.WriteHeader(w, r.Header, contentType, status)
		_, _ = w.Write([]byte(r.Raw))
		return
	}
	body, outBytes := r.body(req)
	if body.UsageMetadata == nil {
		u := &UsageMetadata{
			PromptTokenCount:     fakeserver.Tokens(len(req.Body)),
			CandidatesTokenCount: max(fakeserver.Tokens(outBytes), 1),
			ThoughtsTokenCount:   r.ThoughtsTokens,
		}
		u.CachedContentTokenCount = min(r.CachedTokens, u.PromptTokenCount)
		u.TotalTokenCount = u.PromptTokenCount + u.CandidatesTokenCount + u.ThoughtsTokenCount
		body.UsageMetadata = u
	}
	fakeserver.WriteJSON(w, r.Header, contentType, status, body)
}

// body builds the success response and counts the answer's bytes.
func (r Reply) body(req Request) (generateContentResponse, int) {
	content := Content{Role: "model"}
	n := len(r.Text)
	if r.Thought != "" {
		content.Parts = append(content.Parts, Part{Text: r.Thought, Thought: true})
	}
	if r.Text != "" {
		content.Parts = append(content.Parts, Part{Text: r.Text})
	}
	for _, c := range r.Calls {
		args := fakeserver.Args(c.Args)
		n += len(c.Name) + len(args)
		content.Parts = append(content.Parts, Part{FunctionCall: &FunctionCall{ID: c.ID, Name: c.Name, Args: args}})
	}
	if len(content.Parts) == 0 {
		content.Parts = []Part{{Text: ""}}
	}
	finish := r.FinishReason
	if finish == "" {
		finish = "STOP"
	}
	version := r.ModelVersion
	if version == "" {
		version = req.Model
	}
	return generateContentResponse{
		Candidates:    []candidate{{Content: content, FinishReason: finish}},
		UsageMetadata: r.Usage,
		ModelVersion:  version,
		ResponseID:    "fake-" + strconv.Itoa(n),
	}, n
}
