package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// RunCommand is `testbed run [-scale small|full] [-out DIR] [-bin PATH] FILE`:
// it runs one scenario file with progress on stdout and returns the exit
// code (0 passed, 1 failed, 2 usage). prog is how the command was called
// (for the report's exact command).
func RunCommand(ctx context.Context, prog string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := fs.String("scale", "small", "small (what make test runs) or full (the issue's figures)")
	out := fs.String("out", "", "report folder (default ./testbed-out/<scenario>-<timestamp>)")
	bin := fs.String("bin", "", "a built soisnode binary (default: go build ./cmd/soisnode into the report folder)")
	keep := fs.Bool("keep-databases", false, "leave the PostgreSQL databases behind for inspection")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s run [-scale small|full] [-out DIR] [-bin PATH] FILE\n", prog)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	passed, err := RunFile(ctx, fs.Arg(0), Options{Scale: *scale, Out: *out, Binary: *bin, KeepDatabases: *keep,
		Command: prog + " run " + strings.Join(args, " ")}, stdout)
	switch {
	case errors.Is(err, ErrBadFile):
		fmt.Fprintln(stderr, err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "error: %v\n", err)
	}
	if !passed {
		return 1
	}
	return 0
}

// ErrBadFile marks a scenario file that could not be read or is invalid.
var ErrBadFile = errors.New("bad scenario file")

// RunFile loads and runs one scenario file with progress and the checks'
// outcome on stdout (redrawn in place when it is a terminal). passed is
// false when a check failed or the run could not be carried out (err).
func RunFile(ctx context.Context, file string, o Options, stdout io.Writer) (passed bool, err error) {
	spec, err := Load(file)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrBadFile, err)
	}
	o.Progress, o.TTY = stdout, isTTY(stdout)
	rep, err := Run(ctx, spec, o)
	if rep == nil {
		return false, err
	}
	for _, c := range rep.Checks {
		mark := "pass"
		if !c.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(stdout, "%s  %s\n", mark, c.Check)
		for _, p := range c.Problems {
			fmt.Fprintf(stdout, "      %s\n", p)
		}
	}
	verdict := "PASSED"
	if !rep.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(stdout, "%s %s in %.1fs; report and node logs in %s\n", rep.Scenario, verdict, rep.Seconds, rep.Dir)
	return rep.Passed, err
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
