package agent

import (
	"encoding/json"

	"github.com/soisnode/soisnode/workspace"
)

// validationOnly are JSON Schema keywords that constrain values without
// telling the model anything it needs to choose them: the registry checks
// every call against the tool's full schema, and a call that breaks one
// comes back as a tool error the model can correct. Declared to the model,
// they are boilerplate repeated in every property of every tool, a large
// part of each model call's prompt (docs/benchmarks.md, token economy).
var validationOnly = map[string]bool{
	"additionalProperties": true,
	"minLength":            true,
	"maxLength":            true,
	"minItems":             true,
	"maxItems":             true,
	"minimum":              true,
	"maximum":              true,
	"pattern":              true,
	"$schema":              true,
}

// Declare turns the tools a caller may use into the declarations the model
// sees, with each schema compacted by ModelSchema, and ask_caller last.
func Declare(tools []workspace.Tool) []ToolDecl {
	decls := make([]ToolDecl, 0, len(tools)+1)
	for _, tool := range tools {
		decls = append(decls, ToolDecl{Name: tool.Name, Description: tool.Description, Schema: ModelSchema(tool.Schema)})
	}
	return append(decls, AskToolDecl)
}

// ModelSchema is schema as declared to a model: compact JSON without the
// validation-only keywords (validationOnly). Properties, types, required,
// enums, items and descriptions stay. A schema that is not a JSON object
// is returned unchanged.
func ModelSchema(schema json.RawMessage) json.RawMessage {
	var v map[string]any
	if err := json.Unmarshal(schema, &v); err != nil || v == nil {
		return schema
	}
	out, err := json.Marshal(strip(v))
	if err != nil {
		return schema
	}
	return out
}

// strip removes validationOnly keywords from a schema node and its
// subschemas (properties' values, items), but never from the property
// names themselves: a tool may well have an argument called "pattern".
func strip(node map[string]any) map[string]any {
	for k, v := range node {
		if validationOnly[k] {
			delete(node, k)
			continue
		}
		switch k {
		case "properties":
			if props, ok := v.(map[string]any); ok {
				for name, p := range props {
					if m, ok := p.(map[string]any); ok {
						props[name] = strip(m)
					}
				}
			}
		case "items", "not":
			if m, ok := v.(map[string]any); ok {
				node[k] = strip(m)
			}
		case "anyOf", "oneOf", "allOf":
			if list, ok := v.([]any); ok {
				for i, s := range list {
					if m, ok := s.(map[string]any); ok {
						list[i] = strip(m)
					}
				}
			}
		}
	}
	return node
}
