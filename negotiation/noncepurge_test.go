package negotiation

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestNoncePurger: on each tick, expired nonces go and live ones stay;
// the loop ends with its context.
func TestNoncePurger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var now atomic.Int64
		now.Store(t0.UnixMicro())
		nonces := &SQLNonces{DB: db, Now: func() time.Time { return time.UnixMicro(now.Load()) }}
		add := func(sender, nonce string, expires time.Time) {
			t.Helper()
			if fresh, err := nonces.Add(ctx, sender, nonce, expires); err != nil || !fresh {
				t.Fatalf("Add(%s, %s) = %v, %v", sender, nonce, fresh, err)
			}
		}
		left := func() map[string]bool {
			t.Helper()
			rows, err := db.Query(ctx, `SELECT sender, nonce FROM negotiation_nonces`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]bool{}
			for rows.Next() {
				var s, n string
				if err := rows.Scan(&s, &n); err != nil {
					t.Fatal(err)
				}
				out[s+"/"+n] = true
			}
			return out
		}
		add("node_b", "gone-at-start", t0.Add(-time.Second))
		add("node_b", "expires-1m", t0.Add(time.Minute))
		add("node_c", "expires-1m", t0.Add(time.Minute))
		add("node_b", "expires-10m", t0.Add(10*time.Minute))

		tick := make(chan time.Time)
		purged := make(chan int64)
		p := &NoncePurger{Nonces: nonces, Tick: tick, Purged: func(n int64, err error) {
			if err != nil && ctx.Err() == nil {
				t.Errorf("purge: %v", err)
			}
			purged <- n
		}}
		done := make(chan struct{})
		go func() { p.Run(ctx); close(done) }()
		wait := func(want int64) {
			t.Helper()
			select {
			case n := <-purged:
				if n != want {
					t.Fatalf("purged %d, want %d", n, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no purge")
			}
		}

		wait(1) // at start
		if got := left(); len(got) != 3 || got["node_b/gone-at-start"] {
			t.Fatalf("after the first purge: %v", got)
		}
		// Exactly at expiry a nonce is dead (Check refuses exp <= now).
		now.Store(t0.Add(time.Minute).UnixMicro())
		tick <- time.Now()
		wait(2)
		if got := left(); len(got) != 1 || !got["node_b/expires-10m"] {
			t.Fatalf("after a minute: %v", got)
		}
		// The live one still refuses a replay.
		if fresh, err := nonces.Add(ctx, "node_b", "expires-10m", t0.Add(10*time.Minute)); err != nil || fresh {
			t.Fatalf("replay of a live nonce after purges: %v, %v", fresh, err)
		}
		tick <- time.Now()
		wait(0)
		if got := left(); len(got) != 1 {
			t.Fatalf("a purge with nothing expired removed %v", got)
		}

		cancel()
		deadline := time.After(10 * time.Second)
		for stopped := false; !stopped; {
			select {
			case <-purged: // a purge racing the cancel may still report
			case <-done:
				stopped = true
			case <-deadline:
				t.Fatal("Run did not stop with its context")
			}
		}
	})
}
