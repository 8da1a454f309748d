package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestStopHandsBackInterruptedTurns: turns still running when Stop's grace
// period ends — one in the local lane, one worked by River — are canceled
// with errs.ErrShutdown, and their jobs are made available at once (the
// local turn's lease ended and its River job written, due now), so the
// next process runs both without waiting for RescueAfter (an hour here) or
// the lease to run out.
func TestStopHandsBackInterruptedTurns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		causes := make(chan error, 2)
		blocked := func(ctx context.Context, _ string, turn int) error {
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return fmt.Errorf("turn %d: %w", turn, context.Cause(ctx))
		}
		r := newRuns()
		cfg := queue.Config{Workers: 2, PollInterval: 50 * time.Millisecond, RescueAfter: time.Hour, JobTimeout: 50 * time.Minute}
		q := start(t, db, cfg, func(ctx context.Context, id string, turn int) error {
			_ = r.run(ctx, id, turn)
			return blocked(ctx, id, turn)
		})
		accept(t, db, q, 1, true) // local lane
		r.wait(t, 1)
		if err := db.InTx(context.Background(), func(tx store.Tx) error { return q.EnqueueTurn(context.Background(), tx, "conv", 2) }); err != nil {
			t.Fatal(err)
		}
		r.wait(t, 2) // River's worker

		grace, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if err := q.Stop(grace); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		for range 2 {
			if cause := <-causes; cause != errs.ErrShutdown {
				t.Fatalf("a turn was canceled with %v, want errs.ErrShutdown", cause)
			}
		}
		var available, all int
		if err := db.QueryRow(context.Background(), `SELECT count(*), COALESCE(SUM(CASE WHEN state = 'available' THEN 1 ELSE 0 END), 0) FROM river_job WHERE kind = 'agent_turn'`).Scan(&all, &available); err != nil {
			t.Fatal(err)
		}
		if all != 2 || available != 2 {
			t.Fatalf("after the stop %d of %d turn jobs are available, want 2 of 2", available, all)
		}

		next := newRuns()
		start(t, db, cfg, next.run)
		got := map[int]bool{}
		for range 2 {
			select {
			case turn := <-next.called:
				got[turn] = true
			case <-time.After(20 * time.Second):
				t.Fatalf("the next process ran turns %v, want 1 and 2 at once", got)
			}
		}
		eventually(t, "both jobs complete", func() bool {
			var n int
			_ = db.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'agent_turn' AND state = 'completed'`).Scan(&n)
			return n == 2 // both were River's jobs by then
		})
	})
}
