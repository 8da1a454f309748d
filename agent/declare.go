package agent

import (
	"encoding/json"
	"strings"

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

// DescribeTool is the tool the loop adds when the caller's tools are
// declared briefly (Declare): it returns the full declarations of the
// named tools, so their argument documentation costs tokens only in the
// turns that need it, and the tools it names that were not declared yet
// are declared in the turn's later model calls.
const DescribeTool = "describe_tools"

// describeSchema is DescribeTool's argument schema, as a model sees it.
var describeSchema = ModelSchema(workspace.SchemaFor[describeArgs]())

// describeDecl is the declaration of DescribeTool, naming the tools the
// caller may use that are not declared (deferred).
func describeDecl(deferred []string) ToolDecl {
	d := "Full declarations of the named tools."
	if len(deferred) > 0 {
		d = "Full declarations of the named tools, which are declared to you after it. Not declared yet: " + strings.Join(deferred, ", ") + "."
	}
	return ToolDecl{Name: DescribeTool, Description: d, Schema: describeSchema}
}

// describeArgs are DescribeTool's arguments.
type describeArgs struct {
	Names []string `json:"names" schema:"required"`
}

// FullDeclBytes is how large the tool declarations of one model call may
// be before Declare switches to brief ones (about 1 500 tokens at three
// bytes a token): a caller with a few tool families sees each in full, an
// owner with every family and extensions sees the core families briefly
// and the rest by name, through DescribeTool.
const FullDeclBytes = 4500

// CoreFamilies are the tool families (a tool's scope before the colon)
// declared in every model call: the workspace's records a plain-English
// request asks about first (people, tasks, email). When the caller's
// tools do not fit in FullDeclBytes, the tools of the other families
// (files, org, extensions, peers and every extension's tools) are only
// named, in DescribeTool's description, until the model describes them.
var CoreFamilies = map[string]bool{"contacts": true, "tasks": true, "email": true}

// Family is the tool family of tool: its scope up to the colon
// ("contacts:write" is "contacts").
func Family(tool workspace.Tool) string {
	f, _, _ := strings.Cut(tool.Scope, ":")
	return f
}

// Declaration is what a model call declares of the caller's tools.
type Declaration struct {
	Tools []ToolDecl // declared, ask_caller last
	// Deferred names the caller's tools that are not declared: named in
	// DescribeTool's description, declared once described (Request.Deferred).
	Deferred []string
}

// Declare turns the tools a caller may use into the declarations the model
// sees, ask_caller last. Each is in full (compact schema, ModelSchema)
// while they all fit in FullDeclBytes. Otherwise the tools of the
// CoreFamilies and those in used (described or called earlier in the
// conversation, UsedTools) are declared briefly (BriefSchema: argument
// names and types, no argument descriptions; a described tool's full
// declaration is in the conversation as DescribeTool's result), the
// others are deferred: named in the declaration of DescribeTool, which
// fetches full declarations on demand. The declarations' schemas are shared between calls
// (schemaCache): do not modify them.
func Declare(tools []workspace.Tool, used map[string]bool) Declaration {
	decls := make([]ToolDecl, 0, len(tools)+2)
	size := 0
	for _, tool := range tools {
		d := FullDecl(tool)
		size += len(d.Name) + len(d.Description) + len(d.Schema)
		decls = append(decls, d)
	}
	if size <= FullDeclBytes {
		return Declaration{Tools: append(decls, AskToolDecl)}
	}
	var out Declaration
	kept := decls[:0]
	for _, tool := range tools {
		if CoreFamilies[Family(tool)] || used[tool.Name] {
			kept = append(kept, ToolDecl{Name: tool.Name, Description: BriefDescription(tool.Description), Schema: briefSchemas.get(tool.Schema, BriefSchema)})
		} else {
			out.Deferred = append(out.Deferred, tool.Name)
		}
	}
	out.Tools = append(kept, describeDecl(out.Deferred), AskToolDecl)
	return out
}

// UsedTools are the tools a conversation's messages described
// (DescribeTool's names) or called: Declare declares them, so a
// deferred tool is declared from the call after its description on, and a
// tool of an earlier call stays declared while the call is in the history.
func UsedTools(msgs []Message) map[string]bool {
	used := map[string]bool{}
	for _, m := range msgs {
		for _, c := range m.Calls {
			if c.Name != DescribeTool {
				used[c.Name] = true
				continue
			}
			var a describeArgs
			if json.Unmarshal(c.Args, &a) == nil {
				for _, n := range a.Names {
					used[n] = true
				}
			}
		}
	}
	return used
}

// FullDecl is a tool's full declaration: its description and compact
// schema. The schema is shared with other declarations of the same tool
// (schemaCache): do not modify it.
func FullDecl(tool workspace.Tool) ToolDecl {
	return ToolDecl{Name: tool.Name, Description: tool.Description, Schema: modelSchemas.get(tool.Schema, ModelSchema)}
}

// Describe answers a DescribeTool call: the full declarations of the named
// tools among those the caller may use, and which names are unknown.
func Describe(tools []workspace.Tool, args json.RawMessage) map[string]any {
	var a describeArgs
	_ = json.Unmarshal(args, &a)
	byName := make(map[string]workspace.Tool, len(tools))
	for _, t := range tools {
		byName[t.Name] = t
	}
	found := []ToolDecl{}
	unknown := []string{}
	for _, name := range a.Names {
		if t, ok := byName[name]; ok {
			found = append(found, FullDecl(t))
		} else {
			unknown = append(unknown, name)
		}
	}
	out := map[string]any{"tools": found}
	if len(unknown) > 0 {
		out["unknown"] = unknown
	}
	return out
}

// BriefDescription is a description's first clause: up to the first
// "; ", ". " or ": " (the rest is in the full declaration).
func BriefDescription(d string) string {
	for _, sep := range []string{"; ", ". ", ": "} {
		if i := strings.Index(d, sep); i > 0 {
			d = d[:i]
		}
	}
	return d
}

// BriefSchema is schema reduced to what a call needs: property names with
// their types (a nullable type as its non-null one, since omitting an
// argument says the same; none beside an enum of strings), enums, items
// and required; no descriptions. A
// plain string argument, the common case, is declared as {} (any value):
// its name says what it holds, and a wrong value comes back as the
// registry's validation error.
func BriefSchema(schema json.RawMessage) json.RawMessage {
	var v map[string]any
	if err := json.Unmarshal(schema, &v); err != nil || v == nil {
		return schema
	}
	out, err := json.Marshal(plainStrings(brief(strip(v))))
	if err != nil {
		return schema
	}
	return out
}

func brief(node map[string]any) map[string]any {
	delete(node, "description")
	if types, ok := node["type"].([]any); ok {
		for _, t := range types {
			if t != "null" {
				node["type"] = t
				break
			}
		}
	}
	if list, ok := node["anyOf"].([]any); ok { // nullable enum: keep the non-null branch
		for _, s := range list {
			if m, ok := s.(map[string]any); ok && m["type"] != "null" {
				delete(node, "anyOf")
				for k, v := range m {
					node[k] = v
				}
				break
			}
		}
	}
	if node["type"] == "string" && stringEnum(node["enum"]) {
		delete(node, "type") // the values say it: each is a string
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for name, p := range props {
			if m, ok := p.(map[string]any); ok {
				props[name] = brief(m)
			}
		}
	}
	if m, ok := node["items"].(map[string]any); ok {
		node["items"] = brief(m)
	}
	return node
}

// stringEnum reports whether enum is a non-empty list of strings.
func stringEnum(enum any) bool {
	list, ok := enum.([]any)
	if !ok || len(list) == 0 {
		return false
	}
	for _, v := range list {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

// plainStrings empties the schemas of properties that are nothing but
// {"type":"string"}.
func plainStrings(node map[string]any) map[string]any {
	if props, ok := node["properties"].(map[string]any); ok {
		for name, p := range props {
			if m, ok := p.(map[string]any); ok && len(m) == 1 && m["type"] == "string" {
				props[name] = map[string]any{}
			}
		}
	}
	return node
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
