package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// Spec declares one tool, once: everything the registry, MCP, the model
// providers' function declarations and the docs say about it comes from
// here. A is the tool's argument struct; its JSON schema is generated from
// it (SchemaOf), so the schema and the struct the tool decodes cannot
// disagree.
type Spec[A any] struct {
	Name        string // fixed by DESIGN §8: external MCP clients call it
	Description string // one line, written for a model
	Scope       string // scope the key needs, e.g. "contacts:write"
	Effect      Effect
	// Idempotent: a repeat with the same arguments has no further effect
	// (MCP's idempotentHint). Reads are idempotent whatever this says.
	Idempotent bool
	// OpenWorld: the tool's effect reaches outside the database (an SMTP
	// relay, a peer node); see Tool.OpenWorld.
	OpenWorld bool
	// Run performs the call with the decoded, schema-checked arguments.
	Run func(ctx context.Context, env Env, args A) (Result, error)
}

// SchemaFor is SchemaOf(A) for a declaration built at init (a model-only
// tool such as ask_caller); it panics on a struct that has no schema.
func SchemaFor[A any]() json.RawMessage {
	b, err := SchemaOf(reflect.TypeFor[A]())
	if err != nil {
		panic(fmt.Sprintf("workspace: schema of %s: %v", reflect.TypeFor[A](), err))
	}
	return b
}

// NoArgs are the arguments of a tool that takes none.
type NoArgs struct{}

// Define builds the registry's Tool from s. It panics when A cannot be
// turned into a schema: a programming error, caught by any test that
// builds the tools.
func Define[A any](s Spec[A]) Tool {
	t := reflect.TypeFor[A]()
	schema, err := SchemaOf(t)
	if err != nil {
		panic(fmt.Sprintf("workspace: tool %s: %v", s.Name, err))
	}
	run := s.Run
	return Tool{
		Name: s.Name, Description: s.Description, Schema: schema, Scope: s.Scope, Effect: s.Effect,
		Idempotent: s.Idempotent || s.Effect == Read, OpenWorld: s.OpenWorld, Args: t,
		Run: func(ctx context.Context, env Env, raw json.RawMessage) (Result, error) {
			var a A
			if err := DecodeArgs(raw, &a); err != nil {
				return Result{}, err
			}
			return run(ctx, env, a)
		},
	}
}

// SchemaOf is the JSON schema of an argument struct: jsonschema.For's
// (properties by json name, descriptions from `jsonschema:"…"` tags, a
// pointer field nullable, no additional properties) with the constraints
// of each field's `schema:"…"` tag, a comma-separated list of:
//
//	required                 the argument must be given
//	minLength=N, maxLength=N string length in characters
//	minimum=N, maximum=N     integer bounds
//	minItems=N, maxItems=N   array length
//	itemMinLength=N, itemMaxLength=N  length of each string of an array
//	enum=a|b|c               the allowed values (a nullable one: anyOf with null)
//	type=T                   the JSON type (for a json.RawMessage field)
//	pattern=RE               a regular expression strings must match; last
//	                         in the tag (the rest of the tag is the RE)
//
// A field is optional unless tagged required (omitempty is not consulted:
// the argument structs are often the domain's own, whose JSON must not
// change).
func SchemaOf(t reflect.Type) (json.RawMessage, error) {
	s, err := jsonschema.ForType(t, &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[json.RawMessage](): {}, // any JSON value (narrow it with type=…)
	}})
	if err != nil {
		return nil, err
	}
	if s.Type != "object" {
		return nil, fmt.Errorf("arguments of type %s are not a JSON object", t)
	}
	s.Required = nil
	s.PropertyOrder = nil
	for _, f := range reflect.VisibleFields(t) {
		name, ok := jsonName(f)
		if !ok {
			continue
		}
		p := s.Properties[name]
		if p == nil {
			continue
		}
		nullable(p, f.Type.Kind() == reflect.Pointer)
		tag := f.Tag.Get("schema")
		if before, re, ok := strings.Cut(tag, "pattern="); ok {
			p.Pattern = re
			tag = strings.TrimSuffix(before, ",")
		}
		if tag == "" {
			continue
		}
		for _, c := range strings.Split(tag, ",") {
			if c == "required" {
				s.Required = append(s.Required, name)
				continue
			}
			if err := constrain(p, c); err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		if len(p.Types) > 0 && p.Enum != nil {
			// A nullable enum: null is not one of the values, so it is an
			// alternative: {"anyOf": [{"type": T, "enum": […]}, {"type": "null"}]}.
			s.Properties[name] = &jsonschema.Schema{Description: p.Description, AnyOf: []*jsonschema.Schema{
				{Type: p.Types[0], Enum: p.Enum}, {Type: "null"}}}
		}
	}
	b, err := json.Marshal(s)
	if err != nil || len(s.Properties) > 0 {
		return b, err
	}
	// No arguments: say so with "properties": {}, as providers expect.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["properties"] = map[string]any{}
	return json.Marshal(m)
}

