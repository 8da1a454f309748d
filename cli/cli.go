// Package cli is soisnode's command line: `serve`, `demo`, `init` and the
// operator verbs (keys, tokens, members, send, openapi, …). Every verb that
// touches the database reads SOIS_DATABASE_URL, like serve, and works while
// serve runs.
//
// The command tree (help, usage, flag parsing, exit code 2 for mistakes,
// version, shell completion) is cobra's, built in command.go from the
// verbs table: each verb declares its Go flag set and calls Env.parse
// before doing anything else, and the tree reuses that flag set, so usage
// has one source and nothing runs, or opens a database, until the command
// line is valid.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
)

// Env is what a command runs with; tests substitute every part.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	Now            func() time.Time

	capture **flag.FlagSet // set only while the command tree is built
}

// runFunc runs one verb with the arguments after its name.
type runFunc func(ctx context.Context, e *Env, args []string) error

// verb is one command. A verb with subs is a group: `soisnode VERB SUB`.
type verb struct {
	name  string
	args  string // positional arguments in its usage line, e.g. "\"message\""
	short string
	run   runFunc
	subs  []sub
	note  string // more for its help, if any
}

// sub is one sub-verb of a group.
type sub struct{ name, args, short string }

func verbs() []verb {
	return []verb{
		{name: "serve", short: "run the node (SOIS_* settings)", run: runServe},
		{name: "demo", short: "create a demo workspace with sample data, print credentials, then serve", run: runDemo},
		{name: "init", short: "create a workspace, owner, access token and integration key", run: runInit},
		{name: "keys", short: "integration keys", run: runKeys, subs: []sub{
			{"create", "", "create a key; prints its secret and webhook secret once"},
			{"list", "", "list the workspace's keys"},
			{"update", "ID", "change a key's name, scopes, budgets or response URL"},
			{"revoke", "ID", "revoke a key"},
			{"rotate-secret", "ID", "give a key a new webhook secret (the old one signs for 24 h more)"},
		}},
		{name: "tokens", short: "access tokens", run: runTokens, subs: []sub{
			{"create", "", "create an access token for a member (default: the first owner)"},
			{"list", "", "list the workspace's access tokens (ids and names, never the secrets)"},
			{"revoke", "ID", "revoke an access token"},
		}},
		{name: "members", short: "workspace members", run: runMembers, subs: []sub{
			{"add", "", "add a member (--name, --email, --role)"},
			{"list", "", "list the workspace's members"},
		}},
		{name: "console", short: "print a one-time sign-in link to the browser console (works once, for 10 minutes)", run: runConsole},
		{name: "send", args: "\"message\"", short: "send a message to a node as a client", run: runSend},
		{name: "openapi", short: "print the OpenAPI document", run: runOpenAPI},
		{name: "verify", short: "check a webhook signature or a signed_reply", run: runVerify},
		{name: "signing", short: "the node's signing keys", run: runSigning, subs: []sub{
			{"rotate", "", "make a new signing key; the previous one stays in the JWKS for --grace"},
			{"list", "", "list the signing keys"},
		}},
		{name: "deliveries", short: "webhook deliveries", note: "Without --workspace, every workspace's deliveries.", run: runDeliveries, subs: []sub{
			{"list", "", "list deliveries, newest first"},
			{"show", "ID", "show one delivery and its attempts"},
			{"redeliver", "ID", "deliver again (dead letters included)"},
		}},
		{name: "files", short: "files in the workspace", run: runFiles, subs: []sub{
			{"put", "PATH", "store a file in the workspace"},
		}},
		{name: "extensions", short: "the workspace's extensions (remote MCP servers)", run: runExtensions, subs: []sub{
			{"add", "NAME URL", "install a remote MCP server as an extension"},
			{"list", "", "list the extensions"},
			{"remove", "NAME", "remove an extension"},
		}},
		{name: "negotiations", short: "exchanges with peers: transcripts, summaries, signature checks", run: runNegotiations, subs: []sub{
			{"list", "", "list negotiations, newest first"},
			{"show", "ID", "print a negotiation's transcript and summary"},
			{"verify", "ID", "re-check every signed envelope (exit 1 if one fails)"},
		}},
		{name: "peers", short: "other nodes: pinned keys and inbound policy", run: runPeers, subs: []sub{
			{"add", "BASE_URL", "fetch a node's card, show its keys and pin them (a plain A2A agent: add it, with --credential-file if its card demands one)"},
			{"list", "", "list the pinned peers"},
			{"remove", "PEER", "remove a peer (name, id or node id)"},
			{"policy", "PEER", "set what a peer may do here"},
			{"repin", "PEER", "pin a peer's changed keys"},
			{"credential", "PEER", "set (--credential-file PATH, - for stdin) or remove (--clear) the credential a plain A2A agent demands"},
		}, note: "PEER is the peer's local name, id or node id (docs/federation.md). A credential is never given on the command line; it is stored sealed and shown masked."},
		{name: "testbed", short: "multi-node scenarios on this machine (docs/testbed.md)", run: runTestbed, subs: []sub{
			{"run", "FILE", "run a scenario file: nodes as processes, faults, checks, a report"},
		}},
	}
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, e *Env) int {
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	root := newRoot(ctx, e, args)
	args = doubleDash(root, args)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var re runError
	if !errors.As(err, &re) {
		// A mistake the library caught: an unknown command or flag, a
		// missing argument. The command's usage goes with it.
		fmt.Fprintf(e.Stderr, "%s: %v\n\n", cmd.CommandPath(), err)
		fmt.Fprint(e.Stderr, cmd.UsageString())
		return 2
	}
	if errors.Is(re.err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(re.err, &u) {
		fmt.Fprintf(e.Stderr, "%s: %v\n\n", cmd.CommandPath(), re.err)
		fmt.Fprint(e.Stderr, cmd.UsageString())
		return 2
	}
	fmt.Fprintf(e.Stderr, "%s: %s\n", cmd.CommandPath(), describe(re.err))
	return 1
}

// usageError is a mistake in the command line itself (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// describe turns an error into one line for the operator.
func describe(err error) string {
	if k := errs.KindOf(err); k != errs.Internal {
		return errs.Message(err)
	}
	return err.Error()
}

func newFlags(name string, e *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	return fs
}

// parse parses flags that may come before or after positional arguments.
// While the command tree is built (e.capture set) it hands the verb's flag
// set over instead and stops the verb before it does anything.
func (e *Env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	if e.capture != nil {
		*e.capture = fs
		return nil, errCaptured
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func config(e *Env) (node.Config, error) {
	return node.ConfigFromEnv(e.Getenv)
}

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, e *Env) (*store.DB, error) {
	cfg, err := config(e)
	if err != nil {
		return nil, err
	}
	url := cfg.DatabaseURL
	if url == "" {
		url = "sqlite://./data/sois.db"
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := node.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func logger(e *Env) *slog.Logger {
	level := slog.LevelInfo
	if strings.EqualFold(e.Getenv("SOIS_LOG_LEVEL"), "debug") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(e.Stderr, &slog.HandlerOptions{Level: level}))
}
