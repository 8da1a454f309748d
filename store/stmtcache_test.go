package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestStatementCache exercises the SQLite statement cache: the same query
// while its own rows are still open, a schema change under a cached
// statement, and more distinct statements than the cache holds.
func TestStatementCache(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for i := range 3 {
		if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, fmt.Sprint("w", i), "W", int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT id FROM workspaces WHERE created_at >= ? ORDER BY id`
	err := db.InTx(ctx, func(tx store.Tx) error {
		rows, err := tx.Query(ctx, q, 0)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id, inner string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			// The same statement again while its rows are open.
			if err := tx.QueryRow(ctx, q, 2).Scan(&inner); err != nil || inner != "w2" {
				return fmt.Errorf("nested query: %q %v", inner, err)
			}
			n++
		}
		if n != 3 {
			return fmt.Errorf("outer rows = %d", n)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// A schema change under a cached statement.
	if _, err := db.Exec(ctx, `ALTER TABLE workspaces ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := db.QueryRow(ctx, q, 1).Scan(&id); err != nil || id != "w1" {
		t.Fatalf("after ALTER: %q %v", id, err)
	}
	// More distinct statements than the cache keeps.
	for i := range 600 {
		var got int
		if err := db.QueryRow(ctx, fmt.Sprintf(`SELECT %d + ?`, i), 1).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("statement %d: %d %v", i, got, err)
		}
	}
}
