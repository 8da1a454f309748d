package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/soisnode/soisnode/testbed/runner"
)

// runTestbed is `soisnode testbed run FILE`: a multi-node scenario
// (docs/testbed.md), its nodes started from this very binary unless --bin
// names another, so no Go toolchain is needed. Exit 1 when a check fails.
func runTestbed(ctx context.Context, e *Env, args []string) error {
	const use = "testbed run [--scale small|full] [--out DIR] [--bin PATH] [--keep-databases] FILE"
	if len(args) == 0 {
		return usagef(use)
	}
	if args[0] != "run" {
		return usagef("unknown testbed command %q (run)", args[0])
	}
	fs := newFlags("testbed run", e)
	scale := fs.String("scale", "small", "small (what make test runs) or full (the issue's figures)")
	out := fs.String("out", "", "report folder, empty or absent (default ./testbed-out/<scenario>-<timestamp>)")
	bin := fs.String("bin", "", "the soisnode binary the nodes run (default: this one)")
	keep := fs.Bool("keep-databases", false, "leave the PostgreSQL databases behind for inspection")
	pos, err := e.parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef(use)
	}
	if *scale != "small" && *scale != "full" {
		return usagef("--scale %q: small or full", *scale)
	}
	if *bin == "" {
		if *bin, err = os.Executable(); err != nil {
			return fmt.Errorf("testbed: this binary's path: %w", err)
		}
	}
	// Ctrl-C or SIGTERM stops the run; the runner then stops every node.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	passed, err := runner.RunFile(ctx, pos[0], runner.Options{Scale: *scale, Out: *out, Binary: *bin, KeepDatabases: *keep,
		Command: "soisnode testbed run " + strings.Join(args[1:], " ")}, e.Stdout)
	switch {
	case errors.Is(err, runner.ErrBadFile):
		return usageError{err.Error()}
	case err != nil:
		return err
	case !passed:
		return errors.New("the scenario failed (see its report)")
	}
	return nil
}
