package openai

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/soisnode/soisnode/agent"
)

// completion is the part of a chat completion response the agent uses,
// decoded with encoding/json (the SDK's decoder of its full response type
// cost more than a tenth of a zero-latency turn's CPU). A field of an
// unexpected type is left at its zero value, as the SDK's decoder leaves
// it, rather than failing the call.
type completion struct {
	Model   string `json:"model"`
	Choices []struct {
		FinishReason string `json:"finish_reason"`
		Message      struct {
			Content   string `json:"content"`
			Refusal   string `json:"refusal"`
			ToolCalls []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens        tokens `json:"prompt_tokens"`
		CompletionTokens    tokens `json:"completion_tokens"`
		PromptTokensDetails struct {
			CachedTokens tokens `json:"cached_tokens"`
		} `json:"prompt_tokens_details"`
	} `json:"usage"`
}

// tokens is a token count: an integer, or a number with a fraction (some
// compatible servers send 12.0); anything else counts as none.
type tokens int64

// UnmarshalJSON implements json.Unmarshaler.
func (t *tokens) UnmarshalJSON(b []byte) error {
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*t = tokens(n)
	} else if f, err := strconv.ParseFloat(string(b), 64); err == nil && f > -(1<<62) && f < 1<<62 {
		*t = tokens(f)
	}
	return nil
}

// decode reads a response body. Values of an unexpected type are skipped
// (json.UnmarshalTypeError); only a body that is not JSON fails.
func decode(body []byte) (*completion, error) {
	var c completion
	if err := json.Unmarshal(body, &c); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("openai: error parsing response json: %w", err)
		}
	}
	return &c, nil
}

// fromCompletion maps the first choice to a model message: its content (or
// refusal) as Text, its function tool calls as Calls. A call keeps the
// server's id; one without (some compatible servers) gets "c<n>", n counting
// from 1 within this response. Response.Model is the model the server
// reports, else the requested one.
func fromCompletion(c *completion, model string) (agent.Response, error) {
	out := agent.Response{
		Message: agent.Message{Role: agent.RoleModel},
		Usage:   usage(c),
		Model:   cmp.Or(c.Model, model),
	}
	if len(c.Choices) == 0 {
		return out, fmt.Errorf("openai: no choices in the response")
	}
	choice := c.Choices[0]
	msg := choice.Message
	out.Message.Text = msg.Content
	if out.Message.Text == "" {
		out.Message.Text = msg.Refusal
	}
	for _, tc := range msg.ToolCalls {
		if tc.Type != "" && tc.Type != "function" {
			continue // custom tools are never declared
		}
		id := tc.ID
		if id == "" {
			id = fmt.Sprintf("c%d", len(out.Message.Calls)+1)
		}
		out.Message.Calls = append(out.Message.Calls, agent.ToolCall{
			ID: id, Name: tc.Function.Name, Args: args(tc.Function.Arguments),
		})
	}
	if out.Message.Text == "" && len(out.Message.Calls) == 0 && choice.FinishReason == "content_filter" {
		return out, fmt.Errorf("openai: no answer (finish reason content_filter)")
	}
	return out, nil
}

// args returns the call's arguments as JSON. Models occasionally emit
// invalid JSON; it is passed on as a JSON string so the loop's schema check
// fails and the model is told, instead of corrupting the stored message.
func args(s string) json.RawMessage {
	s = strings.TrimSpace(s)
	if s == "" {
		return json.RawMessage("{}")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	quoted, _ := json.Marshal(s)
	return quoted
}

// usage maps prompt_tokens (cached ones included), the cached part, and
// completion_tokens (reasoning tokens included).
func usage(c *completion) agent.Usage {
	u := c.Usage
	return agent.Usage{
		InputTokens:       int64(u.PromptTokens),
		CachedInputTokens: int64(u.PromptTokensDetails.CachedTokens),
		OutputTokens:      int64(u.CompletionTokens),
	}
}
