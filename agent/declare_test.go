package agent

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/workspace"
)

const testSchema = `{
	"type": "object",
	"additionalProperties": false,
	"required": ["id"],
	"properties": {
		"id":      {"type": "string", "minLength": 1, "maxLength": 64, "description": "Id of the thing"},
		"pattern": {"type": ["string", "null"], "maxLength": 9, "description": "An argument called pattern"},
		"status":  {"anyOf": [{"type": "string", "enum": ["open", "done"]}, {"type": "null"}], "description": "New status"},
		"tags":    {"type": ["array", "null"], "maxItems": 20, "items": {"type": "string", "maxLength": 50}},
		"limit":   {"type": "integer", "minimum": 1, "maximum": 100, "description": "Page size"}
	}}`

func TestModelSchemaStripsValidationOnly(t *testing.T) {
	got := string(ModelSchema(json.RawMessage(testSchema)))
	for _, gone := range []string{"additionalProperties", "minLength", "maxLength", "maxItems", "minimum", "maximum", "\n", "\t"} {
		if strings.Contains(got, gone) {
			t.Errorf("model schema still has %q: %s", gone, got)
		}
	}
	for _, kept := range []string{`"pattern":{`, `"description":"Id of the thing"`, `"enum":["open","done"]`, `"required":["id"]`, `"type":["array","null"]`} {
		if !strings.Contains(got, kept) {
			t.Errorf("model schema lost %q: %s", kept, got)
		}
	}
}

func TestBriefSchema(t *testing.T) {
	got := string(BriefSchema(json.RawMessage(testSchema)))
	want := `{"properties":{"id":{},"limit":{"type":"integer"},"pattern":{},"status":{"enum":["open","done"]},"tags":{"items":{"type":"string"},"type":"array"}},"required":["id"],"type":"object"}`
	if got != want {
		t.Fatalf("brief schema\n got %s\nwant %s", got, want)
	}
}

func TestBriefDescription(t *testing.T) {
	for in, want := range map[string]string{
		"Get one contact by id, with all its fields.":                      "Get one contact by id, with all its fields.",
		"Search contacts by name; results are paged by name.":              "Search contacts by name",
		"List the extensions: name, host. And more.":                       "List the extensions",
		"Send an email. to and cc take email addresses; attachments are …": "Send an email",
	} {
		if got := BriefDescription(in); got != want {
			t.Errorf("BriefDescription(%q) = %q, want %q", in, got, want)
		}
	}
}

func tools(n int) []workspace.Tool {
	var out []workspace.Tool
	for i := range n {
		out = append(out, workspace.Tool{Name: fmt.Sprintf("thing_%d", i), Description: "Do a thing; with details.", Scope: "contacts:read", Schema: json.RawMessage(testSchema)})
	}
	return out
}

// TestDeclareFullOrBrief: a few tools are declared in full; more than
// FullDeclBytes of them briefly, with describe_tools, which returns the
// full declarations.
func TestDeclareFullOrBrief(t *testing.T) {
	few := Declare(tools(2), nil)
	if len(few.Tools) != 3 || few.Tools[2].Name != AskTool || few.Tools[0].Description != "Do a thing; with details." || !strings.Contains(string(few.Tools[0].Schema), "Id of the thing") || len(few.Deferred) != 0 {
		t.Fatalf("two tools should be declared in full: %+v", few)
	}
	many := tools(40)
	decls := Declare(many, nil).Tools
	if len(decls) != 42 || decls[40].Name != DescribeTool || decls[41].Name != AskTool {
		t.Fatalf("40 tools: want brief declarations, describe_tools and ask_caller; got %d", len(decls))
	}
	if decls[0].Description != "Do a thing" || strings.Contains(string(decls[0].Schema), "description") {
		t.Fatalf("brief declaration: %+v", decls[0])
	}
	if decls[40].Description != "Full declarations of the named tools." {
		t.Fatalf("describe_tools with nothing deferred: %q", decls[40].Description)
	}
	res := Describe(many, json.RawMessage(`{"names":["thing_3","nope"]}`))
	b, _ := json.Marshal(res)
	if !strings.Contains(string(b), `"name":"thing_3"`) || !strings.Contains(string(b), "Id of the thing") || !strings.Contains(string(b), `"unknown":["nope"]`) || strings.Contains(string(b), "thing_4") {
		t.Fatalf("describe: %s", b)
	}
}

