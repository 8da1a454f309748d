package runner

import (
	"context"
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
	spec, err := Load(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	rep, err := Run(ctx, spec, Options{Scale: *scale, Out: *out, Binary: *bin, KeepDatabases: *keep,
		Command: prog + " run " + strings.Join(args, " "), Progress: stdout, TTY: isTTY(stdout)})
	if rep == nil {
		fmt.Fprintln(stderr, err)
		return 2
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
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
	}
	verdict := "PASSED"
	if !rep.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(stdout, "%s %s in %.1fs; report and node logs in %s\n", rep.Scenario, verdict, rep.Seconds, rep.Dir)
	if !rep.Passed {
		return 1
	}
	return 0
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
