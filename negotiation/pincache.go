package negotiation

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
)

// pinCache keeps, per sender node, the one pin a receive read last, so
// that an open envelope is verified without reading the registry first.
// It is only a hint: the pin is re-checked, unchanged, inside the
// transaction that records the exchange (create with a pin), so an
// envelope a removed or re-pinned peer signed is never accepted by a
// process that cached the old pin; it then takes the path that reads the
// registry (and refreshes the cache). A node pinned by several
// workspaces is not cached: which of them holds an exchange needs the
// database.
type pinCache struct {
	mu sync.Mutex
	by map[string]peers.Peer // sender node id → its only pin
}

// maxCachedPins bounds the cache; past it, it starts afresh.
const maxCachedPins = 1024

func (c *pinCache) get(nodeID string) (peers.Peer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.by[nodeID]
	return p, ok
}

// remember keeps pins as the registry's current pins of nodeID.
func (c *pinCache) remember(nodeID string, pins []peers.Peer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(pins) != 1 {
		delete(c.by, nodeID)
		return
	}
	if c.by == nil || len(c.by) >= maxCachedPins {
		c.by = map[string]peers.Peer{}
	}
	c.by[nodeID] = pins[0]
}

// errSlowPath makes receiveOpen give the envelope back to the path that
// reads the registry first (and changes nothing).
var errSlowPath = errors.New("negotiation: take the registry path")

// receiveOpen records a new exchange's open envelope from a sender whose
// only pin is cached: verified with the cached keys, then nonce,
// negotiation and turn in one transaction whose INSERT of the
// negotiation holds only while the pin is still exactly as cached. It
// reports false, having changed nothing, whenever anything is not that
// plain case — no cached pin, not a first envelope, a signature the
// cached keys do not verify, a key announcement, a nonce seen, an id
// already held, a pin changed or removed — and the caller then takes the
// registry path, which gives every refusal its answer.
func (s *Service) receiveOpen(ctx context.Context, from, token string) (func(), bool, error) {
	peer, ok := s.pins.get(from)
	if !ok {
		return nil, false, nil
	}
	if id, seq := unverifiedHead(token); seq != 1 || id == "" {
		return nil, false, nil
	}
	keys, err := s.keys.of(peer)
	if err != nil {
		return nil, false, nil
	}
	now := s.now()
	env, err := Verify(ctx, keys, token, Expect{Self: s.Self, Peer: from, State: StateNew, Now: now})
	if err != nil || env.Type != TypeOpen || KindOf(env.Body.Data) == KindKeys {
		return nil, false, nil
	}
	ws := peer.WorkspaceID
	slot := s.takeLane()
	p := CreateParams{
		ID: env.NegotiationID, Peer: from, Goal: goalOf(env), MaxUSD: peer.MaxUSD, MaxTurns: peer.MaxTurns,
		Role: RoleResponder, Deadline: now.Add(s.deadline()),
	}
	var created Negotiation
	if slot != nil && s.DB.Dialect() == store.Postgres {
		// One statement, one round trip (openonce.go).
		t := TurnOf(env, token, now)
		t.lease = slot.HeldUntil()
		created, err = recordOpenAtOnce(ctx, s.DB, peer, env, p, t, now)
	} else {
		created, err = s.recordOpen(ctx, peer, env, token, p, slot, now)
	}
	if err != nil {
		if slot != nil {
			slot.Release()
		}
		if errors.Is(err, errSlowPath) {
			return nil, false, nil
		}
		return nil, true, err
	}
	s.log().Info("negotiation turn received", "negotiation_id", env.NegotiationID, "from", from, "seq", env.Seq, "type", env.Type, "workspace_id", ws)
	return s.answerLocally(slot, ws, env.NegotiationID, env.Seq, openedInHand(created, env, token, now, peer)), true, nil
}

// recordOpen records the open env of exchange p from peer, whose only
// pin is cached, in one transaction: nonce, exchange (only while the pin
// is unchanged) and turn, with the answer's lease when slot holds one,
// else the answer's River job. errSlowPath: nothing changed, and the
// registry path answers it.
func (s *Service) recordOpen(ctx context.Context, peer peers.Peer, env Envelope, token string, p CreateParams, slot *queue.Local, now time.Time) (Negotiation, error) {
	ws := peer.WorkspaceID
	var created Negotiation
	err := s.inTx(ctx, func(tx store.Tx) error {
		if err := Remember(ctx, &SQLNonces{DB: tx, Now: s.Now}, env); err != nil {
			if errors.Is(err, ErrReplayed) {
				return errSlowPath // a re-sent open: the registry path answers it
			}
			return err
		}
		var err error
		if created, err = create(ctx, tx, ws, p, now, &peer); err != nil {
			if errs.Is(err, errs.Conflict) {
				return errSlowPath // held already, or the pin changed
			}
			return err
		}
		t := TurnOf(env, token, now)
		if slot != nil {
			t.lease = slot.HeldUntil()
			return insertTurn(ctx, tx, ws, env.NegotiationID, t)
		}
		if err := insertTurn(ctx, tx, ws, env.NegotiationID, t); err != nil {
			return err
		}
		return s.Jobs.Step(ctx, tx, ws, env.NegotiationID, env.Seq+1)
	})
	return created, err
}
