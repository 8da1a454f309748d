package negotiation

import (
	"context"
	"errors"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Step takes this side's turn seq of an exchange and sends it: the job
// Jobs.Step schedules. It is idempotent: a turn already recorded is only
// sent (again), so a job repeated after a crash never takes a turn twice.
// An error means "try again later" (the peer could not be reached); the
// exchange ends as expired once its deadline passes, and as failed when
// the peer refuses the envelope.
func (s *Service) Step(ctx context.Context, workspaceID, id string, seq int64) error {
	return s.step(ctx, workspaceID, id, seq, nil)
}

// step is Step; in, when not nil, is the exchange and the peer as the
// receive path's committed transaction left them (the answer's lease
// keeps every other run of this turn away meanwhile), used instead of
// reading them again.
func (s *Service) step(ctx context.Context, workspaceID, id string, seq int64, in *inHand) error {
	var n Negotiation
	var err error
	if in != nil {
		n = in.n
	} else if n, err = Get(ctx, s.DB, workspaceID, id); errs.Is(err, errs.NotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if seq > n.LastSeq()+1 || seq < 1 {
		return nil // a stale job: the exchange moved on
	}
	peer := &peerOnce{s: s, workspaceID: workspaceID, ref: n.Peer}
	if in != nil {
		peer.p, peer.done = in.peer, true
	}
	signed := false
	if seq == n.LastSeq()+1 {
		if n.Status.Final() {
			return nil
		}
		if n, err = s.take(ctx, n, seq, peer); err != nil || n.LastSeq() < seq {
			return err
		}
		signed = true
	}
	t := n.Turns[seq-1]
	if t.From != s.Self {
		return nil // the peer's turn: nothing to send
	}
	return s.send(ctx, n, t, peer, signed)
}

// peerOnce reads the exchange's peer at most once per step.
type peerOnce struct {
	s                *Service
	workspaceID, ref string
	done             bool
	p                peers.Peer
	err              error
}

func (o *peerOnce) get(ctx context.Context) (peers.Peer, error) {
	if !o.done {
		o.p, o.err = o.s.Peers.Get(ctx, o.workspaceID, o.ref)
		o.done = o.err == nil || errs.Is(o.err, errs.NotFound)
	}
	return o.p, o.err
}

// take produces and records this side's turn seq: the agent's move, or a
// close when a limit ends the exchange here.
func (s *Service) take(ctx context.Context, n Negotiation, seq int64, peer *peerOnce) (Negotiation, error) {
	now := s.now()
	if !n.Deadline.IsZero() && !now.Before(n.Deadline) {
		return s.end(ctx, n, StatusExpired, "The deadline passed before this side's turn")
	}
	m, ok, err := kept(ctx, s.DB, n.WorkspaceID, n.ID, seq)
	if err != nil {
		return n, err
	}
	status, note := StatusOpen, ""
	if !ok {
		if m, status, note, err = s.decide(ctx, n, seq, peer); err != nil {
			return n, err
		}
	}
	if seq == 1 && status != StatusOpen {
		// Nothing was sent yet: end here without a word to the peer.
		return s.end(ctx, n, status, note)
	}
	m = s.checkMove(n, seq, m)
	if n.Cost, err = SpentOn(ctx, s.DB, n.WorkspaceID, n.ID); err != nil {
		return n, err
	}
	env := s.envelope(n, seq, m)
	token, err := Sign(ctx, s.Signer, env)
	if err != nil {
		return n, err
	}
	ended := s.takeLeaseEnds() // earlier answers' leases ride on this write
	err = s.inTx(ctx, func(tx store.Tx) error {
		if err := flushLeases(ctx, tx, ended); err != nil {
			return err
		}
		t := TurnOf(env, token, now)
		if err := appendTurnOnly(ctx, tx, n.WorkspaceID, n.ID, t); err != nil {
			return err
		}
		// The append checked n is open and t follows its last turn, with
		// its row locked: n plus t is the exchange as tx holds it.
		got := n
		got.Turns = append(append(make([]Turn, 0, len(n.Turns)+1), n.Turns...), recordedTurn(env, token, now))
		got.Actions = append([]workspace.Receipt{}, n.Actions...)
		if err := dropKept(ctx, tx, n.WorkspaceID, n.ID, seq); err != nil {
			return err
		}
		if err := AddActions(ctx, tx, n.WorkspaceID, n.ID, m.Actions); err != nil {
			return err
		}
		got.Actions = append(got.Actions, m.Actions...)
		if final, ok := finalStatus(m.Type); ok && status == StatusOpen {
			status = final
		}
		if status != StatusOpen {
			got, err = s.finishWith(ctx, tx, got, status, note, true)
		}
		n = got
		return err
	})
	if err != nil {
		s.putBack(ended)
	}
	if errs.Is(err, errs.Conflict) {
		// Another run recorded this turn first, or the exchange ended.
		return Get(ctx, s.DB, n.WorkspaceID, n.ID)
	}
	return n, err
}

// decide is this side's next move and the status it ends the exchange
// with (StatusOpen: it goes on): a close on a limit or a failure, else the
// agent's move. An error means "try again later".
func (s *Service) decide(ctx context.Context, n Negotiation, seq int64, peer *peerOnce) (Move, Status, string, error) {
	if seq > 1 && n.MaxTurns > 0 && seq >= int64(n.MaxTurns) {
		note := fmt.Sprintf("This side's turn limit (%d turns) was reached", n.MaxTurns)
		return Move{Type: TypeClose, Text: note + "; closing."}, StatusTurnLimit, note, nil
	}
	tools, err := s.toolsFor(ctx, n, peer)
	if err != nil {
		if k := errs.KindOf(err); k == errs.Forbidden || k == errs.NotFound {
			// The key was revoked, the member or the peer removed: no
			// retry can fix that.
			note := "This side can no longer act: " + errs.Message(err)
			return Move{Type: TypeClose, Text: "This side can no longer take part; closing."}, StatusFailed, note, nil
		}
		return Move{}, "", "", err
	}
	m, err := s.Agent.Move(ctx, Situation{Negotiation: n, Self: s.Self, Seq: seq, Tools: tools, Keep: s.keeper(n, seq)})
	switch {
	case errors.Is(err, ErrBudgetCap):
		note := fmt.Sprintf("This side's budget cap (%s USD) would have been passed by the next model call", n.MaxUSD.Short())
		return Move{Type: TypeClose, Text: note + "; closing."}, StatusBudgetCap, note, nil
	case err != nil:
		s.log().Error("negotiation agent failed", "negotiation_id", n.ID, "err", err)
		note := "This side's agent failed: " + errs.Message(err)
		return Move{Type: TypeClose, Text: "This side could not go on (its agent failed); closing."}, StatusFailed, note, nil
	}
	return m, StatusOpen, "", nil
}

// checkMove keeps a move within the protocol: a type not allowed now
// becomes a close, oversized data is dropped with a note.
func (s *Service) checkMove(n Negotiation, seq int64, m Move) Move {
	state := n.State()
	if seq == 1 {
		state = StateNew
	}
	if !Allowed(state, m.Type) {
		if seq == 1 {
			m.Type = TypeOpen
		} else {
			m.Type = TypeClose
		}
	}
	if len(m.Data) > MaxData {
		m.Data = nil
		m.Text += " (the records were too large for one envelope and were left out)"
	}
	m.Text = clip.Bytes(m.Text, MaxText)
	return m
}

// Size limits of what this side sends.
const (
	MaxData = 48 << 10 // body.data, bytes
	MaxText = 8000     // body.text, bytes
)

// end finishes an open exchange here without sending anything.
func (s *Service) end(ctx context.Context, n Negotiation, status Status, note string) (Negotiation, error) {
	err := s.inTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = s.finish(ctx, tx, n, status, note)
		return err
	})
	if errs.Is(err, errs.Conflict) {
		return Get(ctx, s.DB, n.WorkspaceID, n.ID)
	}
	return n, err
}

