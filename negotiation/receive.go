package negotiation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
)

// Receive takes one envelope a peer POSTed. It returns nil once the
// envelope is verified and recorded (the transport answers 202), with
// this side's answer scheduled as a job in the same transaction; an
// envelope already recorded (same negotiation and seq, signed by the same
// peer) is nil again and changes nothing. Anything refused is an error of
// kind Unauthorized (signature, sender), Conflict (order, state, replay)
// or Malformed (the rest), and changes nothing.
func (s *Service) Receive(ctx context.Context, token string) error {
	answer, err := s.Accept(ctx, token)
	if err == nil {
		answer()
	}
	return err
}

// Accept is Receive whose answer, when this process runs it at once (the
// Lane), starts only when the caller calls answer: after its 202 is on
// the wire, so that the answer's work does not delay the peer's
// response. On success answer is never nil; call it exactly once (it
// does nothing when the answer is a River job, or none is due).
func (s *Service) Accept(ctx context.Context, token string) (answer func(), err error) {
	answer, err = s.receive(ctx, token)
	if err != nil {
		s.rejected(rejectReason(err))
		return nil, err
	}
	return answer, nil
}

// noAnswer is the answer starter of an envelope that starts nothing here.
func noAnswer() {}

func (s *Service) receive(ctx context.Context, token string) (func(), error) {
	from, err := Sender(token)
	if err != nil {
		return nil, errs.Wrap(errs.Malformed, err, "%v", err)
	}
	if answer, done, err := s.receiveOpen(ctx, from, token); done {
		return answer, err
	}
	peer, neg, err := s.receivingPeer(ctx, from, token)
	if err != nil {
		return nil, err
	}
	keys, err := s.keys.of(peer)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if neg != nil {
		if _, seq := unverifiedHead(token); seq >= 1 && seq <= neg.LastSeq() {
			return noAnswer, s.duplicate(ctx, keys, token, *neg, from)
		}
	}
	x := Expect{Self: s.Self, Peer: from, State: StateNew, Now: now}
	if neg != nil {
		x.State, x.LastSeq = neg.State(), neg.LastSeq()
	}
	env, err := Verify(ctx, keys, token, x)
	if err != nil {
		return nil, errs.Wrap(envelopeKind(err), err, "%v", err)
	}
	if neg != nil && env.NegotiationID != neg.ID {
		return nil, errs.E(errs.Malformed, "negotiation_id does not match")
	}
	ws := peer.WorkspaceID
	_, final := finalStatus(env.Type)
	var slot *queue.Local
	if !final && (neg != nil || KindOf(env.Body.Data) != KindKeys) {
		slot = s.takeLane() // this side answers: at once, here, when a slot is free
	}
	var created Negotiation // the exchange an open created
	err = s.inTx(ctx, func(tx store.Tx) error {
		if err := Remember(ctx, &SQLNonces{DB: tx, Now: s.Now}, env); err != nil {
			return errs.Wrap(envelopeKind(err), err, "%v", err)
		}
		if neg == nil && env.Type == TypeOpen && KindOf(env.Body.Data) == KindKeys {
			return s.pinAnnounced(ctx, tx, peer, env, token)
		}
		if neg == nil {
			p := CreateParams{
				ID: env.NegotiationID, Peer: from, Goal: goalOf(env), MaxUSD: peer.MaxUSD, MaxTurns: peer.MaxTurns,
				Role: RoleResponder, Deadline: now.Add(s.deadline()),
			}
			// Its deadline is the row's deadline_at (ExpireDue sweeps it).
			var err error
			if created, err = Create(ctx, tx, ws, p, now); err != nil {
				return err
			}
		}
		add := appendTurnOnly
		if neg == nil {
			add = insertTurn // the open of the negotiation just created (Verify checked it)
		}
		t := TurnOf(env, token, now)
		if slot != nil {
			t.lease = slot.HeldUntil()
		}
		if err := add(ctx, tx, ws, env.NegotiationID, t); err != nil {
			return err
		}
		if status, final := finalStatus(env.Type); final {
			if env.Type == TypeClose && KindOf(env.Body.Data) == KindCancel {
				status = StatusCanceled
			}
			n, err := Get(ctx, tx, ws, env.NegotiationID)
			if err == nil {
				_, err = s.finish(ctx, tx, n, status, "")
			}
			return err
		}
		if slot != nil {
			return nil // the turn's row holds the answer's lease
		}
		return s.Jobs.Step(ctx, tx, ws, env.NegotiationID, env.Seq+1)
	})
	if err != nil {
		if slot != nil {
			slot.Release()
		}
		return nil, err
	}
	s.log().Info("negotiation turn received", "negotiation_id", env.NegotiationID, "from", from, "seq", env.Seq, "type", env.Type, "workspace_id", ws)
	var in *inHand
	if neg == nil {
		in = openedInHand(created, env, token, now, peer)
	}
	return s.answerLocally(slot, ws, env.NegotiationID, env.Seq, in), nil
}

