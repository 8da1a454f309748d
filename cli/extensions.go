package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace/extensions"
)

// ExtensionView is how extensions are printed: the URL may carry
// credentials, so only its host is shown.
type ExtensionView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Host      string    `json:"host"`
	CreatedAt time.Time `json:"created_at"`
}

func runExtensions(ctx context.Context, e *Env, args []string) error {
	const use = "extensions add NAME URL | extensions list [--json] | extensions remove NAME"
	if len(args) == 0 {
		return usagef(use)
	}
	sub, args := args[0], args[1:]
	c := e.workspaceCommand("extensions " + sub)
	asJSON := c.json
	n, ok := map[string]int{"add": 2, "list": 0, "remove": 1}[sub]
	if !ok {
		return usagef("unknown extensions command %q (add, list, remove)", sub)
	}
	db, ws, pos, err := c.parseOpen(ctx, args, n, use)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		var x extensions.Extension
		err := db.InTx(ctx, func(tx store.Tx) error {
			var err error
			x, err = extensions.Add(ctx, tx, ws, pos[0], pos[1])
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, viewExtension(x))
		}
		fmt.Fprintf(e.Stdout, "Extension %s added (%s); its tools are offered as ext_%s_<tool>.\n", x.Name, x.Host(), x.Name)
		return nil
	case "remove":
		if err := db.InTx(ctx, func(tx store.Tx) error { return extensions.Remove(ctx, tx, ws, pos[0]) }); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, map[string]any{"name": pos[0], "removed": true})
		}
		fmt.Fprintf(e.Stdout, "Extension %s removed.\n", pos[0])
		return nil
	}
	xs, err := extensions.List(ctx, db, ws)
	if err != nil {
		return err
	}
	return printList(e.Stdout, *asJSON, viewsOf(xs, viewExtension), "No extensions installed.", "NAME\tHOST\tADDED",
		func(v ExtensionView) []any { return []any{v.Name, v.Host, stamp(&v.CreatedAt)} })
}

func viewExtension(x extensions.Extension) ExtensionView {
	return ExtensionView{ID: x.ID, Name: x.Name, Host: x.Host(), CreatedAt: x.CreatedAt}
}
