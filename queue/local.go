package queue

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Pending is one turn being accepted by this process. Prepare takes a
// local slot when one is free; Enqueue (inside the accepting transaction)
// inserts the turn's job; Done (after the transaction) starts the turn at
// once in this process, or gives the slot back.
//
// Without a slot the job is an ordinary River job, worked by whichever
// process fetches it first. With one, the job is the turn's durable
// fallback: scheduled for after the local run must have ended, retried at
// once if the run fails, deleted when it succeeds. So an accepted turn is
// never lost (the job commits with the message), and it runs once: River
// cannot fetch the job while the local run may be going.
type Pending struct {
	q      *Queue
	slot   bool
	jobID  int64
	convID string
	turn   int
}

// Prepare starts accepting one turn. Call Done exactly once afterwards.
func (q *Queue) Prepare() *Pending {
	p := &Pending{q: q}
	if q.slots == nil {
		return p
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return p
	}
	select {
	case q.slots <- struct{}{}:
		p.slot = true
		q.running.Add(1)
	default: // every slot busy: River's workers take it when one frees
	}
	return p
}

// Enqueue inserts the turn's job inside tx (a conversation.Enqueuer).
func (p *Pending) Enqueue(ctx context.Context, tx store.Tx, conversationID string, turn int) error {
	var opts *river.InsertOpts
	if p.slot {
		opts = &river.InsertOpts{ScheduledAt: time.Now().Add(p.q.holdFor)}
	}
	res, err := p.q.insertTx(ctx, tx, TurnArgs{ConversationID: conversationID, Turn: turn}, opts)
	if err != nil {
		return err
	}
	p.jobID, p.convID, p.turn = res.Job.ID, conversationID, turn
	return nil
}

// Done ends the accept: committed says whether the transaction that
// enqueued the turn committed. A committed turn with a local slot starts
// now, in its own goroutine; otherwise the slot is given back.
func (p *Pending) Done(committed bool) {
	if !p.slot {
		return
	}
	if !committed || p.jobID == 0 {
		// Rolled back, or nothing was enqueued (an idempotent replay).
		p.release()
		return
	}
	go p.runLocal()
}

func (p *Pending) release() {
	<-p.q.slots
	p.q.running.Done()
}

// runLocal runs the turn as River would run its job (the same timeout),
// then settles the fallback job: deleted after success, made available
// at once after a failure, so River's retries and give-up take over.
func (p *Pending) runLocal() {
	defer p.release()
	q := p.q
	ctx, cancel := context.WithTimeout(q.work, q.timeout)
	err := q.run(ctx, p.convID, p.turn)
	cancel()
	settle, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	if errors.Is(err, errs.ErrShutdown) {
		// Interrupted by a stop, in a resumable state: River's job is made
		// available now, so any process resumes the turn at once.
		if rerr := q.retry(settle, p.jobID); rerr != nil {
			q.log.Error("queue: hand an interrupted turn to River; it resumes when its job is due", "conversation_id", p.convID, "turn", p.turn, "err", rerr)
			return
		}
		q.log.Info("turn interrupted by the stop handed back", "conversation_id", p.convID, "turn", p.turn)
		return
	}
	var wait snoozer
	if errors.As(err, &wait) {
		// A waiting turn (a negotiation): River's job takes it from here.
		if rerr := q.retry(settle, p.jobID); rerr != nil {
			q.log.Error("queue: hand a waiting turn to River", "conversation_id", p.convID, "turn", p.turn, "err", rerr)
		}
		return
	}
	if err != nil {
		q.log.Warn("turn failed in the local lane; River retries it", "conversation_id", p.convID, "turn", p.turn, "err", err)
		if rerr := q.retry(settle, p.jobID); rerr != nil {
			// The job stays scheduled: the turn resumes when it is due.
			q.log.Error("queue: hand a failed turn to River", "conversation_id", p.convID, "turn", p.turn, "err", rerr)
		}
		return
	}
	if err := q.remove(settle, p.jobID); err != nil {
		// Harmless: when due, the job finds the turn stopped and does nothing.
		q.log.Warn("queue: delete a finished turn's fallback job", "conversation_id", p.convID, "turn", p.turn, "err", err)
	}
}
