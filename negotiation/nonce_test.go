package negotiation

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestSQLNonces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0
		n := &SQLNonces{DB: db, Now: func() time.Time { return now }}
		env := envelope(TypeOpen, 1) // expires at t0 + 5 min

		if err := Remember(ctx, n, env); err != nil {
			t.Fatalf("first: %v", err)
		}
		if err := Remember(ctx, n, env); !errors.Is(err, ErrReplayed) {
			t.Fatalf("replay = %v, want ErrReplayed", err)
		}
		other := env
		other.From = "node_c"
		if err := Remember(ctx, n, other); err != nil {
			t.Fatalf("same nonce from another sender: %v", err)
		}

		now = t0.Add(4 * time.Minute)
		if got, err := n.Purge(ctx); err != nil || got != 0 {
			t.Fatalf("Purge before expiry = %d, %v", got, err)
		}
		if err := Remember(ctx, n, env); !errors.Is(err, ErrReplayed) {
			t.Fatalf("replay while live = %v", err)
		}

		// Once the envelope expired Check refuses it anyway, so its
		// nonce may be forgotten and reused.
		now = t0.Add(5 * time.Minute)
		later := env
		later.ExpiresAt = now.Add(5 * time.Minute).Unix()
		if err := Remember(ctx, n, later); err != nil {
			t.Fatalf("reuse after expiry: %v", err)
		}
		if got, err := n.Purge(ctx); err != nil || got != 1 {
			t.Fatalf("Purge = %d, %v; want the other sender's row", got, err)
		}
		if err := Remember(ctx, n, later); !errors.Is(err, ErrReplayed) {
			t.Fatalf("replay of the reused nonce = %v", err)
		}
	})
}

func TestSQLNoncesConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := &SQLNonces{DB: db, Now: func() time.Time { return t0 }}
		const tries = 8
		var wg sync.WaitGroup
		results := make(chan error, tries)
		for range tries {
			wg.Go(func() { results <- Remember(ctx, n, envelope(TypeOpen, 1)) })
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ErrReplayed):
				t.Errorf("Remember: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent Remembers won, want 1", won, tries)
		}
	})
}
