package workspace

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
)

func TestScopeAllows(t *testing.T) {
	tests := []struct {
		granted []string
		need    string
		want    bool
	}{
		{nil, "contacts:write", true},
		{[]string{"contacts:read"}, "contacts:read", true},
		{[]string{"contacts:read"}, "contacts:write", false},
		{[]string{"contacts:*"}, "contacts:write", true},
		{[]string{"contacts:*"}, "tasks:read", false},
		{[]string{"*"}, "email:send", true},
		{[]string{"email:read"}, "email:send", false},
		{[]string{"contacts"}, "contacts:read", false},
	}
	for _, tt := range tests {
		if got := ScopeAllows(tt.granted, tt.need); got != tt.want {
			t.Errorf("ScopeAllows(%v, %s) = %v", tt.granted, tt.need, got)
		}
	}
}

func TestRegistryChecksPermissionAndSchema(t *testing.T) {
	ran := 0
	run := func(context.Context, Env, json.RawMessage) (Result, error) {
		ran++
		return Result{Data: map[string]any{"ok": true}}, nil
	}
	r := NewRegistry(nil, nil)
	r.Add(
		Tool{Name: "things_get", Scope: "things:read", Effect: Read, Run: run,
			Schema: json.RawMessage(`{"type":"object","properties":{"id":{"type":"string","minLength":1}},"required":["id"],"additionalProperties":false}`)},
		Tool{Name: "things_delete", Scope: "things:write", Effect: Destroy, Run: run,
			Schema: json.RawMessage(`{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}`)},
	)
	ctx := context.Background()
	viewer := Caller{WorkspaceID: "w", Role: Viewer}
	if _, err := r.Lookup(ctx, viewer, "things_delete"); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("viewer lookup of a destroy tool: %v", err)
	}
	if _, err := r.Lookup(ctx, viewer, "nope"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown tool: %v", err)
	}
	listed, _ := r.List(ctx, viewer)
	if len(listed) != 1 || listed[0].Name != "things_get" {
		t.Fatalf("viewer lists %v", listed)
	}
	tool, _ := r.Lookup(ctx, Caller{Role: Owner}, "things_get")
	for _, bad := range []string{`{}`, `{"id": 5}`, `{"id": ""}`, `{"id": "x", "extra": 1}`, `[1]`, `not json`} {
		if err := tool.Validate(json.RawMessage(bad)); !errs.Is(err, errs.Invalid) {
			t.Errorf("Validate(%s) = %v, want Invalid", bad, err)
		}
	}
	if err := tool.Validate(json.RawMessage(`{"id":"x"}`)); err != nil {
		t.Fatalf("valid args refused: %v", err)
	}
	// A null where a string is required is named as null, not as the
	// validator's Go internals.
	if err := tool.Validate(json.RawMessage(`{"id": null}`)); !errs.Is(err, errs.Invalid) ||
		!strings.Contains(err.Error(), `null has type "null", want "string"`) || strings.Contains(err.Error(), "reflect") {
		t.Errorf("Validate of a null id = %v", err)
	}
	if ran != 0 {
		t.Fatal("a tool ran during lookups and validation")
	}
}

// fixedSource is a Source of fixed tools.
type fixedSource []Tool

func (s fixedSource) Tools(context.Context, string) ([]Tool, error) { return s, nil }

// TestExternalFollowsTheSource: a tool is external (run outside any
// transaction, open-world) because a Source lists it, whatever its name;
// a built-in tool is external only when declared OpenWorld.
func TestExternalFollowsTheSource(t *testing.T) {
	run := func(context.Context, Env, json.RawMessage) (Result, error) { return Result{}, nil }
	schema := json.RawMessage(`{"type":"object"}`)
	r := NewRegistry(nil, nil)
	r.Add(Tool{Name: "ext_looks_external", Scope: "x:read", Effect: Read, Run: run, Schema: schema},
		Tool{Name: "mail_send", Scope: "x:write", Effect: Write, Run: run, Schema: schema, OpenWorld: true})
	r.AddSource(fixedSource{{Name: "remote_tool", Scope: "x:read", Effect: Read, Run: run, Schema: schema}})
	ctx := context.Background()
	owner := Caller{WorkspaceID: "w", Role: Owner}
	want := map[string][2]bool{ // external, outside a transaction
		"ext_looks_external": {false, false},
		"mail_send":          {false, true},
		"remote_tool":        {true, true},
	}
	listed, err := r.List(ctx, owner)
	if err != nil || len(listed) != len(want) {
		t.Fatalf("listed %v, %v", listed, err)
	}
	for _, l := range listed {
		looked, err := r.Lookup(ctx, owner, l.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tool := range []Tool{l, looked} {
			if got := [2]bool{tool.External(), tool.OutsideTx()}; got != want[tool.Name] {
				t.Errorf("%s: external, outside a transaction = %v, want %v", tool.Name, got, want[tool.Name])
			}
		}
	}
}
