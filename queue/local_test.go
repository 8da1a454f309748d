package queue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
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

// conversation writes the conversation "conv" the tests' turns belong to,
// unless a previous process of the test wrote it.
func conversation(t *testing.T, db *store.DB) {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM conversations WHERE id = 'conv'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 { // a second process on the same database (a restart)
		return
	}
	c := testbed.Workspace(t, db, workspace.Owner, access.KeyParams{})
	if _, err := db.Exec(context.Background(), `INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
		VALUES ('conv', ?, ?, ?, 'queued', 1, '{}', 0, 0)`, c.WorkspaceID, c.KeyID, c.MemberID); err != nil {
		t.Fatal(err)
	}
}

// leased counts turns that hold a local-lane lease.
func leased(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM turns WHERE lease_until > 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
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
	conversation(t, db)
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Hour
	}
	q, err := queue.New(db, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	startQueue(t, q)
	return q
}

// startQueue starts q and has the test's end stop it.
func startQueue(t *testing.T, q *queue.Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
}

// accept writes turn of conversation "conv" with its lease and enqueues it
// through a Pending, as POST /api/agent does (conversation.Submit).
func accept(t *testing.T, db *store.DB, q *queue.Queue, turn int, commit bool) {
	t.Helper()
	ctx := context.Background()
	p := q.Prepare()
	errRollback := errors.New("rollback")
	err := db.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at, lease_until) VALUES ('conv', ?, 'm', 'queued', 0, ?)`,
			turn, p.HeldUntil()); err != nil {
			return err
		}
		if err := p.Enqueue(ctx, tx, "conv", turn); err != nil {
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
	poll.Wait(t, 20*time.Second, what, cond)
}

// TestLocalLaneStartsAtOnce: a turn accepted with a free slot runs in this
// process right after commit, without River's poll (an hour here), and
// without a River job: its row holds the lease.
func TestLocalLaneStartsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		r.hold = make(chan struct{})
		q := start(t, db, queue.Config{Workers: 2}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1)
		if due, later := jobs(t, db); due != 0 || later != 0 || leased(t, db) != 1 {
			t.Fatalf("while the turn runs: %d due, %d scheduled jobs, %d leased turns; want no job and the turn leased", due, later, leased(t, db))
		}
		close(r.hold)
		if err := q.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if due, later := jobs(t, db); due+later != 0 {
			t.Fatalf("after the turn succeeded: %d due, %d scheduled jobs; want none", due, later)
		}
	})
}

// TestLocalLaneSweepResumesDeadProcess: a leased turn whose lease ran out
// while it is still queued (its process died before running it) is handed
// to River by the sweep, once, and runs; a stopped turn's expired lease
// is only forgotten.
func TestLocalLaneSweepResumesDeadProcess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRuns()
		q := start(t, db, queue.Config{Workers: 1, PollInterval: 50 * time.Millisecond, SweepInterval: time.Hour}, r.run)
		for turn, status := range map[int]string{1: "queued", 2: "completed"} {
			if _, err := db.Exec(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at, lease_until) VALUES ('conv', ?, 'm', ?, 0, ?)`,
				turn, status, store.Micros(time.Now().Add(-time.Second))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Exec(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at, lease_until) VALUES ('conv', 3, 'm', 'running', 0, ?)`,
			store.Micros(time.Now().Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		n, err := q.Sweep(ctx)
		if err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v; want 1 turn handed over", n, err)
		}
		r.wait(t, 1)
		if n, err := q.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("second Sweep = %d, %v; want nothing", n, err)
		}
		if got := leased(t, db); got != 1 {
			t.Fatalf("%d leased turns; want only turn 3, whose lease has not run out", got)
		}
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
		if due, later := jobs(t, db); due+later != 0 {
			t.Fatalf("%d due, %d scheduled jobs; want none", due, later)
		}
	})
}

// TestLocalLaneFullGoesToRiver: with every slot busy and no waiting place
// (LocalWaiting negative), the next turn is an ordinary River job, due at
// once, worked when a slot frees.
func TestLocalLaneFullGoesToRiver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		r.hold = make(chan struct{})
		q := start(t, db, queue.Config{Workers: 1, LocalWaiting: -1, PollInterval: 50 * time.Millisecond}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1)
		accept(t, db, q, 2, true)
		due, later := jobs(t, db)
		if later != 0 || due != 1 || leased(t, db) != 1 {
			t.Fatalf("%d due, %d scheduled, %d leased; want turn 1 leased and turn 2's job due", due, later, leased(t, db))
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

// TestLocalLaneWaitsForASlot: with every slot busy, accepted turns wait in
// the local lane, up to LocalWaiting, with their lease and no River job,
// and run in order as slots free; past LocalWaiting a turn gets a River
// job. Nothing runs twice.
func TestLocalLaneWaitsForASlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRuns()
		r.hold = make(chan struct{})
		q := start(t, db, queue.Config{Workers: 1, LocalWaiting: 2}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1)
		accept(t, db, q, 2, true)
		accept(t, db, q, 3, false) // rolled back: gives its place back
		accept(t, db, q, 4, true)
		accept(t, db, q, 5, true) // no place left: River
		if due, later := jobs(t, db); due != 1 || later != 0 || leased(t, db) != 3 {
			t.Fatalf("%d due, %d scheduled jobs, %d leased turns; want turns 1, 2, 4 leased and turn 5's job due", due, later, leased(t, db))
		}
		close(r.hold)
		// Turn 5's job may run too when River fetches it (on PostgreSQL
		// it is notified), in any order with the waiting turns.
		at := func(turn int) (i, n int) {
			i = -1
			for k, c := range r.calls {
				if c == turn {
					i, n = k, n+1
				}
			}
			return i, n
		}
		eventually(t, "the waiting turns run", func() bool {
			r.mu.Lock()
			defer r.mu.Unlock()
			_, n2 := at(2)
			_, n4 := at(4)
			return n2 > 0 && n4 > 0
		})
		r.mu.Lock()
		defer r.mu.Unlock()
		i2, n2 := at(2)
		i4, n4 := at(4)
		_, n1 := at(1)
		_, n3 := at(3)
		if n1 != 1 || n2 != 1 || n3 != 0 || n4 != 1 || i2 > i4 {
			t.Fatalf("ran %v; want turns 1, 2 and 4 once each, 2 before 4, and never the rolled-back 3", r.calls)
		}
	})
}

// TestLocalLaneStopHandsWaitingBack: a stop hands the turns waiting for a
// slot to River at once (their lease ended, a job due now), so another
// process, or this one restarted, runs them without waiting for the lease
// to run out.
func TestLocalLaneStopHandsWaitingBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRuns()
		r.hold = make(chan struct{})
		defer close(r.hold)
		q := start(t, db, queue.Config{Workers: 1}, r.run)
		accept(t, db, q, 1, true)
		r.wait(t, 1)
		accept(t, db, q, 2, true)
		sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_ = q.Stop(sctx) // turn 1 is held past the grace period
		var lease int64
		if err := db.QueryRow(ctx, `SELECT lease_until FROM turns WHERE conversation_id = 'conv' AND turn = 2`).Scan(&lease); err != nil {
			t.Fatal(err)
		}
		// Turn 1's run, cut off, is handed over too; on PostgreSQL River,
		// notified, may fetch a handed-over job before it stops (the job
		// is then interrupted and handed back again, as a running one).
		if due, later := jobs(t, db); lease != 0 || due+later != 2 {
			t.Fatalf("after the stop: turn 2's lease %d, %d due and %d scheduled jobs; want turn 2 handed to River and turn 1's job", lease, due, later)
		}
	})
}
