package access_test

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

// TestRolesAndTokens: SetRole keeps one owner at least and stays in its
// workspace; ListTokens and MemberByToken see live tokens only.
func TestRolesAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		ws, _ := access.CreateWorkspace(ctx, db, "A", now)
		other, _ := access.CreateWorkspace(ctx, db, "B", now)
		owner, _ := access.AddMember(ctx, db, ws.ID, "Olga", "olga@example.com", workspace.Owner, now)
		ann, _ := access.AddMember(ctx, db, ws.ID, "Ann", "ann@example.com", workspace.Member, now)
		setRole := func(wsID, id string, r workspace.Role) error {
			return db.InTx(ctx, func(tx store.Tx) error { _, err := access.SetRole(ctx, tx, wsID, id, r); return err })
		}
		if err := setRole(ws.ID, owner.ID, workspace.Admin); !errs.Is(err, errs.Conflict) {
			t.Fatalf("demoting the only owner: %v", err)
		}
		if err := setRole(ws.ID, ann.ID, "king"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("unknown role: %v", err)
		}
		if err := setRole(other.ID, ann.ID, workspace.Admin); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another workspace's member: %v", err)
		}
		if err := setRole(ws.ID, ann.ID, workspace.Owner); err != nil {
			t.Fatal(err)
		}
		if err := setRole(ws.ID, owner.ID, workspace.Viewer); err != nil {
			t.Fatalf("demoting one of two owners: %v", err)
		}
		if m, _ := access.GetMember(ctx, db, ws.ID, owner.ID); m.Role != workspace.Viewer {
			t.Fatalf("role after SetRole: %s", m.Role)
		}

		tok, secret, _ := access.CreateToken(ctx, db, ws.ID, ann.ID, "laptop", now)
		_, _, _ = access.CreateToken(ctx, db, ws.ID, owner.ID, "", now)
		if m, err := access.MemberByToken(ctx, db, secret); err != nil || m.ID != ann.ID || m.WorkspaceID != ws.ID {
			t.Fatalf("MemberByToken: %+v %v", m, err)
		}
		for _, bad := range []string{"", "sois_tok_x", tampered(secret)} {
			if _, err := access.MemberByToken(ctx, db, bad); !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("MemberByToken(%q): %v", bad, err)
			}
		}
		if all, err := access.ListTokens(ctx, db, ws.ID, ""); err != nil || len(all) != 2 {
			t.Fatalf("ListTokens: %d %v", len(all), err)
		}
		if mine, _ := access.ListTokens(ctx, db, ws.ID, ann.ID); len(mine) != 1 || mine[0].ID != tok.ID || mine[0].Name != "laptop" {
			t.Fatalf("Ann's tokens: %+v", mine)
		}
		if none, _ := access.ListTokens(ctx, db, other.ID, ""); len(none) != 0 {
			t.Fatalf("another workspace's tokens: %+v", none)
		}
		_ = access.RevokeToken(ctx, db, ws.ID, tok.ID, now)
		if _, err := access.MemberByToken(ctx, db, secret); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("revoked token: %v", err)
		}
		if mine, _ := access.ListTokens(ctx, db, ws.ID, ann.ID); !mine[0].Revoked {
			t.Fatal("ListTokens does not say revoked")
		}
	})
}
