package mcp

import (
	"bytes"
	"encoding/json"
	"slices"
)

// MCP clients such as the MCP Inspector send null for an optional argument
// left empty. Every tool treats an absent optional argument and a null one
// alike ("not given", "keep"), so the schemas MCP clients see declare each
// optional top-level argument nullable, and a call's null optional
// arguments are dropped before the registry validates them against the
// tool's own schema.

// nullableSchema returns schema with each property not in "required"
// widened to also accept null. A schema it cannot read is returned as is.
func nullableSchema(schema json.RawMessage) json.RawMessage {
	var s map[string]json.RawMessage
	if json.Unmarshal(schema, &s) != nil {
		return schema
	}
	var props map[string]map[string]any
	if json.Unmarshal(s["properties"], &props) != nil || len(props) == 0 {
		return schema
	}
	var required []string
	_ = json.Unmarshal(s["required"], &required)
	for name, p := range props {
		if !slices.Contains(required, name) {
			props[name] = widen(p)
		}
	}
	out, err := json.Marshal(props)
	if err != nil {
		return schema
	}
	s["properties"] = out
	if out, err = json.Marshal(s); err != nil {
		return schema
	}
	return out
}

// widen makes one property schema accept null.
func widen(p map[string]any) map[string]any {
	if acceptsNull(p) {
		return p
	}
	switch t := p["type"].(type) {
	case string:
		p["type"] = []any{t, "null"}
	case []any:
		p["type"] = append(t, "null")
	default:
		for _, k := range []string{"anyOf", "oneOf"} {
			if alts, ok := p[k].([]any); ok {
				p[k] = append(alts, map[string]any{"type": "null"})
				return p
			}
		}
		return map[string]any{"anyOf": []any{p, map[string]any{"type": "null"}}}
	}
	if enum, ok := p["enum"].([]any); ok {
		p["enum"] = append(enum, nil)
	}
	return p
}

// acceptsNull reports whether a property schema already allows null.
func acceptsNull(p map[string]any) bool {
	switch t := p["type"].(type) {
	case string:
		return t == "null"
	case []any:
		return slices.Contains(t, any("null"))
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := p[k].([]any); ok {
			for _, a := range alts {
				if m, ok := a.(map[string]any); ok && acceptsNull(m) {
					return true
				}
			}
		}
	}
	return false
}

// dropNullOptionals removes the top-level arguments that are null and not
// required by schema. Anything it cannot read is passed on unchanged for
// the registry to refuse with its own message.
func dropNullOptionals(schema, args json.RawMessage) json.RawMessage {
	if !bytes.Contains(args, []byte("null")) {
		return args
	}
	var a map[string]json.RawMessage
	if json.Unmarshal(args, &a) != nil {
		return args
	}
	var s struct {
		Required []string `json:"required"`
	}
	_ = json.Unmarshal(schema, &s)
	changed := false
	for k, v := range a {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) && !slices.Contains(s.Required, k) {
			delete(a, k)
			changed = true
		}
	}
	if !changed {
		return args
	}
	out, err := json.Marshal(a)
	if err != nil {
		return args
	}
	return out
}
