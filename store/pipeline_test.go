package store_test

import (
	"context"
	"errors"
	"fmt"
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

// TestInDeferTx: a transaction of InDeferTx commits what its statements
// wrote and what DeferExec held back (on PostgreSQL sent with COMMIT; on
// SQLite run at once); a held-back write that fails at COMMIT, or fn's
// error, leaves nothing of the transaction, and the connection serves the
// next transaction.
func TestInDeferTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pg := db.Dialect() == store.Postgres
		insert := `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 1)`
		exists := func(id string) bool {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM workspaces WHERE id = ?`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}
		err := db.InDeferTx(ctx, func(tx *store.DeferTx) error {
			if tx.HoldsWrites() != pg {
				t.Fatalf("HoldsWrites = %v on %s", tx.HoldsWrites(), db.Dialect())
			}
			if _, err := tx.Exec(ctx, insert, "w1", "one"); err != nil { // sent with BEGIN
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM workspaces`).Scan(&n); err != nil || n != 1 {
				t.Fatalf("the transaction sees %d workspaces (%v), want 1", n, err)
			}
			if err := tx.DeferExec(ctx, insert, "w2", "two"); err != nil {
				return err
			}
			if want := map[bool]int{true: 1, false: 0}[pg]; tx.Held() != want {
				t.Fatalf("%d statements held, want %d", tx.Held(), want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !exists("w1") || !exists("w2") {
			t.Fatalf("committed w1 %v, w2 %v; want both", exists("w1"), exists("w2"))
		}

		// A held-back write that fails (a duplicate key) fails the commit.
		err = db.InDeferTx(ctx, func(tx *store.DeferTx) error {
			if _, err := tx.Exec(ctx, insert, "w3", "three"); err != nil {
				return err
			}
			return tx.DeferExec(ctx, insert, "w1", "again") // SQLite: fails here
		})
		if err == nil {
			t.Fatal("a transaction whose held-back write failed committed")
		}
		if exists("w3") {
			t.Fatal("w3 committed with a failed write")
		}

		// fn's error rolls back; nothing sent is fine too.
		errStop := errors.New("stop")
		if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error {
			if _, err := tx.Exec(ctx, insert, "w4", "four"); err != nil {
				return err
			}
			return errStop
		}); !errors.Is(err, errStop) {
			t.Fatalf("InDeferTx = %v, want fn's error", err)
		}
		if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error { return errStop }); !errors.Is(err, errStop) {
			t.Fatalf("InDeferTx = %v, want fn's error", err)
		}
		if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error { return nil }); err != nil {
			t.Fatalf("an empty transaction: %v", err)
		}
		if exists("w4") {
			t.Fatal("w4 committed although fn failed")
		}
		// Many in a row: every connection of the pool came back clean.
		for i := range 12 {
			id := fmt.Sprintf("x%d", i)
			if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error { return tx.DeferExec(ctx, insert, id, id) }); err != nil {
				t.Fatal(err)
			}
			if !exists(id) {
				t.Fatalf("%s not committed", id)
			}
		}
	})
}
