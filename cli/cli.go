// Package cli is soisnode's command line: `serve`, `demo`, `init` and the
// operator verbs (keys, tokens, members, send, openapi, …). Every verb that
// touches the database reads SOIS_DATABASE_URL, like serve, and works while
// serve runs.
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
	"sort"
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
}

// verb is one command.
type verb struct {
	usage string
	run   func(ctx context.Context, e *Env, args []string) error
}

func verbs() map[string]verb {
	return map[string]verb{
		"serve":   {"serve                      run the node (SOIS_* settings)", runServe},
		"demo":    {"demo                       create a demo workspace with sample data, print credentials, then serve", runDemo},
		"init":    {"init [--json] [--name N]   create a workspace, owner, access token and integration key", runInit},
		"keys":    {"keys create|list|update|revoke", runKeys},
		"tokens":  {"tokens create|revoke", runTokens},
		"members": {"members add|list", runMembers},
		"send":    {"send \"message\" [--wait S]  send a message to a node as a client", runSend},
		"openapi": {"openapi                    print the OpenAPI document", runOpenAPI},

		"verify":       {"verify --jwks URL|FILE --signature S [--body FILE]  check a webhook signature or a signed_reply", runVerify},
		"signing":      {"signing rotate [--grace 168h]|list  the node's signing keys", runSigning},
		"deliveries":   {"deliveries list|show ID|redeliver ID  webhook deliveries", runDeliveries},
		"files":        {"files put PATH [--folder ID] [--name N]  store a file in the workspace", runFiles},
		"extensions":   {"extensions add NAME URL|list|remove NAME  the workspace's extensions (remote MCP servers)", runExtensions},
		"negotiations": {"negotiations list [--status S]|show ID|verify ID  exchanges with peers: transcripts, summaries, signature checks", runNegotiations},
		"peers":        {"peers add BASE_URL [--name N] [--yes]|list|remove PEER|policy PEER|repin PEER  other nodes: pinned keys and inbound policy", runPeers},
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
	all := verbs()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.Stdout, all)
		return 0
	}
	v, ok := all[args[0]]
	if !ok {
		fmt.Fprintf(e.Stderr, "soisnode: unknown command %q\n\n", args[0])
		usage(e.Stderr, all)
		return 2
	}
	if err := v.run(ctx, e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(e.Stderr, "soisnode %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(e.Stderr, "soisnode %s: %s\n", args[0], describe(err))
		return 1
	}
	return 0
}

func usage(w io.Writer, all map[string]verb) {
	fmt.Fprintln(w, "usage: soisnode <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintln(w, "  "+all[name].usage)
	}
	fmt.Fprintln(w, "\nsettings: SOIS_DATABASE_URL (default sqlite://./data/sois.db), SOIS_LISTEN, SOIS_PUBLIC_URL, … (docs/operating.md)")
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
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
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
