package runner_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed/runner"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// shipped are the seven scenarios, in testbed/scenarios.
var shipped = []string{"1-erp-crm", "2-webhook-caller", "3-polling-caller", "4-receiver-outage", "5-crash", "6-budget", "7-scale-out"}

// binary builds cmd/soisnode once for the package's tests.
func binary(t *testing.T) string {
	t.Helper()
	bin, err := runner.Build(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// run runs spec at the small scale, with PostgreSQL from storetest.
func run(t *testing.T, bin string, spec *runner.Spec) *runner.Report {
	t.Helper()
	admin, err := storetest.AdminURL()
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	out := filepath.Join(t.TempDir(), "out")
	rep, err := runner.Run(context.Background(), spec, runner.Options{Scale: "small", Out: out, Binary: bin, PostgresAdmin: admin, Command: "go test ./testbed/runner"})
	if err != nil {
		t.Errorf("run: %v", err)
	}
	if rep == nil {
		t.FailNow()
	}
	for _, f := range []string{"report.md", "report.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("no %s: %v", f, err)
		}
	}
	for _, n := range spec.Nodes {
		if b, err := os.ReadFile(filepath.Join(out, n.Name+".log")); err != nil || !strings.Contains(string(b), "=== testbed: start "+n.Name) {
			t.Errorf("node %s has no log beside the report (%v)", n.Name, err)
		}
	}
	return rep
}

// TestScenarios runs every file of testbed/scenarios at the small scale,
// each on its own nodes, all at once, beside a scenario whose expectation
// does not hold (it must be reported failed). The binary is built once.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	if !slices.Equal(names, shipped) {
		t.Fatalf("testbed/scenarios holds %v, want %v", names, shipped)
	}
	bin := binary(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			spec, err := runner.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			rep := run(t, bin, spec)
			if !rep.Passed {
				t.Errorf("scenario failed:\n%s", rep.Markdown())
			}
		})
	}
	t.Run("failing-expectation", func(t *testing.T) {
		t.Parallel()
		failingExpectation(t, bin)
	})
}

// failingExpectation: a run whose expectation does not hold is reported
// failed, with the problem named.
func failingExpectation(t *testing.T, bin string) {
	spec, err := runner.Parse([]byte(`
name: wrong
nodes: [{name: n, database: sqlite}]
callers: [{name: p, nodes: [n], kind: polling, count: 2, concurrency: 2, message: "List my open tasks ($n)"}]
steps: [{send: p}, {wait: p}]
expect:
  - completed: p
  - contacts: {node: n, names: [Nobody Here]}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, bin, spec)
	if rep.Passed || len(rep.Checks) != 2 || !rep.Checks[0].Passed || rep.Checks[1].Passed ||
		!strings.Contains(strings.Join(rep.Checks[1].Problems, " "), "Nobody Here") {
		t.Fatalf("report: %+v", rep.Checks)
	}
	if !strings.Contains(rep.Markdown(), "**FAIL** contacts on n") {
		t.Errorf("markdown:\n%s", rep.Markdown())
	}
}
