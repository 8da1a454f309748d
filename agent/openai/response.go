package openai

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3"

	"github.com/soisnode/soisnode/agent"
)

// fromCompletion maps the first choice to a model message: its content (or
// refusal) as Text, its function tool calls as Calls. A call keeps the
// server's id; one without (some compatible servers) gets "c<n>", n counting
// from 1 within this response. Response.Model is the model the server
// reports, else the requested one.
func fromCompletion(c *openai.ChatCompletion, model string) (agent.Response, error) {
	out := agent.Response{
		Message: agent.Message{Role: agent.RoleModel},
		Usage:   usage(c.Usage),
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
func usage(u openai.CompletionUsage) agent.Usage {
	return agent.Usage{
		InputTokens:       u.PromptTokens,
		CachedInputTokens: u.PromptTokensDetails.CachedTokens,
		OutputTokens:      u.CompletionTokens,
	}
}
