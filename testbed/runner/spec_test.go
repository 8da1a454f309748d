package runner_test

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/testbed/runner"
)

// TestParseRefuses: bad scenario files are refused with the field (and,
// for YAML errors, the line) named.
func TestParseRefuses(t *testing.T) {
	const node = "nodes: [{name: n, database: sqlite}]\n"
	for _, tc := range []struct{ name, file, want string }{
		{"unknown field", "name: x\n" + node + "colour: red\n", "line 3: field colour not found"},
		{"unknown node field", "name: x\nnodes: [{name: n, database: sqlite, cpu: 2}]\n", "line 2: field cpu not found"},
		{"no name", node, "name: required"},
		{"no nodes", "name: x\n", "nodes: at least one"},
		{"no expectation", "name: x\n" + node, "expect: at least one"},
		{"bad database", "name: x\nnodes: [{name: n, database: mysql}]\n", `nodes[0].database: "mysql"`},
		{"share sqlite", "name: x\nnodes: [{name: a, database: sqlite}, {name: b, database: sqlite, share: a}]\n", "nodes[1].share"},
		{"fake without model", "name: x\nnodes: [{name: n, database: sqlite, provider: fake}]\n", "fake needs a model"},
		{"unknown caller node", "name: x\n" + node + "callers: [{name: c, nodes: [m], kind: polling, count: 1, concurrency: 1, message: hi}]\n", `callers[0].nodes: unknown node "m"`},
		{"bad kind", "name: x\n" + node + "callers: [{name: c, nodes: [n], kind: carrier, count: 1, concurrency: 1, message: hi}]\n", `callers[0].kind: "carrier"`},
		{"bad scale key", "name: x\n" + node + "callers: [{name: c, nodes: [n], kind: polling, count: {tiny: 1}, concurrency: 1, message: hi}]\n", "field tiny not found in a scaled number"},
		{"zero full count", "name: x\n" + node + "callers: [{name: c, nodes: [n], kind: polling, count: {small: 1}, concurrency: 1, message: hi}]\n", "callers[0].count: positive"},
		{"lose on webhook", "name: x\n" + node + "callers: [{name: c, nodes: [n], kind: webhook, count: 1, concurrency: 1, message: hi, lose_every: 2}]\n", "lose_every: only for polling"},
		{"two actions", "name: x\n" + node + "steps: [{kill: n, stop: n}]\n", "steps[0]: exactly one of"},
		{"unknown step node", "name: x\n" + node + "steps: [{kill: m}]\n", `steps[0].kill: unknown node "m"`},
		{"bad fault", "name: x\n" + node + "receiver: {fraction: 0.5, faults: [\"418\"]}\n", `receiver.faults: "418"`},
		{"bad duration", "name: x\n" + node + "receiver: {retry_after: soon}\n", "line 3"},
		{"budget without limit", "name: x\n" + node + "callers: [{name: c, nodes: [n], kind: polling, count: 1, concurrency: 1, message: hi}]\nexpect: [{budget: {caller: c}}]\n", "has no budget_total"},
		{"webhooks of poller", "name: x\n" + node + "callers: [{name: c, nodes: [n], kind: polling, count: 1, concurrency: 1, message: hi}]\nexpect: [{webhooks: {caller: c}}]\n", "is not a webhook caller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runner.Parse([]byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestParseScaled: a scaled number is one number or a small/full pair.
func TestParseScaled(t *testing.T) {
	s, err := runner.Parse([]byte("name: x\nnodes: [{name: n, database: sqlite}]\ncallers:\n  - {name: c, nodes: [n], kind: polling, count: {small: 3, full: 900}, concurrency: 4, message: hi}\nexpect: [{completed: c}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := s.Callers[0]
	if c.Count.At("small") != 3 || c.Count.At("full") != 900 || c.Concurrency.At("small") != 4 || c.Concurrency.At("full") != 4 {
		t.Fatalf("scaled: %+v %+v", c.Count, c.Concurrency)
	}
}
