package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed/poll"
)

// batchRig is a Batcher whose first batch can be held open, so that the
// accepts sent meanwhile queue up and are committed as one batch.
type batchRig struct {
	t     *testing.T
	db    *store.DB
	b     *conversation.Batcher
	mu    sync.Mutex
	sizes []int
}

func newBatchRig(t *testing.T, db *store.DB) *batchRig {
	seed(t, db)
	r := &batchRig{t: t, db: db, b: conversation.NewBatcher(db, conversation.DefaultMaxBatch)}
	r.b.Observe(func(n int) {
		r.mu.Lock()
		r.sizes = append(r.sizes, n)
		r.mu.Unlock()
	})
	return r
}

func (r *batchRig) batchSizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sizes)
}

// hold starts an accept that stays inside its batch until release is
// called; it returns once that batch is open.
func (r *batchRig) hold() (release func() error) {
	open, gate, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- r.b.InTx(context.Background(), func(tx store.Tx) error {
			close(open)
			<-gate
			_, err := submitTx(context.Background(), tx, "held", "", nil)
			return err
		})
	}()
	<-open
	return func() error { close(gate); return <-done }
}

// waitQueued waits until n accepts are queued behind the held batch.
func (r *batchRig) waitQueued(n int) {
	if !poll.Until(10*time.Second, func() bool { return r.b.Waiting() >= n }) {
		r.t.Fatalf("%d accepts queued, want %d", r.b.Waiting(), n)
	}
}

// send starts n accepts running fn, queued in order behind the held
// batch; wait returns their errors once all were answered.
func (r *batchRig) send(n int, fn func(i int, tx store.Tx) error) (wait func() []error) {
	out := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = r.b.InTx(context.Background(), func(tx store.Tx) error { return fn(i, tx) })
		}()
		r.waitQueued(i + 1)
	}
	return func() []error { wg.Wait(); return out }
}

func submitTx(ctx context.Context, tx store.Tx, msg, idem string, admit func(context.Context, store.Tx) error) (conversation.Submitted, error) {
	return conversation.Submit(ctx, tx, conversation.SubmitParams{
		WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: msg, Now: time.Now(),
		IdempotencyKey: idem, RequestHash: "h-" + idem, Admit: admit,
	}, func(context.Context, store.Tx, string, int) error { return nil })
}

func countRows(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type outcome struct {
	sub conversation.Submitted
	err error
}

// TestBatcherFailureInBatch: one accept fails in the middle of a batch
// after writing; the others commit, the failed one leaves nothing.
func TestBatcherFailureInBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		release := r.hold()
		const n = 5
		out := make([]outcome, n)
		wait := r.send(n, func(i int, tx store.Tx) error { // in order: accept 2 is in the middle
			var err error
			out[i].sub, err = submitTx(ctx, tx, fmt.Sprintf("m%d", i), "", nil)
			if err == nil && i == 2 {
				err = errs.E(errs.Conflict, "refused after writing")
			}
			return err
		})
		if err := release(); err != nil {
			t.Fatal(err)
		}
		for i, err := range wait() {
			out[i].err = err
		}
		if got := r.batchSizes(); !slices.Equal(got, []int{1, n}) {
			t.Fatalf("batch sizes %v, want [1 %d]", got, n)
		}
		for i, o := range out {
			if i == 2 {
				if !errs.Is(o.err, errs.Conflict) {
					t.Fatalf("accept 2: %v, want its own conflict", o.err)
				}
				if c := countRows(t, db, `SELECT count(*) FROM conversations WHERE id = ?`, o.sub.ConversationID); c != 0 {
					t.Fatalf("the failed accept left its conversation")
				}
				continue
			}
			if o.err != nil {
				t.Fatalf("accept %d: %v", i, o.err)
			}
			if c := countRows(t, db, `SELECT count(*) FROM turns WHERE conversation_id = ? AND message = ?`, o.sub.ConversationID, fmt.Sprintf("m%d", i)); c != 1 {
				t.Fatalf("accept %d: %d turns committed", i, c)
			}
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'm2'`); c != 0 {
			t.Fatalf("the failed accept's turn was committed")
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns`); c != n { // 4 + the held one
			t.Fatalf("%d turns, want %d", c, n)
		}
		if batches, accepts := r.b.Stats(); batches != 2 || accepts != n {
			t.Fatalf("stats: %d batches, %d accepts; want 2, %d", batches, accepts, n)
		}
	})
}

