package workspace

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// DocTable is the markdown table of tools that docs/tools.md shows
// (between its "tools:begin" and "tools:end" markers), generated from the
// declarations: name, scope, effect and arguments, required ones in bold,
// with their array, boolean or enum type.
func DocTable(tools []Tool) string {
	var b strings.Builder
	b.WriteString("| tool | scope | effect | arguments (required in bold) |\n|---|---|---|---|\n")
	for _, t := range tools {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Name, t.Scope, t.Effect, docArgs(t.Schema))
	}
	return b.String()
}

// docArgs lists a schema's properties: the required ones first, then the
// rest, each group alphabetically.
func docArgs(schema json.RawMessage) string {
	var s struct {
		Properties map[string]struct {
			Type  any      `json:"type"`
			Enum  []string `json:"enum"`
			AnyOf []struct {
				Enum []string `json:"enum"`
			} `json:"anyOf"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if json.Unmarshal(schema, &s) != nil || len(s.Properties) == 0 {
		return "(none)"
	}
	var req, opt []string
	for name := range s.Properties {
		if slices.Contains(s.Required, name) {
			req = append(req, name)
		} else {
			opt = append(opt, name)
		}
	}
	slices.Sort(req)
	slices.Sort(opt)
	var out []string
	for _, name := range append(req, opt...) {
		p := s.Properties[name]
		arg := name
		if slices.Contains(s.Required, name) {
			arg = "**" + name + "**"
		}
		var enum []string // "" (no filter) is not worth showing
		for _, v := range slices.Concat(append([][]string{p.Enum}, anyOfEnums(p.AnyOf)...)...) {
			if v != "" {
				enum = append(enum, v)
			}
		}
		switch typ := fmt.Sprint(p.Type); {
		case len(enum) > 0:
			arg += " (" + strings.Join(enum, `\|`) + ")"
		case strings.Contains(typ, "array"):
			arg += " (string[])"
		case strings.Contains(typ, "boolean"):
			arg += " (bool)"
		}
		out = append(out, arg)
	}
	return strings.Join(out, ", ")
}

func anyOfEnums(alts []struct {
	Enum []string `json:"enum"`
}) [][]string {
	var out [][]string
	for _, a := range alts {
		out = append(out, a.Enum)
	}
	return out
}
