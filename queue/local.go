package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Pending is one turn being accepted by this process. Prepare takes a
// local slot when one is free; the accepting transaction writes the turn
// with HeldUntil as its lease (conversation.SubmitParams.LeaseUntil) and
// calls Enqueue; Done (after the transaction) starts the turn at once in
// this process, or gives the slot back.
//
// Without a slot the turn gets an ordinary River job, worked by whichever
// process fetches it first. With one, the turn row itself is the durable
// record: it carries a lease until after the local run must have ended,
// and no River job is written (the accept is two rows, not three, and the
// run's end deletes nothing). If the run fails or waits, the turn is
// handed to River then; if the process dies, any process's sweep
// (sweep.go) hands it to River once the lease has run out. So an accepted
// turn is never lost (the lease commits with the message), and it runs
// once: nothing else takes the turn while the lease holds.
//
// With every slot busy, a turn may still stay in the local lane: up to
// Config.LocalWaiting accepted turns wait, in order, for the next slot
// this process frees (no River job to insert, fetch and complete, and no
// wait for River's next fetch). Their lease is longer by JobTimeout, the
// most they may wait: one that waited longer when its slot comes is
// handed to River instead of run, so it never runs on a lease shorter
// than a fresh one's. A stop hands the waiting turns to River at once; a
// crash leaves them to the sweep when their lease runs out.
type Pending struct {
	q      *Queue
	slot   bool  // holds a slot (from Prepare, or given when its wait ended)
	wait   bool  // holds a waiting place (every slot was busy)
	held   int64 // the lease, Unix µs (0 for a River job)
	queued bool  // Enqueue ran for a local turn
	convID string
	turn   int
}

// Prepare starts accepting one turn. Call Done exactly once afterwards.
func (q *Queue) Prepare() *Pending {
	p := &Pending{q: q}
	// Every slot busy and no waiting place: River's workers take it when
	// a slot frees.
	switch p.slot, p.wait = q.takeTurn(); {
	case p.slot:
		p.held = store.Micros(time.Now().Add(q.holdFor))
	case p.wait:
		p.held = store.Micros(time.Now().Add(q.holdFor + q.timeout))
	}
	return p
}

// HeldUntil is the lease the accepting transaction must write on the
// turn's row (turns.lease_until, Unix µs): non-zero when the turn will run
// in this process's local lane, 0 when River's job runs it.
func (p *Pending) HeldUntil() int64 { return p.held }

// Enqueue queues the turn inside tx (a conversation.Enqueuer): nothing to
// write for a turn in the local lane (its row carries the lease), a River
// job otherwise (see EnqueueTurn).
func (p *Pending) Enqueue(ctx context.Context, tx store.Tx, conversationID string, turn int) error {
	if !p.slot && !p.wait {
		return p.q.EnqueueTurn(ctx, tx, conversationID, turn)
	}
	p.queued, p.convID, p.turn = true, conversationID, turn
	return nil
}

// Done ends the accept: committed says whether the transaction that
// enqueued the turn committed. A committed turn with a local slot starts
// now, in its own goroutine, one with a waiting place waits for a slot;
// otherwise the slot or place is given back.
func (p *Pending) Done(committed bool) {
	q := p.q
	switch {
	case p.slot && (!committed || !p.queued):
		// Rolled back, or nothing was enqueued (an idempotent replay).
		p.release()
	case p.slot:
		go p.runLocal()
	case p.wait:
		q.mu.Lock()
		stopping := q.stopping
		if committed && p.queued && !stopping {
			q.waiting = append(q.waiting, p)
		} else {
			q.waitPlaces--
		}
		q.mu.Unlock()
		if committed && p.queued && stopping {
			q.handBack([]*Pending{p})
		}
		q.dispatch()
	}
}

func (p *Pending) release() { p.q.releaseSlot() }

// takeTurn takes a slot for a turn being accepted, or else a waiting
// place. A slot is not taken while turns wait, so they start in order.
func (q *Queue) takeTurn() (slot, wait bool) {
	if q.slots == nil {
		return false, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return false, false
	}
	if q.waitPlaces == 0 {
		select {
		case q.slots <- struct{}{}:
			q.running.Add(1)
			return true, false
		default:
		}
	}
	if q.waitPlaces < q.maxWaiting {
		q.waitPlaces++
		return false, true
	}
	return false, false
}

