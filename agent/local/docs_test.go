package local

import (
	"os"
	"regexp"
	"testing"
)

// TestDocumentedExamples keeps docs/local-agent.md honest: every example
// in its tables (a row whose first cell is `code`) must be understood.
func TestDocumentedExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/local-agent.md")
	if err != nil {
		t.Fatalf("read docs: %v", err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|").FindAllSubmatch(doc, -1)
	if len(rows) < 60 {
		t.Fatalf("found %d examples in the docs, expected the full tables", len(rows))
	}
	for _, m := range rows {
		if _, perr := parse(string(m[1]), testCal); perr != nil {
			t.Errorf("documented example %q is not understood: %s", m[1], perr.reason)
		}
	}
}
