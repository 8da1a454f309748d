package peers_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func newWorkspace(t *testing.T, db *store.DB) string {
	t.Helper()
	ws, err := access.CreateWorkspace(context.Background(), db, "ws", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ws.ID
}

func TestPolicyChange(t *testing.T) {
	def := peers.DefaultPolicy()
	if len(def.Scopes) != 0 || def.MaxUSD != money.Dollar || def.MaxTurns != 10 {
		t.Fatalf("default policy %+v", def)
	}
	tests := []struct {
		name string
		c    peers.PolicyChange
		want peers.Policy
		err  bool
	}{
		{"nothing", peers.PolicyChange{}, def, false},
		{"all", peers.PolicyChange{Scopes: ptr([]string{"contacts:read", " tasks:* ", ""}), MaxUSD: ptr("0.25"), MaxTurns: ptr(100)},
			peers.Policy{Scopes: []string{"contacts:read", "tasks:*"}, MaxUSD: 250_000, MaxTurns: 100}, false},
		{"no money", peers.PolicyChange{MaxUSD: ptr("0")}, peers.Policy{Scopes: []string{}, MaxUSD: 0, MaxTurns: 10}, false},
		{"clear scopes", peers.PolicyChange{Scopes: ptr([]string{})}, def, false},
		{"unknown scope", peers.PolicyChange{Scopes: ptr([]string{"weather:read"})}, peers.Policy{}, true},
		{"bad scope", peers.PolicyChange{Scopes: ptr([]string{"contacts"})}, peers.Policy{}, true},
		{"negative money", peers.PolicyChange{MaxUSD: ptr("-1")}, peers.Policy{}, true},
		{"seven decimals", peers.PolicyChange{MaxUSD: ptr("0.0000001")}, peers.Policy{}, true},
		{"no turns", peers.PolicyChange{MaxTurns: ptr(0)}, peers.Policy{}, true},
		{"too many turns", peers.PolicyChange{MaxTurns: ptr(101)}, peers.Policy{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Apply(def)
			if tt.err {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				return
			}
			if err != nil || !slices.Equal(got.Scopes, tt.want.Scopes) || got.MaxUSD != tt.want.MaxUSD || got.MaxTurns != tt.want.MaxTurns {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, fakeOptions{})
	fetched := fetch(t, f)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ws, other := newWorkspace(t, db), newWorkspace(t, db)
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

		if _, err := peers.Add(ctx, db, ws, fetched, peers.PolicyChange{MaxTurns: ptr(0)}, now); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad policy: %v", err)
		}
		p, err := peers.Add(ctx, db, ws, fetched, peers.PolicyChange{Scopes: ptr([]string{"contacts:read"}), MaxUSD: ptr("0.50")}, now)
		if err != nil {
			t.Fatal(err)
		}
		if p.NodeID != "node_fake" || p.Name != "fake-node" || p.CardName != "Fake Node" || p.BaseURL != f.URL || p.Fingerprint != fetched.Fingerprint ||
			!slices.Equal(p.Scopes, []string{"contacts:read"}) || p.MaxUSD != 500_000 || p.MaxTurns != peers.DefaultMaxTurns {
			t.Fatalf("added %+v", p)
		}
		if _, err := peers.Add(ctx, db, ws, fetched, peers.PolicyChange{}, now); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second add: %v", err)
		}
		// Another workspace may pin the same node, with its own policy.
		q, err := peers.Add(ctx, db, other, fetched, peers.PolicyChange{}, now)
		if err != nil {
			t.Fatal(err)
		}

		for _, ref := range []string{p.ID, p.NodeID} {
			got, err := peers.Get(ctx, db, ws, ref)
			if err != nil || got.Name != "fake-node" || got.CardName != "Fake Node" {
				t.Fatalf("Get(%s) = %+v, %v", ref, got, err)
			}
			if err != nil || got.ID != p.ID || string(got.JWKS) != string(fetched.JWKS) || !got.CreatedAt.Equal(now) || got.MaxUSD != 500_000 {
				t.Fatalf("Get(%s) = %+v, %v", ref, got, err)
			}
		}
		if _, err := peers.Get(ctx, db, other, p.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another workspace's peer: %v", err)
		}
		list, err := peers.List(ctx, db, ws)
		if err != nil || len(list) != 1 || list[0].ID != p.ID {
			t.Fatalf("List = %+v, %v", list, err)
		}

		// Partial policy changes keep the rest.
		later := now.Add(time.Hour)
		var changed peers.Peer
		err = db.InTx(ctx, func(tx store.Tx) error {
			var err error
			changed, err = peers.SetPolicy(ctx, tx, ws, p.NodeID, peers.PolicyChange{MaxTurns: ptr(3)}, later)
			return err
		})
		if err != nil || changed.MaxTurns != 3 || changed.MaxUSD != 500_000 || !slices.Equal(changed.Scopes, []string{"contacts:read"}) {
			t.Fatalf("SetPolicy = %+v, %v", changed, err)
		}
		got, _ := peers.Get(ctx, db, ws, p.ID)
		if got.MaxTurns != 3 || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(now) {
			t.Fatalf("after SetPolicy %+v", got)
		}
		err = db.InTx(ctx, func(tx store.Tx) error {
			_, err := peers.SetPolicy(ctx, tx, ws, p.ID, peers.PolicyChange{MaxUSD: ptr("1,00")}, later)
			return err
		})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad max_usd: %v", err)
		}
		err = db.InTx(ctx, func(tx store.Tx) error {
			_, err := peers.SetPolicy(ctx, tx, other, p.ID, peers.PolicyChange{MaxTurns: ptr(5)}, later)
			return err
		})
		if !errs.Is(err, errs.NotFound) {
			t.Fatalf("policy of another workspace's peer: %v", err)
		}

		// The pinned keys verify what the peer signs.
		keys, err := peers.KeySet(ctx, db, ws, "node_fake")
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := f.Keys.SignCard(ctx, []byte(`{}`))
		if _, err := verify.Card(ctx, keys, sig, []byte(`{}`), 0, time.Now()); err != nil {
			t.Fatalf("pinned keys: %v", err)
		}
		if _, err := peers.KeySet(ctx, db, ws, "node_other"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown node: %v", err)
		}

		// Removing in one workspace leaves the other's pin alone.
		err = db.InTx(ctx, func(tx store.Tx) error {
			_, err := peers.Remove(ctx, tx, ws, p.NodeID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peers.KeySet(ctx, db, ws, "node_fake"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("after remove: %v", err)
		}
		err = db.InTx(ctx, func(tx store.Tx) error {
			_, err := peers.Remove(ctx, tx, ws, p.ID)
			return err
		})
		if !errs.Is(err, errs.NotFound) {
			t.Fatalf("second remove: %v", err)
		}
		if got, err := peers.Get(ctx, db, other, q.ID); err != nil || got.NodeID != "node_fake" {
			t.Fatalf("other workspace's peer: %+v, %v", got, err)
		}
		if _, err := peers.Add(ctx, db, ws, nil, peers.PolicyChange{}, now); !errs.Is(err, errs.Invalid) || errors.Is(err, context.Canceled) {
			t.Fatalf("nil fetched: %v", err)
		}
	})
}
