package conversation

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Batcher commits concurrent accepts together (group commit). An accept
// is a short write transaction (Submit, the lease or job of its turn, and
// whatever else the request writes, such as an A2A task); on SQLite every
// one of them holds the single writer and pays its own BEGIN and COMMIT,
// which writes every page it touched (the tables' and indexes' same leaf
// pages, accept after accept) to the WAL again.
//
// InTx queues fn. A caller that finds no batch being committed yields once
// to the goroutines ready to run (runtime.Gosched: requests being read may
// join) and commits, in its own goroutine, whatever is queued by then
// (when idle, only its own accept): there is no timer, and a lone caller
// never waits for one. On PostgreSQL too: there an accept alone costs a
// round trip to the server per statement plus BEGIN and COMMIT, and
// concurrent transactions lock the same workspace, key and member rows
// (their foreign keys); in a batch the savepoint statements travel in one
// round trip with each accept's first statement (store.DeferTx), and the
// batch pays BEGIN, the River jobs' insert and COMMIT once.
// Accepts that arrive while a batch is being committed queue up and are
// committed together by the next batch, at most MaxBatch of them, each
// inside its own SAVEPOINT: an accept whose fn fails (an idempotency
// conflict, a backlog refusal, a conversation still running) rolls back to
// its savepoint and changes nothing, the others commit. Every caller is
// answered only after the one COMMIT, so nothing is acknowledged before
// its rows are durable, and each accept stays atomic: fn's writes commit
// all together or not at all.
//
// An accept later in a batch reads what the accepts before it in the same
// batch wrote (one transaction), so the backlog counts, a resent
// Idempotency-Key or messageId, and a conversation's next turn number see
// them exactly as they would see committed rows.
//
// fn may run more than once: when the batch's COMMIT fails, or the
// transaction breaks past a savepoint, every accept that had not failed
// on its own is run again alone, in a transaction of its own. Only the
// run that commits counts, so fn must set its results afresh on every
// run (as the accept paths do).
type Batcher struct {
	db  *store.DB
	max int

	mu       sync.Mutex
	queue    []*batchReq
	leading  bool          // a batch is being committed
	inflight int           // accepts committing alone (max 1)
	closed   bool          // Close was called: no new accepts
	idle     chan struct{} // closed when the last accept ends after Close
	idleDone bool          // idle is closed

	batches   atomic.Int64 // committed batches (transactions begun)
	committed atomic.Int64 // accepts committed
	observe   func(size int)
}

// DefaultMaxBatch bounds the accepts of one group commit on SQLite (and
// so the memory and the transaction a batch holds): 64 accepts of at most
// the 64 KiB message each.
const DefaultMaxBatch = 64

// PostgresMaxBatch bounds a group commit on PostgreSQL: every accept of a
// batch is a subtransaction (its savepoint), and a transaction with more
// than 64 of them overflows PostgreSQL's per-backend cache of
// subtransaction ids, after which every other session's snapshots must
// look them up in pg_subtrans (slow). Half of it leaves room for the
// savepoints an accept may open itself.
const PostgresMaxBatch = 32

// batchTimeout bounds one batch's transaction (as the accept paths bound
// theirs).
const batchTimeout = 30 * time.Second

type batchReq struct {
	ctx  context.Context
	fn   func(tx store.Tx) error
	done chan error // buffered: the answer
}

// ErrClosed is InTx's error after Close: the accept was not taken.
var ErrClosed = errs.E(errs.Unavailable, "the node is shutting down and takes no new messages; retry on another node or after the restart")

// NewBatcher returns a Batcher committing on db. max ≤ 0 chooses by
// dialect: DefaultMaxBatch on SQLite, PostgresMaxBatch on PostgreSQL.
// With max 1 InTx is store.DB.InTx: no queue, no batch.
func NewBatcher(db *store.DB, max int) *Batcher {
	if max <= 0 {
		max = DefaultMaxBatch
		if db.Dialect() == store.Postgres {
			max = PostgresMaxBatch
		}
	}
	return &Batcher{db: db, max: max, idle: make(chan struct{})}
}

// Observe sets a function told the size of every batch as it starts,
// before any of its callers is answered (for metrics and tests). Set it
// before the first InTx.
func (b *Batcher) Observe(f func(size int)) { b.observe = f }

// Stats returns how many batches (transactions) and accepts committed so far.
func (b *Batcher) Stats() (batches, accepts int64) {
	return b.batches.Load(), b.committed.Load()
}

