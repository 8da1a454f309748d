package negotiation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
)

// KindKeys is body.data announcing the sender's signing keys:
// {"kind":"keys","jwks":{"keys":[…]}}.
const KindKeys = "keys"

// DataKeys is a key announcement.
type DataKeys struct {
	Kind string          `json:"kind"`
	JWKS json.RawMessage `json:"jwks"`
}

// KeySigner signs with a chosen published key (signing.Keyring).
type KeySigner interface {
	SignCompactBy(ctx context.Context, kid string, payload []byte, headers map[string]any) (string, error)
}

// Announce tells every peer of every workspace of this node about its
// signing keys (jwks, the node's JWKS after a rotation): a one-envelope
// exchange whose open carries the keys, signed by kid — the key the
// peers pinned — so they can verify it before pinning the new ones. It
// is recorded (closed) on this side and sent by a durable job. It returns
// how many peers were told.
func (s *Service) Announce(ctx context.Context, by KeySigner, kid string, jwks []byte) (int, error) {
	all, err := peers.All(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	data := Encode(DataKeys{Kind: KindKeys, JWKS: jwks})
	for _, p := range all {
		now := s.now()
		n := Negotiation{ID: "neg_" + store.NewID(), Peer: p.NodeID, WorkspaceID: p.WorkspaceID}
		env := s.envelope(n, 1, Move{Type: TypeOpen, Text: "This node's signing keys changed; the keys it now publishes are in data.", Data: data})
		if err := env.validate(); err != nil {
			return 0, err
		}
		payload, err := json.Marshal(env)
		if err != nil {
			return 0, fmt.Errorf("negotiation: encode announcement: %w", err)
		}
		token, err := by.SignCompactBy(ctx, kid, payload, map[string]any{"typ": JWSType})
		if err != nil {
			return 0, err
		}
		err = s.inTx(ctx, func(tx store.Tx) error {
			if _, err := Create(ctx, tx, p.WorkspaceID, CreateParams{ID: n.ID, Peer: p.NodeID, Goal: "Announce this node's new signing keys", MaxTurns: 1}, now); err != nil {
				return err
			}
			got, err := AppendTurn(ctx, tx, p.WorkspaceID, n.ID, TurnOf(env, token, now))
			if err != nil {
				return err
			}
			if _, err := Finish(ctx, tx, p.WorkspaceID, n.ID, StatusClosed, Summarize(got, StatusClosed, s.Self, "Announced this node's new signing keys"), now); err != nil {
				return err
			}
			return s.Jobs.Step(ctx, tx, p.WorkspaceID, n.ID, 1)
		})
		if err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

// pinAnnounced takes a verified key announcement: the announced keys are
// pinned next to the ones that verified it, and the exchange is recorded
// and closed at once.
func (s *Service) pinAnnounced(ctx context.Context, tx store.Tx, peer peers.Peer, env Envelope, token string) error {
	var d DataKeys
	if err := json.Unmarshal(env.Body.Data, &d); err != nil {
		return fmt.Errorf("%w: key announcement: %v", ErrMalformed, err)
	}
	now := s.now()
	p, added, err := peers.AddKeys(ctx, tx, peer, d.JWKS, now)
	if err != nil {
		return err
	}
	if _, err := Create(ctx, tx, peer.WorkspaceID, CreateParams{ID: env.NegotiationID, Peer: peer.NodeID, Goal: "The peer announced new signing keys", MaxTurns: 1, Role: RoleResponder}, now); err != nil {
		return err
	}
	n, err := AppendTurn(ctx, tx, peer.WorkspaceID, env.NegotiationID, TurnOf(env, token, now))
	if err != nil {
		return err
	}
	note := "The peer announced its signing keys; none were new"
	if len(added) > 0 {
		note = fmt.Sprintf("Pinned %d new signing key(s) the peer announced (%s); fingerprint now %s", len(added), strings.Join(added, ", "), p.Fingerprint)
	}
	_, err = s.finish(ctx, tx, n, StatusClosed, note)
	s.log().Info("peer announced signing keys", "peer", peer.NodeID, "workspace_id", peer.WorkspaceID, "new", len(added))
	return err
}
