package cli_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/node"
)

// inEmptyDir runs the test in a fresh directory, with SOIS_DATABASE_URL
// pointing into it, and returns the env and a check that no database (nor
// anything else) was created there.
func inEmptyDir(t *testing.T) (map[string]string, func(what string)) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{"SOIS_DATABASE_URL": "sqlite://" + filepath.Join(dir, "env.db")}
	return env, func(what string) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("%s created %s", what, e.Name())
		}
	}
}

// TestHelpTouchesNoDatabase runs every verb and sub-verb with --help, -h
// and as `help VERB [SUB]`: usage on stdout, exit 0, nothing created.
func TestHelpTouchesNoDatabase(t *testing.T) {
	env, nothingCreated := inEmptyDir(t)
	// Each command with a flag its verb declares, proving the usage is
	// built from the verb's own flag set.
	cases := []struct {
		cmd  []string
		flag string
	}{
		{[]string{"serve"}, "--database-url"},
		{[]string{"demo"}, "--listen"},
		{[]string{"init"}, "--owner"},
		{[]string{"keys"}, "create"},
		{[]string{"keys", "create"}, "--budget-daily"},
		{[]string{"keys", "list"}, "--workspace"},
		{[]string{"keys", "update"}, "--no-response-url"},
		{[]string{"keys", "revoke"}, "--workspace"},
		{[]string{"keys", "rotate-secret"}, "--json"},
		{[]string{"tokens"}, "revoke"},
		{[]string{"tokens", "create"}, "--member"},
		{[]string{"tokens", "revoke"}, "--workspace"},
		{[]string{"tokens", "list"}, "--member"},
		{[]string{"members"}, "add"},
		{[]string{"members", "add"}, "--role"},
		{[]string{"members", "list"}, "--json"},
		{[]string{"send"}, "--idempotency-key"},
		{[]string{"openapi"}, "--help"},
		{[]string{"verify"}, "--jwks"},
		{[]string{"signing"}, "rotate"},
		{[]string{"signing", "rotate"}, "--grace"},
		{[]string{"signing", "list"}, "--json"},
		{[]string{"deliveries"}, "redeliver"},
		{[]string{"deliveries", "list"}, "--status"},
		{[]string{"deliveries", "show"}, "--workspace"},
		{[]string{"deliveries", "redeliver"}, "--workspace"},
		{[]string{"files"}, "put"},
		{[]string{"files", "put"}, "--folder"},
		{[]string{"extensions"}, "remove"},
		{[]string{"extensions", "add"}, "--workspace"},
		{[]string{"extensions", "list"}, "--json"},
		{[]string{"extensions", "remove"}, "--workspace"},
		{[]string{"negotiations"}, "verify"},
		{[]string{"negotiations", "list"}, "--limit"},
		{[]string{"negotiations", "show"}, "--json"},
		{[]string{"negotiations", "verify"}, "--json"},
		{[]string{"peers"}, "repin"},
		{[]string{"peers", "add"}, "--max-usd"},
		{[]string{"peers", "list"}, "--json"},
		{[]string{"peers", "remove"}, "--workspace"},
		{[]string{"peers", "policy"}, "--max-turns"},
		{[]string{"peers", "repin"}, "--yes"},
		{[]string{"version"}, "--help"},
		{[]string{"completion"}, "zsh"},
	}
	for _, c := range cases {
		for _, args := range [][]string{
			append(append([]string{}, c.cmd...), "--help"),
			append(append([]string{}, c.cmd...), "-h"),
			append([]string{"help"}, c.cmd...),
		} {
			out, errOut, code := run(t, env, args...)
			if code != 0 || errOut != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			}
			if !strings.Contains(out, "Usage:") || !strings.Contains(out, "soisnode "+strings.Join(c.cmd, " ")) || !strings.Contains(out, c.flag) {
				t.Errorf("%v: stdout lacks the usage of %v (with %s):\n%s", args, c.cmd, c.flag, out)
			}
		}
	}
	// A sub-verb's own flags are not offered on its siblings.
	if out, _, _ := run(t, env, "keys", "list", "--help"); strings.Contains(out, "--budget-daily") {
		t.Errorf("keys list --help offers keys create's flags:\n%s", out)
	}
	for _, args := range [][]string{nil, {"help"}, {"--help"}, {"-h"}} {
		out, _, code := run(t, env, args...)
		if code != 0 || !strings.Contains(out, "negotiations") || !strings.Contains(out, "completion") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
	nothingCreated("--help")
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, code := run(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		// -buildvcs=false (and go test) leave no revision: "unknown".
		want := "soisnode " + node.Version + " (commit "
		if !strings.HasPrefix(out, want) || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%v: %q, want %q… and %s", args, out, want, runtime.Version())
		}
	}
}

