// Package oauthtest runs the official MCP TypeScript SDK's OAuth client
// (oauth/testdata/js/flow.mjs, pinned by its package-lock.json) against a
// node, for tests: the script discovers, registers, asks for
// authorization, lists and calls tools, refreshes, and checks it is
// refused after revocation and with another resource's token. The parts a
// member does in the browser (consent, revocation) are the calling test's.
package oauthtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/npmtool"
)

// Steps are the script's steps in order, as RunFlow returns them when the
// script gets to its end.
const Steps = "authorize,tools,refreshed,revoke,foreign,done"

// Dir is the script's npm project (oauth/testdata/js).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "js")
}

// RunFlow installs the pinned SDK when needed and runs the script against
// resource (a node's /mcp URL). redirect is the client's redirect URI (""
// for one that is never opened: the test reads the redirect itself). Each
// step the script prints goes to act with its JSON fields; what act
// returns, unless nil, is written back to the script as the step's answer
// (authorize: {"code", "state"}; revoke: {}; foreign: {"token"}). It
// returns the steps seen, comma-separated, and fails t when the script
// fails.
func RunFlow(t testing.TB, resource, redirect string, act func(step string, fields map[string]any) any) string {
	t.Helper()
	dir := Dir()
	npmtool.Install(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"flow.mjs", resource}
	if redirect != "" {
		args = append(args, redirect)
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }() // a failed step does not wait for the script
	var steps []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var fields map[string]any
		if err := json.Unmarshal(lines.Bytes(), &fields); err != nil {
			t.Logf("script: %s", lines.Text())
			continue
		}
		step, _ := fields["step"].(string)
		steps = append(steps, step)
		if answer := act(step, fields); answer != nil {
			b, _ := json.Marshal(answer)
			if _, err := fmt.Fprintf(stdin, "%s\n", b); err != nil {
				t.Fatalf("write to the script: %v", err)
			}
		}
	}
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("script: %v (steps %v)\n%s", err, steps, stderr.String())
	}
	return strings.Join(steps, ",")
}

// Strings reads a JSON array of strings (a step's "tools").
func Strings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, fmt.Sprint(x))
	}
	return out
}
