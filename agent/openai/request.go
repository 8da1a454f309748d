package openai

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/soisnode/soisnode/agent"
)

// params maps an agent.Request to a chat completion request: the system
// prompt as a system message, user text as user messages, model turns as
// assistant messages with tool_calls, and each tool result as a tool message
// answering its tool_call_id. Parallel tool calls are allowed whenever tools
// are declared.
func (p *Provider) params(model string, req agent.Request) (openai.ChatCompletionNewParams, error) {
	params := openai.ChatCompletionNewParams{Model: model}
	if req.System != "" {
		params.Messages = append(params.Messages, openai.SystemMessage(req.System))
	}
	for i, m := range req.Messages {
		msgs, err := toMessages(m)
		if err != nil {
			return params, fmt.Errorf("openai: message %d: %w", i, err)
		}
		params.Messages = append(params.Messages, msgs...)
	}
	for _, d := range req.Tools {
		schema, err := schemaObject(d.Schema)
		if err != nil {
			return params, fmt.Errorf("openai: tool %s schema: %w", d.Name, err)
		}
		fn := shared.FunctionDefinitionParam{Name: d.Name, Parameters: schema}
		if d.Description != "" {
			fn.Description = openai.String(d.Description)
		}
		params.Tools = append(params.Tools, openai.ChatCompletionFunctionTool(fn))
	}
	if len(params.Tools) > 0 { // the API rejects parallel_tool_calls without tools
		params.ParallelToolCalls = openai.Bool(true)
	}
	if n := int64(req.MaxOutputTokens); n > 0 {
		if p.legacy {
			params.MaxTokens = openai.Int(n)
		} else {
			params.MaxCompletionTokens = openai.Int(n)
		}
	}
	return params, nil
}

func toMessages(m agent.Message) ([]openai.ChatCompletionMessageParamUnion, error) {
	switch m.Role {
	case agent.RoleUser:
		return []openai.ChatCompletionMessageParamUnion{openai.UserMessage(m.Text)}, nil
	case agent.RoleModel:
		var a openai.ChatCompletionAssistantMessageParam
		if m.Text != "" || len(m.Calls) == 0 {
			a.Content.OfString = openai.String(m.Text)
		}
		for _, c := range m.Calls {
			args := string(bytes.TrimSpace(c.Args))
			if args == "" || args == "null" {
				args = "{}"
			}
			a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
				OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
					ID:       c.ID,
					Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: args},
				},
			})
		}
		return []openai.ChatCompletionMessageParamUnion{{OfAssistant: &a}}, nil
	case agent.RoleTool:
		if len(m.Results) == 0 {
			return nil, fmt.Errorf("tool message without results")
		}
		out := make([]openai.ChatCompletionMessageParamUnion, 0, len(m.Results))
		for _, r := range m.Results {
			out = append(out, openai.ToolMessage(resultText(r), r.CallID))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown role %q", m.Role)
}

// resultText is the tool message content: the result's JSON, wrapped as
// {"error": …} when the tool failed (chat completions has no error flag).
func resultText(r agent.ToolResult) string {
	content := bytes.TrimSpace(r.Content)
	if len(content) == 0 {
		content = []byte("null")
	}
	if r.IsError {
		return `{"error":` + string(content) + `}`
	}
	return string(content)
}

// schemaObject splits a tool's JSON schema into its top-level members,
// each kept as raw JSON so the schema reaches the wire byte for byte (the
// SDK would re-encode json.Number values as strings). An empty schema
// declares no parameters.
func schemaObject(raw json.RawMessage) (shared.FunctionParameters, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return shared.FunctionParameters{"type": "object", "properties": map[string]any{}}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	out := make(shared.FunctionParameters, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out, nil
}
