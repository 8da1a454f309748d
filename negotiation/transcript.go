package negotiation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
)

// EnvelopeCheck is the result of re-checking one stored envelope.
type EnvelopeCheck struct {
	Seq    int64  `json:"seq"`
	From   string `json:"from"`
	Type   string `json:"type"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"` // why it failed
	// Unsigned: a plain A2A peer's answer, which carries no signature to
	// verify (OK says only that it is the peer's turn, as recorded).
	Unsigned bool `json:"unsigned,omitempty"`
}

// VerifyTranscript re-checks every stored envelope of n (AuditTurn): the
// peer's against the keys the workspace pins for it now, ours (self is this
// node's id) against ours, this node's published keys. It returns one check
// per turn and the number that failed; an error only when the pinned peer
// cannot be read.
func VerifyTranscript(ctx context.Context, q store.Querier, n Negotiation, self string, ours verify.Source, now time.Time) ([]EnvelopeCheck, int, error) {
	var theirs *verify.KeySet
	var unpinned error
	if p, err := peers.Get(ctx, q, n.WorkspaceID, n.Peer); err == nil {
		if theirs, err = p.KeySet(); err != nil {
			unpinned = err
		}
	} else if errs.Is(err, errs.NotFound) {
		unpinned = fmt.Errorf("node %s is no longer a pinned peer of this workspace", n.Peer)
	} else {
		return nil, 0, err
	}
	checks := make([]EnvelopeCheck, 0, len(n.Turns))
	failed := 0
	for _, t := range n.Turns {
		c := EnvelopeCheck{Seq: t.Seq, From: t.From, Type: string(t.Type), OK: true}
		var err error
		switch t.From {
		case self:
			err = AuditTurn(ctx, ours, n, t, self, now)
		case n.Peer:
			err = unpinned
			if !t.Signed() && strings.HasPrefix(n.Peer, peers.PlainPrefix) {
				c.Unsigned, err = true, nil // a plain A2A peer signs nothing
			} else if err == nil {
				err = AuditTurn(ctx, theirs, n, t, self, now)
			}
		default:
			err = fmt.Errorf("sender %s is neither this node (%s) nor the peer (%s)", t.From, self, n.Peer)
		}
		if err != nil {
			c.OK, c.Reason = false, err.Error()
			failed++
		}
		checks = append(checks, c)
	}
	return checks, failed, nil
}
