// Package npmtool runs the pinned npm packages some tests check the node
// with (the Standard Webhooks library, OpenAPI linters and generators). Each
// such test keeps a package.json and a committed package-lock.json in its
// testdata; Install runs `npm ci` there when node_modules is missing. A
// missing node or npm fails the test: these checks are never skipped
// (.ci/run installs both).
package npmtool

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Install makes sure dir's node_modules matches its package-lock.json,
// running `npm ci` when node_modules is missing or older than the lock file.
func Install(t testing.TB, dir string) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: these checks need Node.js and npm (apt-get install nodejs npm; .ci/run does it)", tool)
		}
	}
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatalf("npm project %s: %v", dir, err)
	}
	if installed, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !installed.ModTime().Before(lock.ModTime()) {
		return
	}
	Run(t, dir, 10*time.Minute, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
}

// Run runs a command in dir with a deadline and returns its standard
// output; a failure fails the test with the command's output.
func Run(t testing.TB, dir string, timeout time.Duration, name string, args ...string) []byte {
	t.Helper()
	out, errOut, err := Try(dir, timeout, name, args...)
	if err != nil {
		t.Fatalf("%s %v in %s: %v\nstdout:\n%s\nstderr:\n%s", name, args, dir, err, out, errOut)
	}
	return out
}

// Try runs a command in dir with a deadline and returns its standard output
// and error, for checks that expect a failure.
func Try(dir string, timeout time.Duration, name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_UPDATE_NOTIFIER=1", "NPM_CONFIG_UPDATE_NOTIFIER=false", "CI=true")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}