// duplicate answers an envelope whose seq is already recorded: accepted
// again (nil) when it is signed by the peer's pinned key for a turn the
// peer sent, a Conflict otherwise.
func (s *Service) duplicate(ctx context.Context, keys verify.Source, token string, neg Negotiation, from string) error {
	env, err := VerifySignature(ctx, keys, token, from, s.now())
	if err != nil {
		return errs.Wrap(envelopeKind(err), err, "%v", err)
	}
	if env.To != s.Self || env.NegotiationID != neg.ID {
		return errs.E(errs.Malformed, "%v", fmt.Errorf("%w: to %q", ErrAudience, env.To))
	}
	t := neg.Turns[env.Seq-1]
	if t.Seq == env.Seq && t.From == from && t.Type == env.Type {
		return nil
	}
	if t.From == s.Self && env.Seq == neg.LastSeq() {
		if ok, err := s.crossed(ctx, neg, t, env); ok || err != nil {
			return err
		}
	}
	return errs.Wrap(errs.Conflict, ErrSequence, "%v", fmt.Errorf("%w: seq %d is already taken", ErrSequence, env.Seq))
}

// crossed handles a peer's envelope that took the same seq as our last
// turn t because one of the two canceled meanwhile (each side took its
// turn before it saw the other's):
//   - we canceled and the peer's turn crossed our close: the exchange is
//     over here; its turn is answered 202 and not recorded (our close,
//     sent by its own job, ends it there);
//   - the peer canceled and its close crossed our turn: the exchange ends
//     canceled here, with a note (the close's seq is taken, so it is not
//     added to the transcript; its nonce is remembered).
//
// ok is false for any other clash, which stays a Conflict.
func (s *Service) crossed(ctx context.Context, neg Negotiation, t Turn, env Envelope) (bool, error) {
	switch {
	case neg.Status == StatusCanceled && t.Type == TypeClose && KindOf(t.Data) == KindCancel:
		s.log().Info("a peer's turn crossed our cancel", "negotiation_id", neg.ID, "seq", env.Seq, "type", env.Type)
		return true, nil
	case neg.Status == StatusOpen && env.Type == TypeClose && KindOf(env.Body.Data) == KindCancel:
		err := s.inTx(ctx, func(tx store.Tx) error {
			if err := Remember(ctx, &SQLNonces{DB: tx, Now: s.Now}, env); err != nil {
				return errs.Wrap(envelopeKind(err), err, "%v", err)
			}
			_, err := s.finish(ctx, tx, neg, StatusCanceled, fmt.Sprintf("The peer canceled the exchange while this side's turn %d was on its way", t.Seq))
			return err
		})
		return true, err
	}
	return false, nil
}

// finalStatus is the outcome an envelope type ends an exchange with.
func finalStatus(t Type) (Status, bool) {
	switch t {
	case TypeAccept:
		return StatusAccepted, true
	case TypeReject:
		return StatusRejected, true
	case TypeClose:
		return StatusClosed, true
	}
	return StatusOpen, false
}

// goalOf is the goal a responder records: the open envelope's text, or a
// description of its request when the text is empty.
func goalOf(env Envelope) string {
	g := strings.TrimSpace(env.Body.Text)
	if g == "" {
		var r DataRequest
		if json.Unmarshal(env.Body.Data, &r) == nil && r.Records != "" {
			g = strings.TrimSpace(r.Records + " " + r.Filter.Describe())
		}
	}
	if g == "" {
		g = "(no goal given)"
	}
	return clip.Bytes(g, MaxGoal)
}

