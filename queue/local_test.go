package queue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// runs records the turns a queue ran and lets a test decide each outcome.
type runs struct {
	mu     sync.Mutex
	calls  []int // turn numbers, in order
	called chan int
	fail   map[int]int // turn -> how many more calls fail
	hold   chan struct{}
}

func newRuns() *runs { return &runs{called: make(chan int, 64), fail: map[int]int{}} }

func (r *runs) run(ctx context.Context, _ string, turn int) error {
	r.mu.Lock()
	r.calls = append(r.calls, turn)
	failing := r.fail[turn] > 0
	if failing {
		r.fail[turn]--
	}
	hold := r.hold
	r.mu.Unlock()
	r.called <- turn
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if failing {
		return errors.New("scripted failure")
	}
	return nil
}

func (r *runs) wait(t *testing.T, want int) {
	t.Helper()
	select {
	case got := <-r.called:
		if got != want {
			t.Fatalf("ran turn %d, want %d", got, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("turn %d never ran", want)
	}
}

// start builds and starts a queue on a fresh database whose River poll is
// an hour: anything that runs within the test was started by the local
// lane (or, where said, by River's fetch after a wake-up).
func start(t *testing.T, db *store.DB, cfg queue.Config, run queue.TurnFunc) *queue.Queue {
	t.Helper()
	ctx := context.Background()
	if err := queue.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Hour
	}
	q, err := queue.New(db, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	return q
}

// accept enqueues turn through a Pending, as POST /api/agent does.
func accept(t *testing.T, db *store.DB, q *queue.Queue, turn int, commit bool) {
	t.Helper()
	p := q.Prepare()
	errRollback := errors.New("rollback")
	err := db.InTx(context.Background(), func(tx store.Tx) error {
		if err := p.Enqueue(context.Background(), tx, "conv", turn); err != nil {
			return err
		}
		if !commit {
			return errRollback
		}
		return nil
	})
	p.Done(err == nil)
	if commit && err != nil {
		t.Fatal(err)
	}
}

// jobs counts agent_turn jobs by whether they are due now.
func jobs(t *testing.T, db *store.DB) (due, later int) {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT state FROM river_job WHERE kind = 'agent_turn'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		if err := rows.Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state == "scheduled" {
			later++
		} else {
			due++
		}
	}
	return due, later
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLocalLaneStartsAtOnce: a turn accepted with a free slot runs in this
// process right after commit, without River's poll (an hour here); its
// fallback job waits, scheduled, and is deleted once the turn succeeded.
func TestLocalLaneStartsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		r.hold = make(chan struct{})
		q := start(t, db, queue.Config{Workers: 2}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1)
		if due, later := jobs(t, db); due != 0 || later != 1 {
			t.Fatalf("while the turn runs: %d due, %d scheduled jobs; want the fallback job only, scheduled", due, later)
		}
		close(r.hold)
		eventually(t, "the fallback job is deleted", func() bool { due, later := jobs(t, db); return due+later == 0 })
	})
}

// TestLocalLaneRollbackGivesSlotBack: a rolled-back accept runs nothing and
// frees its slot for the next turn.
func TestLocalLaneRollbackGivesSlotBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		q := start(t, db, queue.Config{Workers: 1}, r.run)
		accept(t, db, q, 1, false)
		accept(t, db, q, 2, true)
		r.wait(t, 2)
		eventually(t, "no job left", func() bool { due, later := jobs(t, db); return due+later == 0 })
	})
}

// TestLocalLaneFullGoesToRiver: with every slot busy, the next turn is an
// ordinary River job, due at once, worked when a slot frees.
func TestLocalLaneFullGoesToRiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		r.hold = make(chan struct{})
		q := start(t, db, queue.Config{Workers: 1, PollInterval: 50 * time.Millisecond}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1)
		accept(t, db, q, 2, true)
		due, later := jobs(t, db)
		if later != 1 || due != 1 {
			t.Fatalf("%d due, %d scheduled; want turn 1's fallback scheduled and turn 2 due", due, later)
		}
		close(r.hold)
		r.wait(t, 2)
	})
}

// TestLocalLaneFailureHandsOver: a turn that fails in the local lane is
// retried by River at once, not when its fallback job falls due.
func TestLocalLaneFailureHandsOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		r.fail[1] = 1
		q := start(t, db, queue.Config{Workers: 1, PollInterval: 50 * time.Millisecond}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1) // local, fails
		r.wait(t, 1) // River's retry
		eventually(t, "the retried job completes", func() bool {
			var n int
			_ = db.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE state = 'completed'`).Scan(&n)
			return n == 1
		})
	})
}
