package a2a_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestJavaScriptSDK runs testdata/js/flow.mjs — the official A2A
// JavaScript SDK, @a2a-js/sdk 1.3.0 pinned by package-lock.json — against
// two nodes: one with the built-in agent, one whose scripted model holds
// every turn (to follow with a subscription and cancel) and with a key
// whose budget is spent; a streamed message on the first. It installs
// the SDK with `npm ci` when node_modules is missing; node and npm are
// required (.ci/run installs them).
func TestJavaScriptSDK(t *testing.T) {
	dir, err := filepath.Abs("testdata/js")
	if err != nil {
		t.Fatal(err)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node (Node.js 20+) is required for the @a2a-js/sdk test: install nodejs and npm")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@a2a-js", "sdk", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatal("npm is required to install @a2a-js/sdk: install nodejs and npm")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}

	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	a := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	b := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	gate := make(chan struct{})
	defer close(gate)
	g := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: &testbed.Script{Step: testbed.Echo, Gate: gate}})
	gc := testbed.Workspace(t, g.DB(), workspace.Owner, access.KeyParams{})
	_, spent, err := access.CreateKey(t.Context(), g.DB(), gc.WorkspaceID,
		access.KeyParams{BudgetDaily: 0, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"A2A_BASE="+n.URL(), "A2A_TOKEN="+a.Token, "A2A_KEY="+a.APIKey, "A2A_TOKEN2="+b.Token, "A2A_KEY2="+b.APIKey,
		"A2A_GATED_BASE="+g.URL(), "A2A_GATED_TOKEN="+gc.Token, "A2A_GATED_KEY="+gc.APIKey, "A2A_SPENT_KEY="+spent)
	out, err := cmd.CombinedOutput()
	t.Logf("flow.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("flow.mjs: %v", err)
	}
	for _, want := range []string{"ok card", "ok JSONRPC: blocking", "ok HTTP+JSON: blocking", "streamed", "ok JSONRPC: subscribed, cancel", "ok HTTP+JSON: subscribed, cancel"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("flow.mjs did not report %q", want)
		}
	}
}
