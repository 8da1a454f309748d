package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/jsonstr"
)

// body encodes an agent.Request as a chat completion request's JSON: the
// system prompt as a system message, user text as user messages, model
// turns as assistant messages with tool_calls, and each tool result as a
// tool message answering its tool_call_id. Parallel tool calls are allowed
// whenever tools are declared.
//
// It is written here, not by the SDK's parameter types: their reflective
// encoding (and the decode of every tool schema into a map for it) was
// about a fifth of a zero-latency turn's CPU (docs/benchmarks.md, "Session
// 7"). Each tool's schema reaches the wire byte for byte, compacted once
// per distinct schema (schemas); strings are escaped as encoding/json
// escapes them, without the HTML escapes (as the SDK sends them).
func (p *Provider) body(model string, req agent.Request) ([]byte, error) {
	b := make([]byte, 0, 1024+len(req.System)+toolsSize(req.Tools))
	b = append(b, `{"model":`...)
	b = appendString(b, model)
	b = append(b, `,"messages":[`...)
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	if req.System != "" {
		sep()
		b = append(b, `{"role":"system","content":`...)
		b = appendString(b, req.System)
		b = append(b, '}')
	}
	for i, m := range req.Messages {
		switch m.Role {
		case agent.RoleUser:
			sep()
			b = append(b, `{"role":"user","content":`...)
			b = appendString(b, m.Text)
			b = append(b, '}')
		case agent.RoleModel:
			sep()
			b = append(b, `{"role":"assistant"`...)
			if m.Text != "" || len(m.Calls) == 0 {
				b = append(b, `,"content":`...)
				b = appendString(b, m.Text)
			}
			if len(m.Calls) > 0 {
				b = append(b, `,"tool_calls":[`...)
				for j, c := range m.Calls {
					if j > 0 {
						b = append(b, ',')
					}
					args := string(bytes.TrimSpace(c.Args))
					if args == "" || args == "null" {
						args = "{}"
					}
					b = append(b, `{"id":`...)
					b = appendString(b, c.ID)
					b = append(b, `,"type":"function","function":{"name":`...)
					b = appendString(b, c.Name)
					b = append(b, `,"arguments":`...)
					b = appendString(b, args)
					b = append(b, `}}`...)
				}
				b = append(b, ']')
			}
			b = append(b, '}')
		case agent.RoleTool:
			if len(m.Results) == 0 {
				return nil, fmt.Errorf("openai: message %d: tool message without results", i)
			}
			for _, r := range m.Results {
				sep()
				b = append(b, `{"role":"tool","tool_call_id":`...)
				b = appendString(b, r.CallID)
				b = append(b, `,"content":`...)
				b = appendString(b, resultText(r))
				b = append(b, '}')
			}
		default:
			return nil, fmt.Errorf("openai: message %d: unknown role %q", i, m.Role)
		}
	}
	b = append(b, ']')
	if n := int64(req.MaxOutputTokens); n > 0 {
		if p.legacy {
			b = append(b, `,"max_tokens":`...)
		} else {
			b = append(b, `,"max_completion_tokens":`...)
		}
		b = strconv.AppendInt(b, n, 10)
	}
	if len(req.Tools) > 0 { // the API rejects parallel_tool_calls without tools
		b = append(b, `,"parallel_tool_calls":true,"tools":[`...)
		for i, d := range req.Tools {
			schema, err := schemas.get(d.Schema)
			if err != nil {
				return nil, fmt.Errorf("openai: tool %s schema: %w", d.Name, err)
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":"function","function":{"name":`...)
			b = appendString(b, d.Name)
			if d.Description != "" {
				b = append(b, `,"description":`...)
				b = appendString(b, d.Description)
			}
			b = append(b, `,"parameters":`...)
			b = append(b, schema...)
			b = append(b, `}}`...)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// toolsSize is about the bytes the declarations take on the wire.
func toolsSize(ds []agent.ToolDecl) int {
	n := 0
	for _, d := range ds {
		n += 64 + len(d.Name) + len(d.Description) + len(d.Schema)
	}
	return n
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

// emptySchema declares no parameters.
var emptySchema = []byte(`{"type":"object","properties":{}}`)

// schemaCache holds each distinct tool schema compacted and checked to be
// a JSON object, so a turn copies its declarations instead of checking
// them again: the built-in tools' schemas never change and an
// extension's only with its manifest. Bounded: past maxCachedSchemas
// entries it starts over.
type schemaCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

const maxCachedSchemas = 2048

var schemas schemaCache

// get returns raw compacted (emptySchema for an empty one), or an error
// when it is not a JSON object. The result must not be modified.
func (c *schemaCache) get(raw json.RawMessage) ([]byte, error) {
	c.mu.Lock()
	out, ok := c.m[string(raw)]
	c.mu.Unlock()
	if ok {
		return out, nil
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return emptySchema, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	if buf.Bytes()[0] != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	out = buf.Bytes()
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedSchemas {
		c.m = make(map[string][]byte)
	}
	c.m[string(raw)] = out
	c.mu.Unlock()
	return out, nil
}

// appendString appends s as a JSON string as encoding/json writes it with
// SetEscapeHTML(false), as the SDK sent it (jsonstr.Append).
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s, false) }
