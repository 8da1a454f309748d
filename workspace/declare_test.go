package workspace_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/workspace"
)

type sampleArgs struct {
	ID     string    `json:"id" schema:"required,minLength=1,maxLength=64" jsonschema:"Id of the thing"`
	Note   *string   `json:"note" schema:"maxLength=10"`
	Tags   []string  `json:"tags" schema:"maxItems=2,itemMaxLength=5"`
	State  *string   `json:"state" schema:"enum=a|b" jsonschema:"New state"`
	Limit  int       `json:"limit" schema:"minimum=1,maximum=100"`
	Skip   string    `json:"-"`
	Nested *struct{} `json:"nested,omitempty"`
}

// TestSchemaOf: the generated schema of a sample struct, constraint by
// constraint; a nullable enum becomes anyOf with null.
func TestSchemaOf(t *testing.T) {
	got, err := workspace.SchemaOf(reflect.TypeFor[sampleArgs]())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"additionalProperties":false,"properties":{` +
		`"id":{"description":"Id of the thing","maxLength":64,"minLength":1,"type":"string"},` +
		`"limit":{"maximum":100,"minimum":1,"type":"integer"},` +
		`"nested":{"additionalProperties":false,"type":["object","null"]},` +
		`"note":{"maxLength":10,"type":["string","null"]},` +
		`"state":{"anyOf":[{"enum":["a","b"],"type":"string"},{"type":"null"}],"description":"New state"},` +
		`"tags":{"items":{"maxLength":5,"type":"string"},"maxItems":2,"type":"array"}},` +
		`"required":["id"],"type":"object"}`
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(want), &b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("SchemaOf(sampleArgs) =\n%s\nwant\n%s", got, want)
	}

	type bad struct {
		X string `json:"x" schema:"maxLength=lots"`
	}
	if _, err := workspace.SchemaOf(reflect.TypeFor[bad]()); err == nil || !strings.Contains(err.Error(), "maxLength=lots") {
		t.Fatalf("a bad constraint: %v", err)
	}
}

// TestCheckArgsCatchesDrift: a schema edited after Define, or one that
// names an argument its struct lacks, is reported.
func TestCheckArgsCatchesDrift(t *testing.T) {
	tool := workspace.Define(workspace.Spec[sampleArgs]{Name: "sample", Effect: workspace.Read,
		Run: func(context.Context, workspace.Env, sampleArgs) (workspace.Result, error) {
			return workspace.Result{}, nil
		}})
	if err := tool.CheckArgs(); err != nil {
		t.Fatalf("a defined tool: %v", err)
	}
	edit := func(change func(props map[string]any, s map[string]any)) json.RawMessage {
		var s map[string]any
		if err := json.Unmarshal(tool.Schema, &s); err != nil {
			t.Fatal(err)
		}
		change(s["properties"].(map[string]any), s)
		b, _ := json.Marshal(s)
		return b
	}
	for name, schema := range map[string]json.RawMessage{
		"extra property":   edit(func(p, _ map[string]any) { p["page"] = map[string]any{"type": "integer"} }),
		"missing property": edit(func(p, _ map[string]any) { delete(p, "limit") }),
		"changed limit":    edit(func(p, _ map[string]any) { p["id"].(map[string]any)["maxLength"] = 65 }),
		"unknown required": edit(func(_, s map[string]any) { s["required"] = []string{"id", "who"} }),
	} {
		drifted := tool
		drifted.Schema = schema
		if err := drifted.CheckArgs(); err == nil {
			t.Errorf("%s: not reported", name)
		}
	}
	if !tool.Idempotent {
		t.Error("a read tool is not declared idempotent")
	}
}
