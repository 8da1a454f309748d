package cli

import (
	"context"
	"fmt"

	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace/demo"
)

func runDemo(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("demo", e)
	listen := fs.String("listen", "", "address to listen on (SOIS_LISTEN, default 127.0.0.1:8080)")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	cfg, err := config(e)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	creds, err := createWorkspace(ctx, e, db, "Demo Workspace", demo.Owner.Name, demo.Owner.Email)
	if err == nil {
		err = db.InTx(ctx, func(tx store.Tx) error {
			_, err := demo.Seed(ctx, tx, creds.WorkspaceID, creds.MemberID, e.Now())
			return err
		})
	}
	db.Close()
	if err != nil {
		return err
	}
	return serve(ctx, e, cfg, func(n *node.Node) {
		printCredentials(e.Stdout, creds)
		fmt.Fprintf(e.Stdout, "Sample data: members, departments, teams, contacts, tasks and files (docs/local-agent.md lists what to ask).\nServing on %s — Ctrl-C to stop.\n", n.URL())
	})
}