// TestBatcherIdempotentInBatch: the same Idempotency-Key sent twice in one
// batch makes one turn; both callers get it.
func TestBatcherIdempotentInBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		release := r.hold()
		out := make([]outcome, 3)
		wait := r.send(len(out), func(i int, tx store.Tx) error {
			var err error
			out[i].sub, err = submitTx(ctx, tx, "same", "idem-1", nil)
			return err
		})
		if err := release(); err != nil {
			t.Fatal(err)
		}
		for i, err := range wait() {
			out[i].err = err
		}
		if got := r.batchSizes(); !slices.Equal(got, []int{1, 3}) {
			t.Fatalf("batch sizes %v, want [1 3]", got)
		}
		replays := 0
		for i, o := range out {
			if o.err != nil || o.sub.ConversationID != out[0].sub.ConversationID || o.sub.Turn != 1 {
				t.Fatalf("accept %d: %+v %v (first %+v)", i, o.sub, o.err, out[0].sub)
			}
			if o.sub.Replayed {
				replays++
			}
		}
		if replays != 2 {
			t.Fatalf("%d replays, want 2", replays)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'same'`); c != 1 {
			t.Fatalf("%d turns for one Idempotency-Key", c)
		}
		// Resent in a later batch: the same turn again.
		var again conversation.Submitted
		err := r.b.InTx(ctx, func(tx store.Tx) error {
			var err error
			again, err = submitTx(ctx, tx, "same", "idem-1", nil)
			return err
		})
		if err != nil || !again.Replayed || again.ConversationID != out[0].sub.ConversationID {
			t.Fatalf("resent later: %+v %v", again, err)
		}
	})
}

// TestBatcherAdmitCountsBatch: a limit checked inside each accept counts
// the accepts committed before it in the same batch.
func TestBatcherAdmitCountsBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		const limit = 3 // queued turns, the held one included
		admit := func(ctx context.Context, tx store.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM turns WHERE status = 'queued'`).Scan(&n); err != nil {
				return err
			}
			if n >= limit {
				return errs.E(errs.Unavailable, "backlog full")
			}
			return nil
		}
		release := r.hold()
		wait := r.send(5, func(_ int, tx store.Tx) error {
			_, err := submitTx(ctx, tx, "x", "", admit)
			return err
		})
		if err := release(); err != nil {
			t.Fatal(err)
		}
		var ok, refused int
		for _, err := range wait() {
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.Unavailable):
				refused++
			default:
				t.Fatal(err)
			}
		}
		if ok != limit-1 || refused != 5-(limit-1) {
			t.Fatalf("%d admitted, %d refused; want %d, %d", ok, refused, limit-1, 5-(limit-1))
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns`); c != limit {
			t.Fatalf("%d turns, want %d", c, limit)
		}
	})
}

// TestBatcherLoneCaller: a caller with nothing queued commits a batch of
// its own, in its own call: nothing waits for a tick or a second caller.
func TestBatcherLoneCaller(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		for i := range 3 {
			var sub conversation.Submitted
			err := r.b.InTx(ctx, func(tx store.Tx) error {
				var err error
				sub, err = submitTx(ctx, tx, "alone", "", nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// Committed by the time InTx returns, in a batch of one.
			if c := countRows(t, db, `SELECT count(*) FROM turns WHERE conversation_id = ?`, sub.ConversationID); c != 1 {
				t.Fatalf("call %d: not committed on return", i)
			}
			if got := r.batchSizes(); len(got) != i+1 || got[i] != 1 {
				t.Fatalf("call %d: batch sizes %v", i, got)
			}
			if r.b.Waiting() != 0 {
				t.Fatalf("call %d: accepts left queued", i)
			}
		}
	})
}

// TestBatcherCanceledWhileQueued: an accept whose context ends while it
// waits for the batch ahead is not run, and writes nothing.
func TestBatcherCanceledWhileQueued(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		release := r.hold()
		ctx, cancel := context.WithCancel(context.Background())
		ran := false
		done := make(chan error, 1)
		go func() {
			done <- r.b.InTx(ctx, func(tx store.Tx) error {
				ran = true
				_, err := submitTx(ctx, tx, "late", "", nil)
				return err
			})
		}()
		r.waitQueued(1)
		cancel()
		if err := release(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("canceled accept: %v, ran=%v", err, ran)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'late'`); c != 0 {
			t.Fatal("the canceled accept wrote its turn")
		}
	})
}