// TestBadCommandLines: unknown flags, commands and sub-commands exit 2 with
// the command's usage on stderr, before anything opens a database.
func TestBadCommandLines(t *testing.T) {
	env, nothingCreated := inEmptyDir(t)
	cases := []struct {
		args       []string
		want, used string // in stderr: the error and the usage it comes with
	}{
		{[]string{"keys", "create", "--bogus"}, "unknown flag: --bogus", "--budget-daily"},
		{[]string{"keys", "create", "-bogus"}, "unknown shorthand flag", "--budget-daily"},
		{[]string{"init", "--nme", "x"}, "unknown flag: --nme", "--owner"},
		{[]string{"peers", "list", "--yes"}, "unknown flag: --yes", "--workspace"},
		{[]string{"members", "add", "--role"}, "flag needs an argument", "--email"},
		{[]string{"deliveries", "list", "--limit", "many"}, "invalid argument", "--status"},
		{[]string{"deliveries", "list", "--limit", "501"}, "--limit must be 1 to 500", "--status"},
		{[]string{"signing", "rotate", "--grace", "soon"}, "invalid argument", "--grace"},
		{[]string{"keys"}, "missing command: keys create | keys list | keys update ID", "rotate-secret"},
		{[]string{"keys", "bogus"}, `unknown keys command "bogus"`, "rotate-secret"},
		{[]string{"negotiations", "frob", "x"}, `unknown negotiations command "frob"`, "negotiations verify ID"},
		{[]string{"frobnicate"}, "unknown command", "negotiations"},
		{[]string{"version", "extra"}, "unknown command", "version"},
		{[]string{"help", "frobnicate"}, `unknown help topic "frobnicate"`, "help [command]"},
		{[]string{"help", "keys", "bogus"}, `unknown help topic "keys bogus"`, "help [command]"},
		{[]string{"completion", "fishy"}, `unknown command "fishy"`, "zsh"},
		// Missing or extra arguments are caught before the database opens.
		{[]string{"keys", "revoke"}, "want 1 argument(s), got 0: keys create | keys list", "keys revoke ID [flags]"},
		{[]string{"tokens", "revoke", "a", "b"}, "want 1 argument(s), got 2: tokens create | tokens list | tokens revoke ID", "tokens revoke ID [flags]"},
		{[]string{"extensions", "add", "crm"}, "want 2 argument(s), got 1", "extensions add NAME URL [flags]"},
		{[]string{"deliveries", "list", "x"}, "want 0 argument(s), got 1", "--before"},
		{[]string{"send"}, `want 1 argument(s), got 0: send "message"`, "--wait"},
		// The node holds a request at most 60 s: a longer wait is refused,
		// not cut short in silence.
		{[]string{"send", "hi", "--token", "sois_tok_x", "--key", "sois_x", "--wait", "99"}, "--wait must be 0 to 60 seconds", "--wait"},
		{[]string{"send", "hi", "--token", "sois_tok_x", "--key", "sois_x", "--wait", "-1"}, "--wait must be 0 to 60 seconds", "--wait"},
	}
	for _, c := range cases {
		out, errOut, code := run(t, env, c.args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", c.args, code, out)
		}
		if !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "Usage:") || !strings.Contains(errOut, c.used) {
			t.Errorf("%v: stderr %q, want %q and the usage (with %s)", c.args, errOut, c.want, c.used)
		}
	}
	nothingCreated("a bad command line")
}

// TestSingleDashFlags: the verbs' flags were Go flags, which take -flag as
// well as --flag; they still do.
func TestSingleDashFlags(t *testing.T) {
	out, errOut, code := run(t, nil, "openapi", "-help")
	if code != 0 || !strings.Contains(out, "Usage:") {
		t.Fatalf("openapi -help: exit %d %q %q", code, out, errOut)
	}
	_, errOut, code = run(t, nil, "verify", "-jwks", "missing.json", "-signature", "x")
	if code == 2 || strings.Contains(errOut, "unknown") {
		t.Fatalf("verify -jwks … -signature …: exit %d %q", code, errOut)
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string][]string{
		"bash": {"bash completion", "__start_soisnode", "complete -o default -F __start_soisnode soisnode"},
		"zsh":  {"#compdef soisnode", "_soisnode()"},
	} {
		out, errOut, code := run(t, nil, "completion", shell)
		if code != 0 || errOut != "" {
			t.Fatalf("completion %s: exit %d, stderr %q", shell, code, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("completion %s lacks %q", shell, w)
			}
		}
	}
	if out, _, code := run(t, nil, "completion"); code != 0 || !strings.Contains(out, "bash") || !strings.Contains(out, "zsh") {
		t.Errorf("completion: exit %d, stdout %q", code, out)
	}
	// The scripts ask the binary; it answers with the tree's verbs and flags.
	out, _, code := run(t, nil, "__complete", "keys", "")
	if code != 0 || !strings.Contains(out, "rotate-secret") {
		t.Errorf("__complete keys: %d %q", code, out)
	}
	out, _, code = run(t, nil, "__complete", "peers", "add", "--m")
	if code != 0 || !strings.Contains(out, "--max-usd") || !strings.Contains(out, "--max-turns") {
		t.Errorf("__complete peers add --m: %d %q", code, out)
	}
}