// dispatch gives free slots to waiting turns, first come first served.
func (q *Queue) dispatch() {
	for {
		q.mu.Lock()
		if q.stopping || len(q.waiting) == 0 {
			q.mu.Unlock()
			return
		}
		select {
		case q.slots <- struct{}{}:
		default:
			q.mu.Unlock()
			return
		}
		q.running.Add(1)
		p := q.waiting[0]
		q.waiting[0] = nil
		q.waiting = q.waiting[1:]
		q.waitPlaces--
		q.mu.Unlock()
		p.slot, p.wait = true, false
		go p.startWaited()
	}
}

// startWaited runs a turn whose wait for a slot has ended, if its lease
// still has a fresh turn's length left; otherwise River runs it.
func (p *Pending) startWaited() {
	if time.Until(store.Time(p.held)) >= p.q.holdFor {
		p.runLocal()
		return
	}
	defer p.release()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.q.handOver(ctx, p.convID, p.turn, p.held, time.Now()); err != nil {
		p.q.log.Error("queue: hand a turn that waited too long to River", "conversation_id", p.convID, "turn", p.turn, "err", err)
	}
}

// handBack hands waiting turns to River, due at once (a stop): any
// process, this one restarted, runs them. One that cannot be handed over
// keeps its lease, and the sweep hands it over when the lease runs out.
func (q *Queue) handBack(waiting []*Pending) {
	if len(waiting) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range waiting {
		if _, err := q.handOver(ctx, p.convID, p.turn, p.held, time.Now()); err != nil {
			q.log.Error("queue: hand a waiting turn to River at the stop", "conversation_id", p.convID, "turn", p.turn, "err", err)
		}
	}
}

// runLocal runs the turn as River would run its job (the same timeout).
// A turn that succeeded is done: its lease expires unused. One that
// failed is handed to River at once (its retries and give-up take over),
// one that waits on something outside it (a negotiation) when it asked to
// be woken.
func (p *Pending) runLocal() {
	defer p.release()
	q := p.q
	ctx, cancel := context.WithTimeout(q.work, q.timeout)
	err := q.run(ctx, p.convID, p.turn)
	cancel()
	if err == nil {
		return
	}
	settle, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	at := time.Now()
	var wait snoozer
	switch {
	case errors.Is(err, errs.ErrShutdown):
		// Interrupted by a stop, in a resumable state: River's job is due
		// now, so any process (this one restarted) resumes the turn at once.
		q.log.Info("turn interrupted by the stop handed back", "conversation_id", p.convID, "turn", p.turn)
	case errors.As(err, &wait):
		at = at.Add(wait.SnoozeAfter())
	default:
		q.log.Warn("turn failed in the local lane; River retries it", "conversation_id", p.convID, "turn", p.turn, "err", err)
	}
	if _, herr := q.handOver(settle, p.convID, p.turn, p.held, at); herr != nil {
		// The lease stays: the sweep hands the turn over when it runs out.
		q.log.Error("queue: hand a local turn to River", "conversation_id", p.convID, "turn", p.turn, "err", herr)
	}
}

// handOver ends a turn's lease held and inserts its River job, due at
// at, in one transaction. It reports false, and does nothing, when the
// lease is no longer held (another process's sweep took the turn).
func (q *Queue) handOver(ctx context.Context, conversationID string, turn int, held int64, at time.Time) (bool, error) {
	took := false
	err := q.db.InTx(ctx, func(tx store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE turns SET lease_until = 0 WHERE conversation_id = ? AND turn = ? AND lease_until = ?`,
			conversationID, turn, held)
		if err != nil {
			return fmt.Errorf("queue: end lease: %w", err)
		}
		if n == 0 {
			return nil
		}
		var opts *river.InsertOpts
		if at.After(time.Now()) {
			opts = &river.InsertOpts{ScheduledAt: at}
		}
		if _, err := q.insertTx(ctx, tx, TurnArgs{ConversationID: conversationID, Turn: turn}, opts); err != nil {
			return fmt.Errorf("queue: hand over: %w", err)
		}
		took = true
		return nil
	})
	return took && err == nil, err
}