// TestBatcherPanic: an accept that panics fails alone; its batch commits
// the others and the batcher keeps committing.
func TestBatcherPanic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		release := r.hold()
		wait := r.send(3, func(i int, tx store.Tx) error {
			if _, err := submitTx(ctx, tx, fmt.Sprint("p", i), "", nil); err != nil {
				return err
			}
			if i == 1 {
				panic("boom")
			}
			return nil
		})
		if err := release(); err != nil {
			t.Fatal(err)
		}
		errsOut := wait()
		if errsOut[0] != nil || errsOut[2] != nil || errsOut[1] == nil {
			t.Fatalf("outcomes %v", errsOut)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'p1'`); c != 0 {
			t.Fatal("the panicking accept's turn was committed")
		}
		if err := r.b.InTx(ctx, func(tx store.Tx) error { _, err := submitTx(ctx, tx, "after", "", nil); return err }); err != nil {
			t.Fatalf("after a panic: %v", err)
		}
	})
}

// TestBatcherClose: Close refuses new accepts at once, commits the ones
// already queued, and returns when they are answered.
func TestBatcherClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		release := r.hold()
		queued := make(chan error, 2)
		for i := range 2 {
			go func() {
				queued <- r.b.InTx(ctx, func(tx store.Tx) error {
					_, err := submitTx(ctx, tx, "drained", "", nil)
					return err
				})
			}()
			r.waitQueued(i + 1)
		}
		closed := make(chan error, 1)
		go func() { closed <- r.b.Close(ctx) }()
		poll.Wait(t, 10*time.Second, "Close to start", r.b.Closing)
		ran := false
		err := r.b.InTx(ctx, func(tx store.Tx) error { ran = true; return nil })
		if !errors.Is(err, conversation.ErrClosed) || !errs.Is(err, errs.Unavailable) || ran {
			t.Fatalf("accept after Close: %v ran=%v", err, ran)
		}
		// A Close bounded by an ended context says so while work is queued.
		short, cancel := context.WithCancel(ctx)
		cancel()
		if err := r.b.Close(short); !errors.Is(err, context.Canceled) {
			t.Fatalf("Close with an ended context while draining: %v", err)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := <-queued; err != nil {
				t.Fatalf("queued accept at Close: %v", err)
			}
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'drained'`); c != 2 {
			t.Fatalf("%d drained accepts committed, want 2", c)
		}
		if err := r.b.Close(ctx); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		// Nothing left to commit: Close succeeds even past its deadline
		// (a shutdown whose grace period has run out).
		for range 20 {
			if err := r.b.Close(short); err != nil {
				t.Fatalf("Close with an ended context and nothing queued: %v", err)
			}
		}
	})
}