// TestDeclareDefersOtherFamilies: past FullDeclBytes, the tools outside
// CoreFamilies are only named in describe_tools's description (and in
// Deferred) until the conversation describes or calls them; then they
// are declared briefly. Schemas as models see them carry no
// additionalProperties.
func TestDeclareDefersOtherFamilies(t *testing.T) {
	all := tools(30)
	all[3].Scope, all[7].Scope, all[9].Scope = "files:read", "extensions:use", "org:read"
	d := Declare(all, nil)
	if got := strings.Join(d.Deferred, ","); got != "thing_3,thing_7,thing_9" {
		t.Fatalf("deferred %s, want thing_3,thing_7,thing_9", got)
	}
	names := map[string]ToolDecl{}
	for _, decl := range d.Tools {
		names[decl.Name] = decl
		if strings.Contains(string(decl.Schema), "additionalProperties") {
			t.Errorf("%s declared with additionalProperties: %s", decl.Name, decl.Schema)
		}
	}
	if _, ok := names["thing_3"]; ok || len(d.Tools) != 29 {
		t.Fatalf("declared %d tools, thing_3 among them: %v", len(d.Tools), d.Tools)
	}
	if desc := names[DescribeTool].Description; !strings.Contains(desc, "Not declared yet: thing_3, thing_7, thing_9.") {
		t.Fatalf("describe_tools does not name the deferred tools: %q", desc)
	}
	msgs := []Message{
		{Role: RoleUser, Text: "find the file"},
		{Role: RoleModel, Calls: []ToolCall{{ID: "c1", Name: DescribeTool, Args: json.RawMessage(`{"names":["thing_3"]}`)}}},
		{Role: RoleTool, Results: []ToolResult{{CallID: "c1", Name: DescribeTool, Content: json.RawMessage(`{}`)}}},
		{Role: RoleModel, Calls: []ToolCall{{ID: "c2", Name: "thing_9", Args: json.RawMessage(`{}`)}}},
	}
	d = Declare(all, UsedTools(msgs))
	if got := strings.Join(d.Deferred, ","); got != "thing_7" {
		t.Fatalf("after describing thing_3 and calling thing_9, deferred %s, want thing_7", got)
	}
	for _, decl := range d.Tools {
		if decl.Name == "thing_3" && (decl.Description != "Do a thing" || strings.Contains(string(decl.Schema), "description")) {
			t.Fatalf("a described tool is declared briefly: %+v", decl)
		}
	}
	if len(d.Tools) != 31 {
		t.Fatalf("declared %d tools, want 31", len(d.Tools))
	}
}

// TestDeclareCachesBySchema: declaring the same tools again gives the same
// declarations (from the cache), a tool whose schema changed under the
// same name gets its new schema, and a full cache starts over.
func TestDeclareCachesBySchema(t *testing.T) {
	first := Declare(tools(2), nil).Tools
	again := Declare(tools(2), nil).Tools
	for i := range first {
		if string(first[i].Schema) != string(again[i].Schema) {
			t.Fatalf("declaration %d changed between calls: %s / %s", i, first[i].Schema, again[i].Schema)
		}
	}
	changed := tools(1)
	changed[0].Schema = json.RawMessage(`{"type":"object","properties":{"other":{"type":"string","maxLength":3,"description":"Another argument"}}}`)
	got := Declare(changed, nil).Tools[0].Schema
	if want := `{"properties":{"other":{"description":"Another argument","type":"string"}},"type":"object"}`; string(got) != want {
		t.Fatalf("changed schema: got %s, want %s", got, want)
	}
	var c schemaCache
	for i := range maxCachedSchemas + 1 {
		s := json.RawMessage(fmt.Sprintf(`{"type":"object","description":"%d","maxLength":1}`, i))
		if got, want := string(c.get(s, ModelSchema)), fmt.Sprintf(`{"description":"%d","type":"object"}`, i); got != want {
			t.Fatalf("entry %d: got %s, want %s", i, got, want)
		}
	}
	if len(c.m) > maxCachedSchemas {
		t.Fatalf("cache holds %d entries, bound %d", len(c.m), maxCachedSchemas)
	}
}
