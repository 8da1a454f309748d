package builtin_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/builtin"
)

// TestDeclarationsMatchArgs: every built-in tool is declared with
// workspace.Define and its schema is the one of its argument struct.
func TestDeclarationsMatchArgs(t *testing.T) {
	seen := map[string]bool{}
	for _, tool := range builtin.Declarations() {
		if seen[tool.Name] {
			t.Errorf("%s is declared twice", tool.Name)
		}
		seen[tool.Name] = true
		if tool.Args == nil {
			t.Errorf("%s is not declared with workspace.Define", tool.Name)
			continue
		}
		if err := tool.CheckArgs(); err != nil {
			t.Error(err)
		}
	}
}

const (
	begin = "<!-- tools:begin (generated from the declarations: go test ./workspace/builtin -update) -->\n"
	end   = "<!-- tools:end -->\n"
)

// TestDocsToolsTable: docs/tools.md's table of tools is the one generated
// from the declarations (run with -update to rewrite it).
func TestDocsToolsTable(t *testing.T) {
	const path = "../../docs/tools.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	want := workspace.DocTable(builtin.Declarations())
	if got := doc[i+len(begin) : j]; got != want {
		if *update {
			if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("docs/tools.md's tool table is stale; run go test ./workspace/builtin -update. Want:\n%s", want)
	}
}

var update = flag.Bool("update", false, "rewrite docs/tools.md's generated table")

// TestNegotiateMaxUSDPattern: peers_negotiate's max_usd pattern (a schema
// tag whose regular expression holds a comma) accepts a dollar amount of
// at most 6 decimals and nothing else.
func TestNegotiateMaxUSDPattern(t *testing.T) {
	var tool workspace.Tool
	for _, d := range builtin.Declarations() {
		if d.Name == "peers_negotiate" {
			tool = d
		}
	}
	for amount, ok := range map[string]bool{"1.5": true, "12": true, "0.123456": true, "1.1234567": false, "1,5": false, "-1": false} {
		err := tool.Validate([]byte(`{"peer":"acme","goal":"x","max_usd":"` + amount + `"}`))
		if (err == nil) != ok {
			t.Errorf("max_usd %q: error %v, want accepted=%v", amount, err, ok)
		}
	}
}