// receivingPeer finds the workspace that pinned the sender, and the
// negotiation the envelope continues (nil for a new one): one the
// workspace holds with the sender, never another peer's. When several
// workspaces pinned the sender, the one holding the negotiation wins; a
// new negotiation goes to the workspace that pinned the sender first.
func (s *Service) receivingPeer(ctx context.Context, from, token string) (peers.Peer, *Negotiation, error) {
	// The id only chooses where to look; Verify checks the envelope after.
	id, _ := unverifiedHead(token)
	if h, ok := s.Peers.(holdingLookup); ok {
		// One query tells the pins and which of them holds the exchange.
		pins, holds, err := h.ByNodeHolding(ctx, from, id)
		if err != nil {
			return peers.Peer{}, nil, err
		}
		s.pins.remember(from, pins)
		if len(pins) == 0 {
			return peers.Peer{}, nil, errs.E(errs.Unauthorized, "node %s is not a pinned peer", from)
		}
		for i, p := range pins {
			if !holds[i] {
				continue
			}
			if neg, err := Get(ctx, s.DB, p.WorkspaceID, id); err == nil {
				return p, &neg, nil
			} else if !errs.Is(err, errs.NotFound) {
				return peers.Peer{}, nil, err
			}
		}
		return pins[0], nil, nil
	}
	pins, err := s.Peers.ByNode(ctx, from)
	if err != nil {
		return peers.Peer{}, nil, err
	}
	s.pins.remember(from, pins)
	if len(pins) == 0 {
		return peers.Peer{}, nil, errs.E(errs.Unauthorized, "node %s is not a pinned peer", from)
	}
	for _, p := range pins {
		neg, err := Get(ctx, s.DB, p.WorkspaceID, id)
		switch {
		case err == nil && neg.Peer == from: // another node's exchange of that id is not its to continue
			return p, &neg, nil
		case err != nil && !errs.Is(err, errs.NotFound):
			return peers.Peer{}, nil, err
		}
	}
	return pins[0], nil, nil
}

// holdingLookup is a PeerStore that also tells, in the same read, which
// pin's workspace holds a negotiation (peers.Lookup).
type holdingLookup interface {
	ByNodeHolding(ctx context.Context, nodeID, negotiationID string) ([]peers.Peer, []bool, error)
}

// unverifiedHead reads negotiation_id and seq of an envelope WITHOUT
// verifying it, only to choose where to look.
func unverifiedHead(token string) (string, int64) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", 0
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", 0
	}
	var p struct {
		ID  string `json:"negotiation_id"`
		Seq int64  `json:"seq"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.ID, p.Seq
}

// envelopeKind maps envelope errors to the answer's kind: signature
// failures are the sender's credentials (401), order and replay a
// conflict (409), anything else a bad request (400).
func envelopeKind(err error) errs.Kind {
	switch {
	case errors.Is(err, verify.ErrSignature), errors.Is(err, verify.ErrUnknownKey), errors.Is(err, verify.ErrType),
		errors.Is(err, ErrSender):
		return errs.Unauthorized
	case errors.Is(err, ErrSequence), errors.Is(err, ErrState), errors.Is(err, ErrReplayed):
		return errs.Conflict
	}
	return errs.Malformed
}

// rejectReason is the metrics label of a refused envelope.
func rejectReason(err error) string {
	for _, c := range []struct {
		err    error
		reason string
	}{
		{verify.ErrSignature, "signature"}, {verify.ErrUnknownKey, "unknown_key"}, {verify.ErrType, "type"},
		{ErrSender, "sender"}, {ErrAudience, "audience"}, {ErrExpired, "expired"}, {ErrFuture, "future"},
		{ErrLifetime, "lifetime"}, {ErrSequence, "sequence"}, {ErrState, "state"}, {ErrReplayed, "replayed"},
		{ErrType, "unknown_type"}, {ErrVersion, "version"}, {ErrBudget, "budget"}, {ErrMalformed, "malformed"},
	} {
		if errors.Is(err, c.err) {
			return c.reason
		}
	}
	if errs.KindOf(err) == errs.Unauthorized {
		return "unpinned"
	}
	return "other"
}
