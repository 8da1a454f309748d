package negotiation

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
)

// Lane runs this side's answer to a received envelope at once, in the
// process that received it (queue.Queue's local lane), instead of as a
// River job written with the envelope: the peer's turn row carries a
// lease (negotiation_turns.lease_until) in the transaction that records
// it, the answer (Step) starts when that commits, and its lease is ended
// once the answer is sent (by the next answer's transaction, or a small
// write of its own shortly after: leaseend.go). An answer that fails is handed to River at
// once (its retries and backoff take over); one whose process died is
// handed to River by any process's sweep (SweepLeases) once its lease
// has run out. So an answer is never lost, and it is taken once: Step is
// idempotent, and nothing else runs it while the lease holds.
type Lane interface {
	// TakeLocal takes a slot whose lease lasts lease; nil when none is
	// free (the answer is then a River job, as without a lane).
	TakeLocal(lease time.Duration) *queue.Local
	// LocalTimeout bounds one local run.
	LocalTimeout() time.Duration
}

// leaseMargin is how long an answer's lease outlasts the longest local
// run: the run is canceled at the lane's timeout and then only settles
// its lease, conditionally on still holding it.
const leaseMargin = 10 * time.Second

// takeLane takes a local slot for an answer, or nil (no lane, none free).
func (s *Service) takeLane() *queue.Local {
	if s.Lane == nil {
		return nil
	}
	return s.Lane.TakeLocal(s.Lane.LocalTimeout() + leaseMargin)
}

// answerLocally returns what starts the answer to the peer's turn seq,
// whose committed row holds slot's lease (nil slot: nothing to start).
// in, when not nil, is the exchange and the peer as the receiving
// transaction left them: the answer starts from them instead of reading
// them again.
func (s *Service) answerLocally(slot *queue.Local, workspaceID, id string, seq int64, in *inHand) func() {
	if slot == nil {
		return noAnswer
	}
	return func() {
		time.AfterFunc(answerYield, func() { s.runAnswer(slot, workspaceID, id, seq, in) })
	}
}

// answerYield is how long after the 202 is flushed the answer starts.
// A goroutine started at once would be run first by the Go scheduler, on
// the thread that just wrote the 202, before it polls the network again:
// whatever already waits on the network in this process (other
// requests; the peer reading its 202, when it shares the process) would
// wait behind the answer's work (sign, record; on SQLite nothing in it
// blocks on the network before its send). From a timer, the answer runs
// after them. When the process is otherwise idle the runtime's poller
// sleeps at least 1 ms, so the answer then starts ≈ 1 ms after the 202.
const answerYield = 100 * time.Microsecond

// inHand is what the receive path already holds when the answer starts:
// the exchange as its committed transaction wrote it, and the peer's pin
// it was received under.
type inHand struct {
	n    Negotiation
	peer peers.Peer
}

// openedInHand is the exchange an open just created (n, as Create
// returned it) with that open as its one turn, as Get would read it back
// once the transaction committed, and the pin it was received under.
func openedInHand(n Negotiation, env Envelope, token string, at time.Time, peer peers.Peer) *inHand {
	n.Turns = []Turn{recordedTurn(env, token, at)}
	if !n.Deadline.IsZero() {
		n.Deadline = n.Deadline.UTC().Truncate(time.Microsecond)
	}
	return &inHand{n: n, peer: peer}
}

// runAnswer runs the answer in slot, then ends its lease, or hands the
// answer to River when it failed.
func (s *Service) runAnswer(slot *queue.Local, workspaceID, id string, seq int64, in *inHand) {
	held := slot.HeldUntil()
	slot.Go(func(ctx context.Context) error {
		return s.step(ctx, workspaceID, id, seq+1, in)
	}, func(ctx context.Context, err error) {
		if err == nil {
			// Written by the next answer's transaction, or on its own
			// shortly (leaseend.go).
			s.endLease(workspaceID, id, seq, held)
			return
		}
		s.log().Info("negotiation answer handed to River", "negotiation_id", id, "seq", seq+1, "err", err)
		if _, herr := s.handOver(ctx, workspaceID, id, seq, held); herr != nil {
			s.log().Error("negotiation: hand an answer to River", "negotiation_id", id, "seq", seq+1, "err", herr)
		}
	})
}

// handOver ends the lease held on the peer's turn seq and schedules its
// answer as a River job, in one transaction. It reports false, and does
// nothing, when the lease is no longer held (another process's sweep
// took it).
func (s *Service) handOver(ctx context.Context, workspaceID, id string, seq, held int64) (bool, error) {
	took := false
	err := s.inTx(ctx, func(tx store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE negotiation_turns SET lease_until = 0
			WHERE workspace_id = ? AND negotiation_id = ? AND seq = ? AND lease_until = ?`, workspaceID, id, seq, held)
		if err != nil || n == 0 {
			return err
		}
		took = true
		return s.Jobs.Step(ctx, tx, workspaceID, id, seq+1)
	})
	if err != nil {
		return false, fmt.Errorf("negotiation: hand over the answer to %s turn %d: %w", id, seq, err)
	}
	return took, nil
}

// leaseBatch bounds the leases one sweep hands over.
const leaseBatch = 100

// SweepLeases hands to River every answer whose lease ran out before it
// was sent (the process that held it died, or could not settle it), and
// returns how many. Every working process sweeps (DeadlineSweeper);
// handOver's conditional update lets exactly one of them take each.
func (s *Service) SweepLeases(ctx context.Context) (int, error) {
	type leased struct {
		ws, id    string
		seq, held int64
	}
	var all []leased
	err := func() error {
		rows, err := s.DB.Query(ctx, `SELECT workspace_id, negotiation_id, seq, lease_until FROM negotiation_turns
			WHERE lease_until > 0 AND lease_until <= ? LIMIT ?`, store.Micros(time.Now()), leaseBatch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l leased
			if err := rows.Scan(&l.ws, &l.id, &l.seq, &l.held); err != nil {
				return err
			}
			all = append(all, l)
		}
		return rows.Err()
	}()
	if err != nil {
		return 0, fmt.Errorf("negotiation: find expired answer leases: %w", err)
	}
	handed := 0
	for _, l := range all {
		took, err := s.handOver(ctx, l.ws, l.id, l.seq, l.held)
		if err != nil {
			return handed, err
		}
		if took {
			handed++
			s.log().Warn("negotiation: an answer's local run did not end (its process stopped); River resumes it", "negotiation_id", l.id, "seq", l.seq+1)
		}
	}
	return handed, nil
}
