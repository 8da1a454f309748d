package store_test

import (
	"context"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestDeferTx: deferred statements are held back on PostgreSQL (run at
// once on SQLite) and take effect, in order, before the next statement
// (Exec, QueryRow, Query), before Raw hands out the driver transaction,
// and on Flush; a deferred statement that fails fails the statement it
// went with, every later one, and the transaction.
func TestDeferTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pg := db.Dialect() == store.Postgres
		held := func(tx *store.DeferTx, want int) {
			t.Helper()
			if !pg {
				want = 0
			}
			if tx.Held() != want {
				t.Fatalf("%d statements held, want %d", tx.Held(), want)
			}
		}
		count := func(q store.Querier) int {
			t.Helper()
			var n int
			if err := q.QueryRow(ctx, `SELECT count(*) FROM workspaces`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.InTx(ctx, func(stx store.Tx) error {
			tx := store.Deferring(stx)
			// With Exec: the savepoint, then the insert, then undone.
			if err := tx.Defer(ctx, `SAVEPOINT a`); err != nil {
				return err
			}
			held(tx, 1)
			if _, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 1)`, "w1", "one"); err != nil {
				return err
			}
			held(tx, 0)
			if err := tx.Defer(ctx, `ROLLBACK TO SAVEPOINT a`); err != nil {
				return err
			}
			if err := tx.Defer(ctx, `RELEASE SAVEPOINT a`); err != nil {
				return err
			}
			held(tx, 2)
			// With QueryRow: the rollback is seen by the query it went with.
			if n := count(tx); n != 0 {
				t.Fatalf("%d workspaces after the rollback to the savepoint", n)
			}
			held(tx, 0)
			// With Query.
			if _, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 1)`, "w2", "two"); err != nil {
				return err
			}
			if err := tx.Defer(ctx, `SAVEPOINT b`); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT id FROM workspaces`)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			rows.Close()
			held(tx, 0)
			// Raw sends what is held before handing out the driver's
			// transaction: the savepoint exists for a statement run
			// through it.
			if err := tx.Defer(ctx, `ROLLBACK TO SAVEPOINT b`); err != nil {
				return err
			}
			_ = tx.Raw()
			held(tx, 0)
			if err := tx.Flush(ctx); err != nil || tx.Err() != nil {
				t.Fatalf("flush with nothing held: %v %v", err, tx.Err())
			}
			return tx.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(db); n != 1 {
			t.Fatalf("%d workspaces committed, want 1", n)
		}

		// A failing deferred statement breaks the transaction.
		err = db.InTx(ctx, func(stx store.Tx) error {
			tx := store.Deferring(stx)
			if err := tx.Defer(ctx, `RELEASE SAVEPOINT nowhere`); err != nil {
				return err // SQLite: at once
			}
			if _, err := tx.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 1)`, "w3", "three"); err == nil {
				t.Fatal("the statement sent with a failing deferred one succeeded")
			}
			if tx.Err() == nil {
				t.Fatal("Err is nil after a deferred statement failed")
			}
			if _, err := tx.Exec(ctx, `SELECT 1`); err == nil {
				t.Fatal("a statement after the failure succeeded")
			}
			return tx.Err()
		})
		if err == nil {
			t.Fatal("the transaction with a failed deferred statement committed")
		}
		if n := count(db); n != 1 {
			t.Fatalf("%d workspaces after the failed transaction, want 1", n)
		}
	})
}
