package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
)

// TestNodePurgesNonces: a running node purges expired negotiation nonces
// on its own and keeps live ones.
func TestNodePurgesNonces(t *testing.T) {
	ctx := context.Background()
	url := storetest.SQLiteURL(t)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := node.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	nonces := &negotiation.SQLNonces{DB: db}
	for nonce, expires := range map[string]time.Time{"expired": time.Now().Add(-time.Minute), "live": time.Now().Add(time.Hour)} {
		if fresh, err := nonces.Add(ctx, "node_b", nonce, expires); err != nil || !fresh {
			t.Fatalf("Add %s: %v, %v", nonce, fresh, err)
		}
	}
	testbed.Start(t, node.Config{DatabaseURL: url})
	count := func(nonce string) int {
		t.Helper()
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM negotiation_nonces WHERE nonce = ?`, nonce).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	poll.Wait(t, 20*time.Second, "the node to purge the expired nonce", func() bool { return count("expired") == 0 })
	if count("live") != 1 {
		t.Fatal("the node purged a live nonce")
	}
}
