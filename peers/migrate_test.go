package peers_test

import (
	"context"
	"testing"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestMigrationNamesExistingPeers: migration 0011 keeps a peer's card name
// as its local name, unless another peer of its workspace shares it; those
// are named by their ids. The card name moves to card_name.
func TestMigrationNamesExistingPeers(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ws, other := newWorkspace(t, db), newWorkspace(t, db)
		// Back to the schema before 0011.
		for _, q := range []string{
			`DROP INDEX peers_workspace_name`,
			`ALTER TABLE peers DROP COLUMN card_name`,
			`DELETE FROM schema_migrations WHERE version = '0011_peer_names'`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		rows := []struct{ id, ws, node, name string }{
			{"P1", ws, "node_1", "Node B"},
			{"P2", ws, "node_2", "Node B"},
			{"P3", ws, "node_3", "Acme CRM"},
			{"P4", other, "node_1", "Node B"},
		}
		for _, r := range rows {
			if _, err := db.Exec(ctx, `INSERT INTO peers (id, workspace_id, node_id, name, base_url, jwks, fingerprint, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'https://x.example.com', '{"keys":[]}', 'fp', 1, 1)`, r.id, r.ws, r.node, r.name); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string][2]string{ // id → name, card name
			"P1": {"P1", "Node B"}, "P2": {"P2", "Node B"}, "P3": {"Acme CRM", "Acme CRM"}, "P4": {"Node B", "Node B"},
		}
		for _, r := range rows {
			p, err := peers.Get(ctx, db, r.ws, r.id)
			if err != nil || p.Name != want[r.id][0] || p.CardName != want[r.id][1] {
				t.Errorf("%s after migration: name %q, card name %q, %v; want %v", r.id, p.Name, p.CardName, err, want[r.id])
			}
		}
		// A name kept from before is still how the peer is found.
		if p, err := peers.Resolve(ctx, db, ws, "Acme CRM"); err != nil || p.ID != "P3" {
			t.Fatalf("Resolve a kept name: %+v, %v", p, err)
		}
		// And names are unique from now on.
		if _, err := db.Exec(ctx, `UPDATE peers SET name = 'P1' WHERE id = 'P2'`); err == nil {
			t.Fatal("two peers of a workspace share a name")
		}
	})
}
