package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandAnswersHelp walks the whole command tree, so a verb added
// later is covered too: --help prints its usage on stdout, exits 0 and
// creates nothing (no database) in the working directory or at
// SOIS_DATABASE_URL.
func TestEveryCommandAnswersHelp(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"SOIS_DATABASE_URL": "sqlite://" + filepath.Join(dir, "env.db")}
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			p := append(append([]string{}, path...), sub.Name())
			paths = append(paths, p)
			walk(sub, p)
		}
	}
	walk(newRoot(context.Background(), &Env{}, nil), nil)
	if len(paths) < 40 {
		t.Fatalf("only %d commands in the tree: %v", len(paths), paths)
	}
	for _, p := range paths {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), append(p, "--help"), &Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }})
		if code != 0 || errOut.Len() > 0 || !strings.Contains(out.String(), "soisnode "+strings.Join(p, " ")) {
			t.Errorf("%v --help: exit %d, stdout %q, stderr %q", p, code, out.String(), errOut.String())
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("--help created %s", e.Name())
	}
}
