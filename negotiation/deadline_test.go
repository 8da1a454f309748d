package negotiation

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestDeadlineSweeper: each sweep ends as expired exactly the open
// exchanges, of every workspace, whose deadline has passed — once each,
// with the finished hook run — and leaves the rest alone; the loop ends
// with its context.
func TestDeadlineSweeper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var now atomic.Int64
		now.Store(t0.UnixMicro())
		var mu sync.Mutex
		finished := map[string]Status{}
		s := &Service{DB: db, Self: "node_a", Now: func() time.Time { return time.UnixMicro(now.Load()) },
			OnFinish: func(_ context.Context, _ store.Tx, n Negotiation) error {
				mu.Lock()
				defer mu.Unlock()
				if _, twice := finished[n.ID]; twice {
					t.Errorf("%s finished twice", n.ID)
				}
				finished[n.ID] = n.Status
				return nil
			}}
		ws1, ws2 := newWorkspace(t, db), newWorkspace(t, db)
		create := func(ws, id string, deadline time.Time) {
			t.Helper()
			p := CreateParams{ID: id, Peer: "node_b", Goal: "every contact in London", MaxUSD: 1000, MaxTurns: 10, Deadline: deadline}
			if _, err := Create(ctx, db, ws, p, t0.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		create(ws1, "neg_past", t0.Add(-time.Second))
		create(ws2, "neg_other_ws", t0.Add(-time.Minute))
		create(ws1, "neg_at_now", t0)
		create(ws1, "neg_future", t0.Add(time.Minute))
		create(ws1, "neg_no_deadline", time.Time{})
		create(ws1, "neg_done", t0.Add(-time.Minute))
		if _, err := Finish(ctx, db, ws1, "neg_done", StatusAccepted, "done", t0.Add(-2*time.Minute)); err != nil {
			t.Fatal(err)
		}

		tick := make(chan time.Time)
		swept := make(chan int)
		d := &DeadlineSweeper{Service: s, Tick: tick, Swept: func(n int, err error) {
			if err != nil && ctx.Err() == nil {
				t.Errorf("sweep: %v", err)
			}
			swept <- n
		}}
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		wait := func(want int) {
			t.Helper()
			select {
			case n := <-swept:
				if n != want {
					t.Fatalf("ended %d, want %d", n, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no sweep")
			}
		}
		status := func(ws, id string) Status {
			t.Helper()
			n, err := Get(ctx, db, ws, id)
			if err != nil {
				t.Fatal(err)
			}
			return n.Status
		}
		wait(3) // at start: neg_past, neg_other_ws, neg_at_now
		for _, c := range []struct {
			ws, id string
			want   Status
		}{{ws1, "neg_past", StatusExpired}, {ws2, "neg_other_ws", StatusExpired}, {ws1, "neg_at_now", StatusExpired},
			{ws1, "neg_future", StatusOpen}, {ws1, "neg_no_deadline", StatusOpen}, {ws1, "neg_done", StatusAccepted}} {
			if got := status(c.ws, c.id); got != c.want {
				t.Errorf("%s: %s, want %s", c.id, got, c.want)
			}
		}
		tick <- time.Time{}
		wait(0) // nothing new is due; nothing ends twice
		now.Store(t0.Add(time.Minute).UnixMicro())
		tick <- time.Time{}
		wait(1)
		if got := status(ws1, "neg_future"); got != StatusExpired {
			t.Errorf("neg_future after its deadline: %s", got)
		}
		if got := status(ws1, "neg_no_deadline"); got != StatusOpen {
			t.Errorf("an exchange without a deadline ended: %s", got)
		}
		mu.Lock()
		if len(finished) != 4 || finished["neg_past"] != StatusExpired || finished["neg_future"] != StatusExpired {
			t.Errorf("finished hooks: %v", finished)
		}
		mu.Unlock()
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the sweeper did not stop with its context")
		}
	})
}
