package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestReadsSeeCommittedWrites: a SELECT outside a transaction (on SQLite,
// a read-only connection) sees every write committed before it, however
// the read connections were used before; a write sent through Query is
// not lost on a read-only connection.
func TestReadsSeeCommittedWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO counter (id, n) VALUES (1, 0)`); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 50; i++ {
			var wg sync.WaitGroup
			for range 4 { // use every read connection between writes
				wg.Add(1)
				go func() {
					defer wg.Done()
					var n int
					if err := db.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil || n != i-1 {
						t.Errorf("read %d, %v; want %d", n, err, i-1)
					}
				}()
			}
			wg.Wait()
			if err := db.InTx(ctx, func(tx store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE counter SET n = ? WHERE id = 1`, i)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil || n != i {
				t.Fatalf("after commit %d read %d, %v", i, n, err)
			}
		}
		var n int
		if err := db.QueryRow(ctx, `  select n FROM counter WHERE id = 1`).Scan(&n); err != nil || n != 50 {
			t.Fatalf("lower-case select read %d, %v", n, err)
		}
		rows, err := db.Query(ctx, `UPDATE counter SET n = 99 WHERE id = 1 RETURNING n`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := db.QueryRow(ctx, `SELECT n FROM counter`).Scan(&n); err != nil || n != 99 {
			t.Fatalf("UPDATE … RETURNING through Query: n = %d, %v", n, err)
		}
	})
}