// nullable makes p accept null exactly when its field is a pointer (For
// also lets a slice be null), with the null type last: {"type":
// ["string", "null"]}.
func nullable(p *jsonschema.Schema, pointer bool) {
	var t string
	for _, x := range p.Types {
		if x != "null" {
			t = x
		}
	}
	if t == "" {
		return
	}
	if pointer {
		p.Types = []string{t, "null"}
		return
	}
	p.Type, p.Types = t, nil
}

// jsonName is the JSON name of an exported, non-embedded field.
func jsonName(f reflect.StructField) (string, bool) {
	if f.Anonymous || !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return "", false
	case "":
		return f.Name, true
	}
	return name, true
}

// constrain applies one key=value constraint of a schema tag to p.
func constrain(p *jsonschema.Schema, c string) error {
	key, val, ok := strings.Cut(c, "=")
	if !ok {
		return fmt.Errorf("schema tag %q: want key=value", c)
	}
	switch key {
	case "type":
		p.Type = val
		return nil
	case "enum":
		for _, v := range strings.Split(val, "|") {
			p.Enum = append(p.Enum, v)
		}
		return nil
	}
	n, err := strconv.Atoi(val)
	if err != nil {
		return fmt.Errorf("schema tag %q: %w", c, err)
	}
	switch key {
	case "minLength":
		p.MinLength = &n
	case "maxLength":
		p.MaxLength = &n
	case "minimum":
		p.Minimum = jsonschema.Ptr(float64(n))
	case "maximum":
		p.Maximum = jsonschema.Ptr(float64(n))
	case "minItems":
		p.MinItems = &n
	case "maxItems":
		p.MaxItems = &n
	case "itemMinLength", "itemMaxLength":
		if p.Items == nil {
			return fmt.Errorf("schema tag %q on a field that is not an array", c)
		}
		if key == "itemMinLength" {
			p.Items.MinLength = &n
		} else {
			p.Items.MaxLength = &n
		}
	default:
		return fmt.Errorf("schema tag %q: unknown constraint", c)
	}
	return nil
}

// CheckArgs reports whether t's schema and its argument struct disagree:
// a property the struct does not have, a field the schema does not
// declare, a required argument that is not a field, or a schema that is
// not the one generated from the struct (edited by hand after Define). A
// tool without Args (an extension's) passes.
func (t Tool) CheckArgs() error {
	if t.Args == nil {
		return nil
	}
	var got struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if err := json.Unmarshal(t.Schema, &got); err != nil {
		return fmt.Errorf("tool %s: schema: %w", t.Name, err)
	}
	fields := map[string]bool{}
	for _, f := range reflect.VisibleFields(t.Args) {
		if name, ok := jsonName(f); ok {
			fields[name] = true
			if _, ok := got.Properties[name]; !ok {
				return fmt.Errorf("tool %s: field %s (%q) is not in the schema", t.Name, f.Name, name)
			}
		}
	}
	for name := range got.Properties {
		if !fields[name] {
			return fmt.Errorf("tool %s: schema property %q is not a field of %s", t.Name, name, t.Args)
		}
	}
	for _, name := range got.Required {
		if !fields[name] {
			return fmt.Errorf("tool %s: required argument %q is not a field of %s", t.Name, name, t.Args)
		}
	}
	want, err := SchemaOf(t.Args)
	if err != nil {
		return fmt.Errorf("tool %s: %w", t.Name, err)
	}
	var a, b any
	_ = json.Unmarshal(want, &a)
	_ = json.Unmarshal(t.Schema, &b)
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("tool %s: schema %s is not the one of %s: %s", t.Name, t.Schema, t.Args, want)
	}
	return nil
}