// InTx runs fn in a transaction shared with the accepts queued beside it,
// inside a savepoint of its own, and returns once that transaction has
// committed (nil) or fn's work was rolled back (fn's error, or the
// commit's). ctx is the accept's: fn's statements run under it, and an
// accept whose ctx has ended before its batch starts is not run at all.
// The batch's BEGIN and COMMIT run under a context of their own, so one
// caller's ctx never cuts another's accept short. Like store.DB.InTx, fn
// must use tx, never the DB.
func (b *Batcher) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	if b.max == 1 {
		// No group commit: every accept in its own transaction, side by
		// side.
		b.inflight++
		b.mu.Unlock()
		b.batches.Add(1)
		err := b.db.InTx(ctx, fn)
		if err == nil {
			b.committed.Add(1)
		}
		b.mu.Lock()
		b.inflight--
		b.checkIdle()
		b.mu.Unlock()
		return err
	}
	r := &batchReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.queue = append(b.queue, r)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if lead {
		// Let the goroutines that are ready to run (other requests being
		// read and authenticated) reach their InTx first, so that under
		// load they join this batch instead of each committing alone: on
		// one CPU (GOMAXPROCS=1) nothing else runs while a batch commits,
		// and without the yield batches hardly ever form. This is no
		// timer: with nothing else ready to run, Gosched returns at once.
		runtime.Gosched()
		b.lead()
	}
	return <-r.done
}

// lead commits one batch of what is queued, then hands the lead on: to a
// new goroutine when more accepts queued meanwhile (so no caller commits
// batch after batch for others before it is answered), or to the next
// caller when none did.
func (b *Batcher) lead() {
	b.mu.Lock()
	n := min(len(b.queue), b.max)
	batch := make([]*batchReq, n)
	copy(batch, b.queue)
	rest := copy(b.queue, b.queue[n:])
	clear(b.queue[rest:])
	b.queue = b.queue[:rest]
	b.mu.Unlock()

	b.commit(batch)

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) > 0 {
		go b.lead()
		return
	}
	b.leading = false
	b.checkIdle()
}

// checkIdle closes idle once Close was called and nothing is left
// committing; b.mu is held.
func (b *Batcher) checkIdle() {
	if b.closed && !b.leading && b.inflight == 0 && !b.idleDone {
		b.idleDone = true
		close(b.idle)
	}
}

// Close takes no new accepts (InTx returns ErrClosed) and waits, within
// ctx, until every accept already queued has been committed or rolled
// back and answered.
func (b *Batcher) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.checkIdle()
	b.mu.Unlock()
	select {
	case <-b.idle: // nothing left: done, even when ctx has ended (a shutdown past its grace)
		return nil
	default:
	}
	select {
	case <-b.idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("conversation: accepts still being committed at shutdown: %w", ctx.Err())
	}
}

// commit runs one batch and answers each of its callers.
func (b *Batcher) commit(batch []*batchReq) {
	if b.observe != nil {
		b.observe(len(batch)) // before any of its callers is answered
	}
	// Accepts whose caller's ctx ended while queued are not run.
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- fmt.Errorf("conversation: accept not run: %w", err)
			continue
		}
		live = append(live, r)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		// Alone: no savepoint, exactly store.DB.InTx.
		b.alone(live[0])
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	var ok []*batchReq // accepts whose fn succeeded, to answer after COMMIT
	var redo []*batchReq
	// broken hands everything not yet failed on its own to redo.
	broken := func(from []*batchReq) {
		redo = append(redo, ok...)
		redo = append(redo, from...)
		ok = nil
	}
	b.batches.Add(1)
	err := b.db.InDeferTx(ctx, func(dtx *store.DeferTx) error {
		// On PostgreSQL the savepoint statements are held back and sent in
		// one round trip with the accept's first statement (store.DeferTx),
		// BEGIN with the first accept's, and the gathered writes (the
		// River jobs) with COMMIT.
		tx := &batchTx{Tx: dtx}
		open := false // the last accept's savepoint is still open (it stood)
		for i, r := range live {
			if open {
				if err := dtx.Defer(ctx, `RELEASE SAVEPOINT accept`); err != nil {
					broken(live[i:])
					return fmt.Errorf("conversation: release savepoint: %w", err)
				}
				open = false
			}
			if err := dtx.Defer(ctx, `SAVEPOINT accept`); err != nil {
				broken(live[i:])
				return fmt.Errorf("conversation: savepoint: %w", err)
			}
			mark := tx.mark()
			ferr := run(r, tx)
			if err := dtx.Err(); err != nil {
				// A held-back savepoint statement failed (not this
				// accept's doing): the transaction is broken.
				broken(live[i:])
				return fmt.Errorf("conversation: savepoint: %w", err)
			}
			if ferr != nil {
				// Undo this accept alone (its rows and what it gathered);
				// the transaction goes on.
				tx.undo(mark)
				if store.IsLockConflict(ferr) {
					// Another transaction's locks (e.g. two processes'
					// batches continuing two conversations in opposite
					// order): nothing of it stands; it runs again alone
					// once this batch has committed.
					redo = append(redo, r)
				} else {
					r.done <- ferr
				}
				if err := dtx.Defer(ctx, `ROLLBACK TO SAVEPOINT accept`); err != nil {
					// The transaction is broken: what ran before is lost
					// with it and runs again, alone.
					broken(live[i+1:])
					return fmt.Errorf("conversation: roll back to savepoint: %w", err)
				}
				if err := dtx.Defer(ctx, `RELEASE SAVEPOINT accept`); err != nil {
					broken(live[i+1:])
					return fmt.Errorf("conversation: release savepoint: %w", err)
				}
				continue
			}
			// Released before the next accept's savepoint; the last one's
			// by COMMIT.
			open = true
			ok = append(ok, r)
		}
		// The gathered writes of every accept that stands, together. On
		// PostgreSQL a failed last accept's rollback to its savepoint,
		// if held back, goes first, and the writes held back go with
		// COMMIT (InDeferTx): if any fails, nothing of the batch commits.
		if err := tx.flush(ctx); err != nil {
			broken(nil)
			return err
		}
		return dtx.Err()
	})
	if err != nil {
		// Nothing of this batch committed: whoever had not failed on its
		// own gets a transaction of its own.
		broken(nil)
	}
	b.committed.Add(int64(len(ok)))
	for _, r := range ok {
		r.done <- nil
	}
	for _, r := range redo {
		b.alone(r)
	}
}

