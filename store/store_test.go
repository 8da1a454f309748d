package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestDriverContract is the shared suite every driver must pass.
func TestDriverContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate must be a no-op: %v", err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "w1", "Acme", int64(42)); err != nil {
			t.Fatal(err)
		}
		var name string
		var at int64
		if err := db.QueryRow(ctx, `SELECT name, created_at FROM workspaces WHERE id = ?`, "w1").Scan(&name, &at); err != nil || name != "Acme" || at != 42 {
			t.Fatalf("got %q %d %v", name, at, err)
		}
		if err := db.QueryRow(ctx, `SELECT name FROM workspaces WHERE id = ?`, "nope").Scan(&name); !errors.Is(err, store.ErrNoRows) {
			t.Fatalf("missing row: err = %v, want ErrNoRows", err)
		}
		_, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "w1", "Dup", int64(1))
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate key: IsUniqueViolation(%v) = false", err)
		}
		if store.IsUniqueViolation(errors.New("UNIQUE constraint failed")) {
			t.Fatal("a plain error is not a unique violation")
		}
		// A failed transaction changes nothing.
		boom := errors.New("boom")
		err = db.InTx(ctx, func(tx store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, "w2", "B", int64(1)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx err = %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM workspaces`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1 (rollback)", n, err)
		}
		// Case-insensitive matching the way packages write it.
		rows, err := db.Query(ctx, `SELECT id FROM workspaces WHERE lower(name) LIKE lower(?)`, "%acm%")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if rows.Err() != nil || len(ids) != 1 {
			t.Fatalf("ids = %v, %v", ids, rows.Err())
		}
		// Bools and blobs round-trip.
		blob := "BLOB"
		if db.Dialect() == store.Postgres {
			blob = "BYTEA"
		}
		if _, err := db.Exec(ctx, `CREATE TABLE t_probe (b BOOLEAN NOT NULL, x `+blob+` NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO t_probe (b, x) VALUES (?, ?)`, true, []byte{0, 1, 2}); err != nil {
			t.Fatal(err)
		}
		var b bool
		var x []byte
		if err := db.QueryRow(ctx, `SELECT b, x FROM t_probe`).Scan(&b, &x); err != nil || !b || len(x) != 3 {
			t.Fatalf("b=%v x=%v err=%v", b, x, err)
		}
	})
}
