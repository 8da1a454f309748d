package cli

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
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
func newTable(w io.Writer) *tabwriter.Writer { return newTable(w) }

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
