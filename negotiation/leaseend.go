package negotiation

import (
	"context"
	"sync"
	"time"

	"github.com/soisnode/soisnode/store"
)

// leaseEnds holds the leases of answers already sent whose end is not yet
// written: each rides on the next answer's recording transaction (take),
// or, when no answer comes within leaseEndDelay, on one small write of
// its own; a graceful stop writes those still pending (FlushLeaseEnds).
// An end that is never written (the process died first) only
// lets the sweep hand the answer to River once the lease runs out: it is
// sent again, and the peer takes it as a re-send (a recorded envelope is
// answered 202 and changes nothing).
type leaseEnds struct {
	mu      sync.Mutex
	pending []leaseEnd
	timer   *time.Timer
}

// leaseEnd is one sent answer's lease: the peer's turn seq, held until held.
type leaseEnd struct {
	ws, id    string
	seq, held int64
}

// leaseEndDelay is how long an answer's lease end waits for the next
// answer's transaction before it is written on its own.
const leaseEndDelay = 200 * time.Millisecond

// endLease notes that the answer to the peer's turn seq was sent: its
// lease is ended by the next write (flushLeases).
func (s *Service) endLease(ws, id string, seq, held int64) {
	e := &s.ends
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pending = append(e.pending, leaseEnd{ws: ws, id: id, seq: seq, held: held})
	if e.timer == nil {
		e.timer = time.AfterFunc(leaseEndDelay, s.writeLeaseEnds)
	}
}

// takeLeaseEnds returns the pending lease ends and forgets them.
func (s *Service) takeLeaseEnds() []leaseEnd {
	e := &s.ends
	e.mu.Lock()
	defer e.mu.Unlock()
	all := e.pending
	e.pending = nil
	return all
}

// putBack returns lease ends whose write failed to the pending list.
func (s *Service) putBack(all []leaseEnd) {
	if len(all) == 0 {
		return
	}
	e := &s.ends
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pending = append(all, e.pending...)
	if e.timer == nil {
		e.timer = time.AfterFunc(leaseEndDelay, s.writeLeaseEnds)
	}
}

// flushLeases ends the pending leases inside tx (the next answer's own
// transaction); it returns them so that a rolled-back tx can put them
// back. Each end is conditional on the lease still being the one held: a
// sweep that took it meanwhile is left alone.
func flushLeases(ctx context.Context, tx store.Tx, all []leaseEnd) error {
	for _, l := range all {
		if _, err := tx.Exec(ctx, `UPDATE negotiation_turns SET lease_until = 0
			WHERE workspace_id = ? AND negotiation_id = ? AND seq = ? AND lease_until = ?`, l.ws, l.id, l.seq, l.held); err != nil {
			return err
		}
	}
	return nil
}

// writeLeaseEnds writes the pending lease ends in one transaction of
// their own (no answer came to carry them).
func (s *Service) writeLeaseEnds() {
	e := &s.ends
	e.mu.Lock()
	e.timer = nil
	all := e.pending
	e.pending = nil
	e.mu.Unlock()
	if len(all) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.inTx(ctx, func(tx store.Tx) error { return flushLeases(ctx, tx, all) }); err != nil {
		// The sweep hands them over when the leases run out: the answers
		// are sent again, and the peer takes each as a re-send.
		s.log().Warn("negotiation: end answers' leases", "count", len(all), "err", err)
	}
}

// FlushLeaseEnds writes the pending lease ends now (the node calls it on
// shutdown, after the answers running here have stopped), so a restart
// does not send those answers again.
func (s *Service) FlushLeaseEnds() {
	e := &s.ends
	e.mu.Lock()
	if e.timer != nil {
		e.timer.Stop()
	}
	e.mu.Unlock()
	s.writeLeaseEnds()
}
