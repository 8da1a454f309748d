package testbed

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// AddMember adds a member of role to c's workspace and returns
// credentials pairing the new member's token with c's key.
func AddMember(t testing.TB, db *store.DB, c Creds, role workspace.Role, email string) Creds {
	t.Helper()
	ctx := context.Background()
	m, err := access.AddMember(ctx, db, c.WorkspaceID, "Other "+string(role), email, role, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := access.CreateToken(ctx, db, c.WorkspaceID, m.ID, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := c
	out.MemberID, out.Token = m.ID, tok
	return out
}

// AddKey adds an integration key with scopes (and no budget) to c's
// workspace and returns credentials pairing c's token with it.
func AddKey(t testing.TB, db *store.DB, c Creds, scopes ...string) Creds {
	t.Helper()
	k, secret, err := access.CreateKey(context.Background(), db, c.WorkspaceID, access.KeyParams{Name: "scoped", Scopes: scopes,
		BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := c
	out.KeyID, out.APIKey = k.ID, secret
	return out
}
