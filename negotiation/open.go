package negotiation

import (
	"context"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// OpenParams are what a caller asks for when opening an exchange.
type OpenParams struct {
	WorkspaceID string
	KeyID       string // the integration key this side acts with (its scopes, its webhook)
	MemberID    string // the member this side acts as
	Peer        string // a pinned peer: its id, node id or name
	Goal        string
	MaxUSD      money.Micro
	MaxTurns    int
	// ID, when set, makes Open idempotent: an exchange with this id that
	// the workspace already holds is returned as it stands.
	ID string
}

// Open creates an exchange with a pinned peer and schedules its first
// turn (the open envelope, written by this side's agent) and its
// deadline, in one transaction; the peer is contacted by that job. The
// cap is the smaller of what was asked and the peer policy's max_usd, the
// turn limit likewise.
func (s *Service) Open(ctx context.Context, p OpenParams) (Negotiation, error) {
	p.Goal = strings.TrimSpace(p.Goal)
	if p.ID != "" {
		if n, err := Get(ctx, s.DB, p.WorkspaceID, p.ID); err == nil {
			return n, nil
		} else if !errs.Is(err, errs.NotFound) {
			return Negotiation{}, err
		}
	}
	peer, err := s.Peers.Get(ctx, p.WorkspaceID, p.Peer)
	if err != nil {
		return Negotiation{}, err
	}
	if p.ID == "" {
		p.ID = "neg_" + store.NewID()
	}
	maxUSD, maxTurns := min(p.MaxUSD, peer.MaxUSD), p.MaxTurns
	if peer.MaxTurns > 0 && (maxTurns == 0 || peer.MaxTurns < maxTurns) {
		maxTurns = peer.MaxTurns
	}
	now := s.now()
	c := CreateParams{
		ID: p.ID, Peer: peer.NodeID, Goal: p.Goal, MaxUSD: maxUSD, MaxTurns: maxTurns,
		Role: RoleOpener, KeyID: p.KeyID, MemberID: p.MemberID, Deadline: now.Add(s.deadline()),
	}
	var n Negotiation
	err = s.inTx(ctx, func(tx store.Tx) error {
		var err error
		// Its deadline is the row's deadline_at (ExpireDue sweeps it).
		if n, err = Create(ctx, tx, p.WorkspaceID, c, now); err != nil {
			return err
		}
		return s.Jobs.Step(ctx, tx, p.WorkspaceID, n.ID, 1)
	})
	if errs.Is(err, errs.Conflict) && p.ID != "" {
		return Get(ctx, s.DB, p.WorkspaceID, p.ID) // opened concurrently by a twin call
	}
	if err != nil {
		return Negotiation{}, err
	}
	s.log().Info("negotiation opened", "negotiation_id", n.ID, "workspace_id", p.WorkspaceID, "peer", peer.NodeID)
	return n, nil
}

// Cancel ends an open exchange as canceled and tells the peer with a
// signed close carrying {"kind":"cancel"}, which ends it canceled there
// too — also when the peer was taking its own turn meanwhile (the two
// envelopes cross: see Service.crossed). A finished exchange is a
// Conflict.
func (s *Service) Cancel(ctx context.Context, workspaceID, id string) (Negotiation, error) {
	n, err := Get(ctx, s.DB, workspaceID, id)
	if err != nil {
		return Negotiation{}, err
	}
	if n.Status.Final() {
		return Negotiation{}, errs.E(errs.Conflict, "negotiation %s is already %s", id, n.Status)
	}
	seq := n.LastSeq() + 1
	m := Move{Type: TypeClose, Text: "This side canceled the exchange.", Data: Encode(map[string]string{"kind": KindCancel})}
	if seq == 1 {
		// Nothing was sent yet: end it here without a word to the peer.
		return s.end(ctx, n, StatusCanceled, "Canceled before anything was sent")
	}
	env := s.envelope(n, seq, m)
	token, err := Sign(ctx, s.Signer, env)
	if err != nil {
		return Negotiation{}, err
	}
	err = s.inTx(ctx, func(tx store.Tx) error {
		got, err := AppendTurn(ctx, tx, workspaceID, id, TurnOf(env, token, s.now()))
		if err != nil {
			return err
		}
		if n, err = s.finish(ctx, tx, got, StatusCanceled, "Canceled by this side"); err != nil {
			return err
		}
		return s.Jobs.Step(ctx, tx, workspaceID, id, seq)
	})
	if err != nil {
		return Negotiation{}, err
	}
	return n, nil
}
