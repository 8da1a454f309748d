package openaifake

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/soisnode/soisnode/agent/internal/fakeserver"
)

// Reply is one scripted answer. With Err set it is an error response;
// otherwise a choice with Text and/or Calls.
type Reply struct {
	Status int         // HTTP status; 0 means 200 (or 500 when Err is set)
	Header http.Header // extra response headers, e.g. Retry-After, retry-after-ms
	Err    *Error      // error body {"error": …}
	Raw    string      // when set, sent verbatim as the body

	Text         string
	Refusal      string
	Calls        []Call
	FinishReason string // "" means "stop", or "tool_calls" when there are calls
	Model        string // "" means the requested model

	Usage           *Usage // nil means computed (see the package doc)
	CachedTokens    int64  // prompt_tokens_details.cached_tokens when computed
	ReasoningTokens int64  // added to completion_tokens when computed
}

// Call is a scripted tool call. Args is marshalled to JSON unless it is a
// string, which is sent verbatim as the arguments (to script invalid JSON).
// An empty ID becomes "call_<n>".
type Call struct {
	ID   string
	Name string
	Args any
}

// Text is a plain text answer.
func Text(s string) Reply { return Reply{Text: s} }

// Calls is an answer that calls tools (several calls are parallel).
func Calls(calls ...Call) Reply { return Reply{Calls: calls} }

// Fail is an error answer with status and message.
func Fail(status int, message string) Reply {
	typ := "invalid_request_error"
	if status >= 500 {
		typ = "server_error"
	}
	return Reply{Status: status, Err: &Error{Type: typ, Message: message}}
}

// RateLimited is a 429 with Retry-After (whole seconds) and retry-after-ms.
func RateLimited(after time.Duration) Reply {
	code := "rate_limit_exceeded"
	r := Reply{Status: http.StatusTooManyRequests, Err: &Error{
		Type: "requests", Code: &code,
		Message: "Rate limit reached for requests. Please try again later.",
	}}
	r.Header = http.Header{
		"Retry-After":    {strconv.Itoa(int(after / time.Second))},
		"Retry-After-Ms": {strconv.FormatInt(after.Milliseconds(), 10)},
	}
	return r
}

// InvalidKey is OpenAI's answer to a wrong key, which masks the key.
func InvalidKey(key string) Reply {
	masked := "sk-***"
	if len(key) > 8 {
		masked = key[:3] + "***" + key[len(key)-4:]
	}
	code := "invalid_api_key"
	return Reply{Status: http.StatusUnauthorized, Err: &Error{
		Type: "invalid_request_error", Code: &code,
		Message: fmt.Sprintf("Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.", masked),
	}}
}

func (r Reply) write(w http.ResponseWriter, req Request) {
	status := r.Status
	if r.Err != nil {
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeError(w, r.Header, status, *r.Err)
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
	if body.Usage == nil {
		u := &Usage{
			PromptTokens:     fakeserver.Tokens(len(req.Body)),
			CompletionTokens: max(fakeserver.Tokens(outBytes), 1) + r.ReasoningTokens,
		}
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
		u.PromptTokensDetails = &TokenDetails{CachedTokens: min(r.CachedTokens, u.PromptTokens)}
		u.CompletionDetails = &TokenDetails{ReasoningTokens: r.ReasoningTokens}
		body.Usage = u
	}
	fakeserver.WriteJSON(w, r.Header, contentType, status, body)
}

// body builds the success response and counts the answer's bytes.
func (r Reply) body(req Request) (completion, int) {
	msg := responseMessage{Role: "assistant"}
	n := len(r.Text)
	if r.Text != "" || len(r.Calls) == 0 {
		text := r.Text
		msg.Content = &text
	}
	if r.Refusal != "" {
		refusal := r.Refusal
		msg.Refusal = &refusal
		n += len(refusal)
	}
	for i, c := range r.Calls {
		args, ok := c.Args.(string)
		if !ok {
			args = string(fakeserver.Args(c.Args))
		}
		id := c.ID
		if id == "" {
			id = fmt.Sprintf("call_%d", i+1)
		}
		n += len(c.Name) + len(args)
		msg.ToolCalls = append(msg.ToolCalls, ToolCall{ID: id, Type: "function", Function: FunctionCall{Name: c.Name, Arguments: args}})
	}
	finish := r.FinishReason
	if finish == "" {
		finish = "stop"
		if len(r.Calls) > 0 {
			finish = "tool_calls"
		}
	}
	model := r.Model
	if model == "" {
		model = req.Parsed.Model
	}
	return completion{
		ID:      "chatcmpl-fake" + strconv.Itoa(n),
		Object:  "chat.completion",
		Created: 1700000000,
		Model:   model,
		Choices: []choice{{Message: msg, FinishReason: finish}},
		Usage:   r.Usage,
	}, n
}
