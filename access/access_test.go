package access_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		ws, _ := access.CreateWorkspace(ctx, db, "A", now)
		other, _ := access.CreateWorkspace(ctx, db, "B", now)
		m, err := access.AddMember(ctx, db, ws.ID, "Ann", "Ann@Example.com", workspace.Member, now)
		if err != nil || m.Email != "ann@example.com" {
			t.Fatalf("AddMember: %+v %v", m, err)
		}
		if _, err := access.AddMember(ctx, db, ws.ID, "Ann 2", "ann@example.com", workspace.Member, now); !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate member email: %v", err)
		}
		tok, tokSecret, _ := access.CreateToken(ctx, db, ws.ID, m.ID, "t", now)
		key, keySecret, err := access.CreateKey(ctx, db, ws.ID, access.KeyParams{Scopes: []string{"contacts:read"}, BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		otherMember, _ := access.AddMember(ctx, db, other.ID, "Bob", "bob@example.com", workspace.Owner, now)
		_, otherTok, _ := access.CreateToken(ctx, db, other.ID, otherMember.ID, "", now)

		p, err := access.Authenticate(ctx, db, tokSecret, keySecret)
		if err != nil || p.Caller.WorkspaceID != ws.ID || p.Caller.MemberID != m.ID || p.Caller.Role != workspace.Member || p.Caller.Scopes[0] != "contacts:read" {
			t.Fatalf("Authenticate: %+v %v", p, err)
		}
		// Every failure is the same Unauthorized.
		var msgs []string
		for _, pair := range [][2]string{
			{"", keySecret}, {tokSecret, ""}, {keySecret, tokSecret}, {otherTok, keySecret},
			{tokSecret, tampered(keySecret)}, {"sois_tok_" + strings.Repeat("a", 52), keySecret},
		} {
			_, err := access.Authenticate(ctx, db, pair[0], pair[1])
			if !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("Authenticate(%.12s…, %.8s…) = %v", pair[0], pair[1], err)
			}
			msgs = append(msgs, errs.Message(err))
		}
		for _, msg := range msgs[1:] {
			if msg != msgs[0] {
				t.Fatalf("failures differ: %q vs %q", msg, msgs[0])
			}
		}
		// Revocation takes effect at once.
		if err := access.RevokeToken(ctx, db, ws.ID, tok.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := access.Authenticate(ctx, db, tokSecret, keySecret); !errs.Is(err, errs.Unauthorized) {
			t.Fatalf("revoked token accepted: %v", err)
		}
		if err := access.RevokeKey(ctx, db, other.ID, key.ID, now); !errs.Is(err, errs.NotFound) {
			t.Fatalf("revoking another workspace's key: %v", err)
		}
		// Secrets are stored only as hashes.
		var hash string
		_ = db.QueryRow(ctx, `SELECT hash FROM api_keys WHERE id = ?`, key.ID).Scan(&hash)
		if strings.Contains(hash, keySecret) || len(hash) != 64 {
			t.Fatalf("stored key hash %q", hash)
		}
	})
}

func TestValidateKeyParams(t *testing.T) {
	bad := []access.KeyParams{
		{Scopes: []string{"contacts"}},
		{Scopes: []string{"weather:read"}},
		{BudgetDaily: -2},
		{ThresholdPercent: 101},
		{Name: "bad\x00name"},
	}
	for _, p := range bad {
		if err := p.Validate(nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("Validate(%+v) = %v, want Invalid", p, err)
		}
	}
	good := access.KeyParams{Scopes: []string{"contacts:read", "files:*", "*", "email:send"}, BudgetTotal: 5}
	if err := good.Validate(nil); err != nil || good.ThresholdPercent != 80 {
		t.Fatalf("good params: %v %+v", err, good)
	}
}

// tampered changes the last character of a secret.
func tampered(s string) string {
	if strings.HasSuffix(s, "a") {
		return s[:len(s)-1] + "b"
	}
	return s[:len(s)-1] + "a"
}