// TestBatcherDialectDefault: by default accepts queue behind the batch
// being committed on both databases (group commit), at most
// DefaultMaxBatch of them on SQLite and PostgresMaxBatch on PostgreSQL.
func TestBatcherDialectDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		b := conversation.NewBatcher(db, 0)
		var mu sync.Mutex
		var sizes []int
		b.Observe(func(n int) { mu.Lock(); sizes = append(sizes, n); mu.Unlock() })
		open, gate, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			held <- b.InTx(ctx, func(tx store.Tx) error {
				close(open)
				<-gate
				_, err := submitTx(ctx, tx, "held", "", nil)
				return err
			})
		}()
		<-open
		max := conversation.DefaultMaxBatch
		if db.Dialect() == store.Postgres {
			max = conversation.PostgresMaxBatch
		}
		n := max + 1 // one more than a batch takes
		done := make(chan error, n)
		for range n {
			go func() {
				done <- b.InTx(ctx, func(tx store.Tx) error { _, err := submitTx(ctx, tx, "queued", "", nil); return err })
			}()
		}
		if !poll.Until(10*time.Second, func() bool { return b.Waiting() >= n }) {
			t.Fatalf("%d accepts queued behind the held batch, want %d", b.Waiting(), n)
		}
		close(gate)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		for range n {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(sizes, []int{1, max, 1}) {
			t.Fatalf("batch sizes %v, want [1 %d 1]", sizes, max)
		}
		if batches, accepts := b.Stats(); batches != 3 || accepts != int64(n+1) {
			t.Fatalf("stats %d %d", batches, accepts)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'queued'`); c != n {
			t.Fatalf("%d turns committed, want %d", c, n)
		}
	})
}

// TestBatcherGather: the accepts of a batch gather a write each; it is
// flushed once for all the accepts that stand (a failed one's item is
// dropped with it). When the flush fails, nothing of the batch commits
// and every accept runs again alone, writing its item itself.
func TestBatcherGather(t *testing.T) {
	for _, flushFails := range []bool{false, true} {
		t.Run(fmt.Sprint("flush-fails=", flushFails), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				r := newBatchRig(t, db)
				ctx := context.Background()
				var mu sync.Mutex
				var flushes [][]any
				key := new(int)
				flush := func(ctx context.Context, tx store.Tx, items []any) error {
					mu.Lock()
					flushes = append(flushes, items)
					mu.Unlock()
					if flushFails {
						return errors.New("flush refused")
					}
					for _, it := range items {
						if _, err := tx.Exec(ctx, `UPDATE turns SET message = message || '+' WHERE message = ?`, it); err != nil {
							return err
						}
					}
					return nil
				}
				release := r.hold()
				alone := make([]bool, 4)
				wait := r.send(4, func(i int, tx store.Tx) error {
					msg := fmt.Sprint("g", i)
					if _, err := submitTx(ctx, tx, msg, "", nil); err != nil {
						return err
					}
					g, ok := tx.(conversation.Gatherer)
					alone[i] = !ok
					if ok {
						g.Gather(key, msg, flush)
					} else if _, err := tx.Exec(ctx, `UPDATE turns SET message = message || '+' WHERE message = ?`, msg); err != nil {
						return err
					}
					if i == 1 {
						return errs.E(errs.Conflict, "refused")
					}
					return nil
				})
				if err := release(); err != nil {
					t.Fatal(err)
				}
				for i, err := range wait() {
					if (i == 1) != (err != nil) {
						t.Fatalf("accept %d: %v", i, err)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				if len(flushes) != 1 || !slices.Equal(flushes[0], []any{"g0", "g2", "g3"}) {
					t.Fatalf("flushes %v, want one of [g0 g2 g3]", flushes)
				}
				if flushFails != (alone[0] && alone[2] && alone[3]) {
					t.Fatalf("ran alone: %v", alone)
				}
				for _, m := range []string{"g0+", "g2+", "g3+"} {
					if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = ?`, m); c != 1 {
						t.Fatalf("%s: %d turns", m, c)
					}
				}
				if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message LIKE 'g1%'`); c != 0 {
					t.Fatal("the failed accept's turn was committed")
				}
			})
		})
	}
}
