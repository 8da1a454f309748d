package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/soisnode/soisnode/node"
)

// errCaptured stops a verb once it has declared its flags (see Env.parse).
var errCaptured = errors.New("cli: flags captured")

// runError is an error returned by a verb itself, as opposed to a mistake
// the command line library caught before the verb ran.
type runError struct{ err error }

func (r runError) Error() string { return r.err.Error() }
func (r runError) Unwrap() error { return r.err }

// newRoot builds the command tree: one command per verb and sub-verb, each
// with the flags its verb declares, so usage has a single source. raw is
// the whole command line; a verb runs with what follows its name, after
// the library parsed and checked it, so no verb touches the database
// before its flags are valid and `--help` never reaches a verb.
func newRoot(ctx context.Context, e *Env, raw []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "soisnode",
		Short: "a self-hosted agent federation node",
		Long: "soisnode is a self-hosted agent federation node.\n\n" +
			"Settings: SOIS_DATABASE_URL (default sqlite://./data/sois.db), SOIS_LISTEN, SOIS_PUBLIC_URL, … (docs/operating.md).",
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("soisnode {{.Version}}\n")
	root.SetOut(e.Stdout)
	root.SetErr(e.Stderr)
	root.SetIn(e.Stdin)
	root.SetContext(ctx)
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(e.Stdout, "soisnode %s\n", versionString())
			return err
		},
	})
	for _, v := range verbs() {
		if len(v.subs) == 0 {
			root.AddCommand(leaf(e, v.name, v.name, v.args, v.short, v.run, nil, raw, strings.TrimSpace(v.name+" "+v.args)))
			continue
		}
		var each []string
		for _, s := range v.subs {
			each = append(each, strings.TrimSpace(v.name+" "+s.name+" "+s.args))
		}
		forms := strings.Join(each, " | ")
		group := &cobra.Command{
			Use:   v.name,
			Short: v.short,
			Long:  strings.TrimSpace(v.short + ":\n\n  soisnode " + strings.Join(each, "\n  soisnode ") + "\n\n" + v.note),

			DisableFlagsInUseLine: true,
			Args:                  cobra.ArbitraryArgs,
			RunE: func(c *cobra.Command, args []string) error {
				if len(args) == 0 {
					return fmt.Errorf("missing command: %s", forms)
				}
				return fmt.Errorf("unknown %s command %q (%s)", v.name, args[0], forms)
			},
		}
		for _, s := range v.subs {
			l := leaf(e, v.name, s.name, s.args, s.short, v.run, []string{s.name}, raw, forms)
			if v.note != "" {
				l.Long = s.short + ".\n\n" + v.note
			}
			group.AddCommand(l)
		}
		root.AddCommand(group)
	}
	strictHelpAndCompletion(root, raw)
	return root
}

// strictHelpAndCompletion makes `help NOSUCH` and `completion NOSUCH` the
// mistakes they are (exit 2) instead of the library's help with exit 0.
func strictHelpAndCompletion(root *cobra.Command, raw []string) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(raw...)
	if help, _, err := root.Find([]string{"help"}); err == nil && help.Run != nil {
		show := help.Run
		help.Run = nil
		help.RunE = func(c *cobra.Command, args []string) error {
			if target, rest, err := c.Root().Find(args); err != nil || len(rest) > 0 || target == nil {
				return fmt.Errorf("unknown help topic %q", strings.Join(args, " "))
			}
			show(c, args)
			return nil
		}
	}
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp.Name() == "completion" {
		comp.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	}
}

// leaf is the command for one verb (lead nil) or sub-verb (lead: its name)
// taking the positional arguments named in args. Its flags are the ones the
// verb declares for lead; forms, the verb's usage, goes with a wrong number
// of arguments.
func leaf(e *Env, verbName, name, args, short string, run runFunc, lead []string, raw []string, forms string) *cobra.Command {
	want := strings.Fields(args)
	c := &cobra.Command{
		Use:   strings.TrimSpace(name+" "+args) + " [flags]",
		Short: short,
		Args: func(_ *cobra.Command, got []string) error {
			if len(got) != len(want) {
				return fmt.Errorf("want %d argument(s), got %d: %s", len(want), len(got), forms)
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			raw := doubleDash(c.Root(), raw)
			if len(raw) == 0 || raw[0] != verbName {
				return runError{usagef("put the command first: soisnode %s …", verbName)}
			}
			if err := run(c.Context(), e, raw[1:]); err != nil {
				return runError{err}
			}
			return nil
		},
	}
	if fs := declaredFlags(e, run, lead); fs != nil {
		c.Flags().AddGoFlagSet(fs)
	}
	return c
}

// declaredFlags runs a verb only as far as it declares its flags.
func declaredFlags(e *Env, run runFunc, lead []string) *flag.FlagSet {
	var fs *flag.FlagSet
	probe := *e
	probe.capture = &fs
	if err := run(context.Background(), &probe, lead); !errors.Is(err, errCaptured) {
		panic(fmt.Sprintf("cli: %v did not declare its flags first: %v", lead, err))
	}
	return fs
}

// versionString is the version, the commit the binary was built from
// ("unknown" without VCS stamping) and the Go version.
func versionString() string {
	commit, modified := "unknown", false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		commit += "+dirty"
	}
	return fmt.Sprintf("%s (commit %s, %s)", node.Version, commit, runtime.Version())
}

// doubleDash rewrites -flag to --flag for the long flags the tree knows:
// the verbs' flags were Go flags, which take one dash or two, and the
// library wants two. Anything else, and everything after "--", is kept.
func doubleDash(root *cobra.Command, args []string) []string {
	known := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	known["help"], known["version"] = true, true
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if known[name] {
			out[i] = "-" + a
		}
	}
	return out
}