// Gatherer is implemented by the transaction a Batcher passes to the
// accepts of a batch of more than one. Gather defers one write of the
// accept (such as its River job) to the end of the batch, still inside
// the transaction and before COMMIT, where flush writes the items of
// every accept of the batch that gathered under the same key at once (one
// statement for many rows). An accept that fails has its items dropped
// with its savepoint; if flush fails, nothing of the batch commits and
// each accept runs again alone (where the transaction is no Gatherer, and
// the accept writes the item itself).
type Gatherer interface {
	Gather(key any, item any, flush func(ctx context.Context, tx store.Tx, items []any) error)
}

// batchTx is a batch's transaction: the Gatherer of its accepts.
type batchTx struct {
	store.Tx
	gathered []gathered
}

type gathered struct {
	key   any
	item  any
	flush func(ctx context.Context, tx store.Tx, items []any) error
}

var _ Gatherer = (*batchTx)(nil)

// Gather implements Gatherer.
func (t *batchTx) Gather(key any, item any, flush func(ctx context.Context, tx store.Tx, items []any) error) {
	t.gathered = append(t.gathered, gathered{key: key, item: item, flush: flush})
}

func (t *batchTx) mark() int     { return len(t.gathered) }
func (t *batchTx) undo(mark int) { clear(t.gathered[mark:]); t.gathered = t.gathered[:mark] }

// flush writes the gathered items, one flush per key, keys in the order
// they were first gathered.
func (t *batchTx) flush(ctx context.Context) error {
	done := make([]bool, len(t.gathered))
	for i, g := range t.gathered {
		if done[i] {
			continue
		}
		var items []any
		for j := i; j < len(t.gathered); j++ {
			if !done[j] && t.gathered[j].key == g.key {
				items = append(items, t.gathered[j].item)
				done[j] = true
			}
		}
		if err := g.flush(ctx, t.Tx, items); err != nil {
			return fmt.Errorf("conversation: write the batch's gathered rows: %w", err)
		}
	}
	return nil
}

// alone runs one accept in a transaction of its own (store.InDeferTx).
func (b *Batcher) alone(r *batchReq) {
	if err := r.ctx.Err(); err != nil {
		r.done <- fmt.Errorf("conversation: accept not run: %w", err)
		return
	}
	b.batches.Add(1)
	// On PostgreSQL BEGIN goes with the accept's first statement, and
	// its held-back writes (a new conversation's statement, its job) with
	// COMMIT: a lone REST accept is one round trip. A held-back write
	// that fails fails the commit, with its own error.
	err := b.db.InDeferTx(r.ctx, func(tx *store.DeferTx) error { return run(r, tx) })
	if err == nil {
		b.committed.Add(1)
	}
	r.done <- err
}

// run calls r.fn, turning a panic into an error so that one accept's bug
// neither leaves the other callers waiting nor the batcher without a lead.
func run(r *batchReq, tx store.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("conversation: accept panicked: %v", p)
		}
	}()
	return r.fn(tx)
}