// send delivers this side's turn t: as a signed envelope to a soisnode
// peer (one close to its expiry is signed again, same content with fresh
// times and nonce, first), as an A2A message to a plain A2A peer
// (sendA2A).
func (s *Service) send(ctx context.Context, n Negotiation, t Turn, po *peerOnce, justSigned bool) error {
	peer, err := po.get(ctx)
	if err != nil {
		if errs.Is(err, errs.NotFound) && n.Status == StatusOpen {
			_, err = s.end(ctx, n, StatusFailed, "The peer was removed from this workspace")
		}
		return err
	}
	if peer.Plain() {
		return s.sendA2A(ctx, n, t, peer)
	}
	token := t.JWS
	// Just signed by this step's take (iat ≥ t.At - 1 s), it has more than
	// a minute of its life left: no need to read it back.
	if !justSigned || !t.At.Add(s.life()-time.Minute-2*time.Second).After(s.now()) {
		if token, err = s.fresh(ctx, n, t); err != nil {
			return err
		}
	}
	if err := s.Transport.Send(ctx, peer.BaseURL, token); err != nil {
		return s.sendFailed(ctx, n, t, err)
	}
	s.log().Info("negotiation turn sent", "negotiation_id", n.ID, "seq", t.Seq, "type", t.Type, "to", n.Peer)
	return nil
}

// fresh returns t's envelope, signed again when less than a minute of
// its life is left.
func (s *Service) fresh(ctx context.Context, n Negotiation, t Turn) (string, error) {
	// What we stored is what we signed: reading it back needs no check.
	env, err := decodeUnverified(t.JWS)
	if err != nil {
		return "", err
	}
	if time.Unix(env.ExpiresAt, 0).Sub(s.now()) > time.Minute || KindOf(env.Body.Data) == KindKeys {
		// A key announcement stays signed by the key the peer pinned.
		return t.JWS, nil
	}
	now := s.now()
	env.IssuedAt, env.ExpiresAt, env.Nonce = now.Unix(), now.Add(s.life()).Unix(), NewNonce()
	token, err := Sign(ctx, s.Signer, env)
	if err != nil {
		return "", err
	}
	if err := ReplaceJWS(ctx, s.DB, n.WorkspaceID, n.ID, t.Seq, token); err != nil {
		return "", err
	}
	return token, nil
}

// Expire ends an exchange whose deadline passed while it was still open:
// what ExpireDue does for each exchange past its deadline.
func (s *Service) Expire(ctx context.Context, workspaceID, id string) error {
	n, err := Get(ctx, s.DB, workspaceID, id)
	if errs.Is(err, errs.NotFound) || (err == nil && n.Status.Final()) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.end(ctx, n, StatusExpired, "The exchange's deadline passed")
	return err
}

// toolsFor returns the tools this side acts with in n: the opener's key
// and member, or the responder's peer policy.
func (s *Service) toolsFor(ctx context.Context, n Negotiation, po *peerOnce) (Tools, error) {
	if n.Role == RoleResponder {
		peer, err := po.get(ctx)
		if err != nil {
			return nil, err
		}
		return s.PolicyTools(ctx, peer)
	}
	return s.openerTools(ctx, n)
}
