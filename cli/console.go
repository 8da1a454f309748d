package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/console"
)

// runConsole prints a one-time sign-in link to the browser console for a
// member (default: the workspace's first owner): usable once, within
// console.LinkTTL (ten minutes).
func runConsole(ctx context.Context, e *Env, args []string) error {
	c := e.workspaceCommand("console")
	member := c.String("member", "", "member id or email to sign in as (default: the workspace's first owner)")
	asJSON := c.json
	db, ws, _, err := c.parseOpen(ctx, args, 0, "console [--workspace ID] [--member ID|EMAIL] [--json]")
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := config(e)
	if err != nil {
		return err
	}
	memberID, err := pickMember(ctx, db, ws, *member)
	if err != nil {
		return err
	}
	secret, until, err := console.CreateLink(ctx, db, ws, memberID, e.Now())
	if err != nil {
		return err
	}
	url := strings.TrimRight(cfg.BaseURL(), "/") + console.LinkPath(secret)
	if *asJSON {
		return printJSON(e.Stdout, map[string]any{"url": url, "expires_at": until.UTC(), "workspace_id": ws, "member_id": memberID})
	}
	fmt.Fprintf(e.Stdout, "Open this link to sign in to the console (works once, until %s, %s from now):\n%s\n",
		until.UTC().Format(time.RFC3339), console.LinkTTL, url)
	return nil
}
