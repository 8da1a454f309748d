package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// Observe sees every statement run through the DB and its transactions,
// as written, and nothing after it is stopped.
func TestObserve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var seen []string
		db.Observe(func(q string) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, q)
		})
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM workspaces WHERE id = ?`, "w").Scan(&n); err != nil {
			t.Fatal(err)
		}
		err := db.InTx(ctx, func(tx store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "w", "W", int64(1)); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT id FROM workspaces WHERE id = ?`, "w")
			if err != nil {
				return err
			}
			rows.Close()
			return tx.QueryRow(ctx, `SELECT name FROM workspaces WHERE id = ?`, "w").Scan(new(string))
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Observe(nil)
		if _, err := db.Exec(ctx, `DELETE FROM workspaces WHERE id = ?`, "w"); err != nil {
			t.Fatal(err)
		}
		want := []string{
			`SELECT count(*) FROM workspaces WHERE id = ?`,
			`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`,
			`SELECT id FROM workspaces WHERE id = ?`,
			`SELECT name FROM workspaces WHERE id = ?`,
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(seen, want) {
			t.Fatalf("observed %q\nwant %q", seen, want)
		}
	})
}
