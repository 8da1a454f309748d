package queue

import (
	"context"
	"time"

	"github.com/soisnode/soisnode/store"
)

// Local is a slot of the local lane lent to a job of another kind than
// conversation turns (a negotiation's answer to a received envelope):
// the caller writes HeldUntil as a lease on a row of its own in the
// transaction that records the work, and Go runs the job at once in this
// process. The caller's own sweep hands an expired lease to River, as
// sweep.go does for turns; the slot only bounds how much runs here and
// ties the run to the queue's stop (its grace period, then
// errs.ErrShutdown as the cause of the run's context).
type Local struct {
	q    *Queue
	held int64
}

// TakeLocal takes a local-lane slot whose lease lasts lease past now. It
// returns nil when the queue works nothing in this process, is stopping,
// or has no slot free (the caller then queues a River job as usual).
// Call Go or Release exactly once on a non-nil Local.
func (q *Queue) TakeLocal(lease time.Duration) *Local {
	if !q.takeSlot() {
		return nil
	}
	return &Local{q: q, held: store.Micros(time.Now().Add(lease))}
}

// LocalTimeout bounds one local run, as JobTimeout bounds a River job's;
// a lease must outlast it.
func (q *Queue) LocalTimeout() time.Duration { return q.timeout }

// HeldUntil is the lease to write on the caller's row, Unix µs.
func (l *Local) HeldUntil() int64 { return l.held }

// Release gives the slot back without running anything (the transaction
// that would have written the lease rolled back, or nothing is to run).
func (l *Local) Release() { l.q.releaseSlot() }

// Go runs run in its own goroutine, bounded by LocalTimeout and canceled
// with errs.ErrShutdown when the queue's stop ends its grace period, then
// after with run's error and a fresh context for settling the lease
// (ending it, or handing the work to River). The slot is given back when
// after returns.
func (l *Local) Go(run func(ctx context.Context) error, after func(ctx context.Context, err error)) {
	go func() {
		defer l.q.releaseSlot()
		ctx, cancel := context.WithTimeout(l.q.work, l.q.timeout)
		err := run(ctx)
		if err != nil && context.Cause(ctx) != nil && ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		cancel()
		settle, done := context.WithTimeout(context.Background(), 30*time.Second)
		defer done()
		after(settle, err)
	}()
}

// takeSlot takes one of this process's slots, if the queue works turns,
// is not stopping and has one free.
func (q *Queue) takeSlot() bool {
	if q.slots == nil {
		return false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return false
	}
	select {
	case q.slots <- struct{}{}:
		q.running.Add(1)
		return true
	default: // every slot busy
		return false
	}
}

// releaseSlot gives back a slot taken by takeSlot (or takeTurn), to a
// waiting turn if there is one.
func (q *Queue) releaseSlot() {
	<-q.slots
	q.running.Done()
	q.dispatch()
}
