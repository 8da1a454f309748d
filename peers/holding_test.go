package peers_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestByNodeHolding: the pins of a node, oldest first, each with whether
// its workspace holds the negotiation asked about with that node — only
// that one, only there — and none for a node nobody pinned.
func TestByNodeHolding(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, fakeOptions{})
	fetched := fetch(t, f)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first, second := newWorkspace(t, db), newWorkspace(t, db)
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		p1, err := peers.Add(ctx, db, first, fetched, peers.PolicyChange{}, now)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := peers.Add(ctx, db, second, fetched, peers.PolicyChange{}, now.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		// The second workspace holds neg_x with this node; the first holds
		// neg_y with another node: not this node's exchange to continue.
		for _, r := range []struct{ ws, id, peer string }{{second, "neg_x", p1.NodeID}, {first, "neg_y", "node_other"}} {
			if _, err := db.Exec(ctx, `INSERT INTO negotiations (workspace_id, id, peer, goal, status, max_usd, max_turns, created_at)
				VALUES (?, ?, ?, 'g', 'open', 0, 10, 0)`, r.ws, r.id, r.peer); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			id   string
			want []bool
		}{{"neg_x", []bool{false, true}}, {"neg_new", []bool{false, false}}, {"neg_y", []bool{false, false}}} {
			pins, holds, err := peers.Lookup{DB: db}.ByNodeHolding(ctx, p1.NodeID, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if len(pins) != 2 || pins[0].ID != p1.ID || pins[1].ID != p2.ID || string(pins[1].JWKS) != string(fetched.JWKS) || !slices.Equal(holds, c.want) {
				t.Fatalf("%s: pins %v holds %v, want %v", c.id, pins, holds, c.want)
			}
		}
		pins, holds, err := peers.ByNodeHolding(ctx, db, "node_unknown", "neg_x")
		if err != nil || len(pins) != 0 || len(holds) != 0 {
			t.Fatalf("unpinned node: %v %v %v", pins, holds, err)
		}
	})
}
