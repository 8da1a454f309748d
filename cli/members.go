package cli

import (
	"context"
	"fmt"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

func runMembers(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 {
		return usagef("members add --name N --email E [--role member] | members list")
	}
	sub, args := args[0], args[1:]
	c := e.workspaceCommand("members " + sub)
	asJSON := c.json
	var name, email, role string // add's flags: list takes none
	if sub == "add" {
		c.StringVar(&name, "name", "", "member's name")
		c.StringVar(&email, "email", "", "member's email")
		c.StringVar(&role, "role", "member", "owner, admin, member or viewer")
	}
	db, ws, _, err := c.parseOpen(ctx, args, -1, "")
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		m, err := access.AddMember(ctx, db, ws, name, email, workspace.Role(role), e.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, m)
		}
		fmt.Fprintf(e.Stdout, "Member %s added: %s <%s> (%s)\n", m.ID, m.Name, m.Email, m.Role)
		return nil
	case "list":
		ms, err := access.ListMembers(ctx, db, ws)
		if err != nil {
			return err
		}
		return printList(e.Stdout, *asJSON, ms, "", "ID\tNAME\tEMAIL\tROLE",
			func(m access.Member) []any { return []any{m.ID, m.Name, m.Email, m.Role} })
	}
	return usagef("unknown members command %q (add, list)", sub)
}

func runTokens(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 {
		return usagef("tokens create [--member ID|EMAIL] [--name N] | tokens list [--member ID|EMAIL] | tokens revoke ID")
	}
	sub, args := args[0], args[1:]
	c := e.workspaceCommand("tokens " + sub)
	asJSON := c.json
	var member, name string // create's flags, and list's --member: revoke takes only the id
	switch sub {
	case "create":
		c.StringVar(&member, "member", "", "member id or email (default: the workspace's first owner)")
		c.StringVar(&name, "name", "", "token name")
	case "list":
		c.StringVar(&member, "member", "", "only this member's tokens (id or email)")
	}
	db, ws, pos, err := c.parseOpen(ctx, args, -1, "")
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "create":
		memberID, err := pickMember(ctx, db, ws, member)
		if err != nil {
			return err
		}
		t, secret, err := access.CreateToken(ctx, db, ws, memberID, name, e.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, map[string]any{"id": t.ID, "token": secret, "member_id": t.MemberID})
		}
		fmt.Fprintf(e.Stdout, "Token %s created for member %s. Access token (shown once):\n%s\n", t.ID, t.MemberID, secret)
		return nil
	case "list":
		memberID := ""
		if member != "" {
			if memberID, err = pickMember(ctx, db, ws, member); err != nil {
				return err
			}
		}
		ts, err := access.ListTokens(ctx, db, ws, memberID)
		if err != nil {
			return err
		}
		return printList(e.Stdout, *asJSON, ts, "No tokens.", "ID\tMEMBER\tNAME\tCREATED\tREVOKED",
			func(t access.Token) []any {
				return []any{t.ID, t.MemberID, t.Name, t.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), t.Revoked}
			})
	case "revoke":
		if len(pos) != 1 {
			return usagef("tokens revoke ID")
		}
		if err := access.RevokeToken(ctx, db, ws, pos[0], e.Now()); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, map[string]any{"id": pos[0], "revoked": true})
		}
		fmt.Fprintf(e.Stdout, "Token %s revoked.\n", pos[0])
		return nil
	}
	return usagef("unknown tokens command %q (create, list, revoke)", sub)
}

// pickMember resolves --member (an id or email) in the workspace, or the
// workspace's first owner when it is empty.
func pickMember(ctx context.Context, q store.Querier, ws, flagValue string) (string, error) {
	if flagValue != "" {
		m, err := access.GetMember(ctx, q, ws, flagValue)
		if err != nil {
			return "", err
		}
		return m.ID, nil
	}
	ms, err := access.ListMembers(ctx, q, ws)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if m.Role == workspace.Owner {
			return m.ID, nil
		}
	}
	return "", usagef("the workspace has no owner; pass --member")
}
