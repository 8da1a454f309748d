package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/genai"

	"github.com/soisnode/soisnode/agent"
)

// skipSignature is the sentinel Google documents for replaying a function
// call whose thought signature was not kept: agent.ToolCall has no field for
// the opaque signature, so every replayed call of a Gemini 3 model uses it.
var skipSignature = []byte("skip_thought_signature_validator")

// toContents maps the conversation to Gemini contents: user text, model text
// and functionCall parts, and tool results as functionResponse parts in a
// user turn. When signed is set, the first functionCall of each model turn
// carries skipSignature (Gemini 3 rejects replayed calls without one).
func toContents(msgs []agent.Message, signed bool) ([]*genai.Content, error) {
	out := make([]*genai.Content, 0, len(msgs))
	for i, m := range msgs {
		var c *genai.Content
		var err error
		switch m.Role {
		case agent.RoleUser:
			c = &genai.Content{Role: genai.RoleUser, Parts: []*genai.Part{{Text: m.Text}}}
		case agent.RoleModel:
			c, err = modelContent(m, signed)
		case agent.RoleTool:
			c, err = resultContent(m)
		default:
			err = fmt.Errorf("unknown role %q", m.Role)
		}
		if err != nil {
			return nil, fmt.Errorf("gemini: message %d: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func modelContent(m agent.Message, signed bool) (*genai.Content, error) {
	c := &genai.Content{Role: genai.RoleModel}
	if m.Text != "" {
		c.Parts = append(c.Parts, &genai.Part{Text: m.Text})
	}
	for i, call := range m.Calls {
		args, err := object(call.Args)
		if err != nil {
			return nil, fmt.Errorf("call %s args: %w", call.Name, err)
		}
		part := &genai.Part{FunctionCall: &genai.FunctionCall{ID: call.ID, Name: call.Name, Args: args}}
		if signed && i == 0 {
			part.ThoughtSignature = skipSignature
		}
		c.Parts = append(c.Parts, part)
	}
	if len(c.Parts) == 0 { // Gemini rejects a content without parts
		c.Parts = []*genai.Part{{Text: ""}}
	}
	return c, nil
}

// resultContent sends each result as a functionResponse whose response is
// the tool's JSON object; an error result is wrapped as {"error": …}, the
// key Gemini documents for failures, and a non-object as {"output": …}.
func resultContent(m agent.Message) (*genai.Content, error) {
	c := &genai.Content{Role: genai.RoleUser}
	for _, r := range m.Results {
		resp, err := object(r.Content)
		if err != nil {
			var v any
			if uerr := unmarshal(r.Content, &v); uerr != nil {
				return nil, fmt.Errorf("result %s: %w", r.Name, uerr)
			}
			resp = map[string]any{"output": v}
		}
		if r.IsError {
			resp = map[string]any{"error": resp}
		}
		c.Parts = append(c.Parts, &genai.Part{FunctionResponse: &genai.FunctionResponse{ID: r.CallID, Name: r.Name, Response: resp}})
	}
	if len(c.Parts) == 0 {
		return nil, fmt.Errorf("tool message without results")
	}
	return c, nil
}

// toTools declares the tools with their JSON schemas passed through as
// parametersJsonSchema (the SDK re-encodes them, so only integers beyond
// 2^53 could change).
func toTools(decls []agent.ToolDecl) []*genai.Tool {
	if len(decls) == 0 {
		return nil
	}
	fns := make([]*genai.FunctionDeclaration, 0, len(decls))
	for _, d := range decls {
		schema := d.Schema
		if len(bytes.TrimSpace(schema)) == 0 {
			schema = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		fns = append(fns, &genai.FunctionDeclaration{Name: d.Name, Description: d.Description, ParametersJsonSchema: schema})
	}
	return []*genai.Tool{{FunctionDeclarations: fns}}
}

// object decodes a JSON object; empty or null is {}. Numbers stay exact
// here, but the SDK re-encodes the map through float64, so integers beyond
// 2^53 lose precision on the wire (tool arguments carry ids as strings).
func object(raw json.RawMessage) (map[string]any, error) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return map[string]any{}, nil
	}
	var m map[string]any
	if err := unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

func unmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
