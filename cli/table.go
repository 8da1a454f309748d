package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/soisnode/soisnode/store"
)

// printList prints a list command's items: as a JSON array (never null)
// with asJSON; else the line empty when there are none (if empty is not
// ""), or a table whose tab-separated header is header and whose rows
// are row's cells.
func printList[T any](w io.Writer, asJSON bool, items []T, empty, header string, row func(T) []any) error {
	if items == nil {
		items = []T{}
	}
	if asJSON {
		return printJSON(w, items)
	}
	if len(items) == 0 && empty != "" {
		_, err := fmt.Fprintln(w, empty)
		return err
	}
	tw := newTable(w)
	if header != "" {
		fmt.Fprintln(tw, header)
	}
	for _, it := range items {
		for i, c := range row(it) {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// newTable is the tab-aligned writer every table of the CLI is printed
// with.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 2, 4, 2, ' ', 0) }

// viewsOf maps xs through view: a command's records as it prints them
// (never nil).
func viewsOf[T, V any](xs []T, view func(T) V) []V {
	out := make([]V, 0, len(xs))
	for _, x := range xs {
		out = append(out, view(x))
	}
	return out
}

// workspaceFlag declares --workspace, the workspace a command works on
// (openWorkspace resolves it).
func workspaceFlag(fs *flag.FlagSet) *string {
	return fs.String("workspace", "", "workspace id (default SOIS_WORKSPACE, else the newest)")
}

// workspaceCmd is the flag set of a command that works on one workspace:
// --workspace and --json, plus the command's own flags.
type workspaceCmd struct {
	*flag.FlagSet
	e         *Env
	workspace *string
	json      *bool
}

// workspaceCommand starts the flags of the command name.
func (e *Env) workspaceCommand(name string) *workspaceCmd {
	fs := newFlags(name, e)
	return &workspaceCmd{FlagSet: fs, e: e, workspace: workspaceFlag(fs), json: fs.Bool("json", false, "print JSON")}
}

// parse parses args and checks that there are n positional arguments
// (any number when n < 0), else the usage use.
func (c *workspaceCmd) parse(args []string, n int, use string) ([]string, error) {
	pos, err := c.e.parse(c.FlagSet, args)
	if err != nil {
		return nil, err
	}
	if n >= 0 && len(pos) != n {
		return nil, usagef("%s", use)
	}
	return pos, nil
}

// open opens the database on the workspace --workspace names
// (openWorkspace); the caller closes it.
func (c *workspaceCmd) open(ctx context.Context) (*store.DB, string, error) {
	return openWorkspace(ctx, c.e, *c.workspace)
}

// parseOpen is parse, then open: the arguments, then the workspace's
// database (the caller closes it).
func (c *workspaceCmd) parseOpen(ctx context.Context, args []string, n int, use string) (*store.DB, string, []string, error) {
	pos, err := c.parse(args, n, use)
	if err != nil {
		return nil, "", nil, err
	}
	db, ws, err := c.open(ctx)
	return db, ws, pos, err
}
