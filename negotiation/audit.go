package negotiation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/signing/verify"
)

// ErrTranscript: a stored turn says something its signed envelope does not.
var ErrTranscript = errors.New("negotiation: stored turn differs from its signed envelope")

// AuditTurn re-checks one stored turn of n, as `soisnode negotiations
// verify` does for each: its JWS must be an EdDSA signature with typ
// JWSType by one of keys — the sender's keys: those pinned for the peer
// for its turns, this node's published keys for ours — over a strict
// envelope (strictjson) of this negotiation whose seq, sender, receiver,
// type, text and data are what the transcript stores. self is this node's
// id. Expiry is not checked: an envelope had to be live when it was
// accepted, not now. Errors wrap verify's sentinels, ErrMalformed or
// ErrTranscript.
func AuditTurn(ctx context.Context, keys verify.Source, n Negotiation, t Turn, self string, now time.Time) error {
	v, err := verify.Compact(ctx, keys, t.JWS, now)
	if err != nil {
		return err
	}
	if v.Type != JWSType {
		return fmt.Errorf("%w: typ %q, want %q", verify.ErrType, v.Type, JWSType)
	}
	if err := strictHeader(t.JWS); err != nil {
		return err
	}
	env, err := decode(v.Payload)
	if err != nil {
		return err
	}
	to := n.Peer
	if t.From == n.Peer {
		to = self
	}
	switch {
	case env.NegotiationID != n.ID:
		return fmt.Errorf("%w: signed for negotiation %q", ErrTranscript, env.NegotiationID)
	case env.Seq != t.Seq:
		return fmt.Errorf("%w: signed seq %d", ErrTranscript, env.Seq)
	case env.From != t.From:
		return fmt.Errorf("%w: signed by node %q, stored as from %q", ErrTranscript, env.From, t.From)
	case env.To != to:
		return fmt.Errorf("%w: addressed to %q, not %q", ErrTranscript, env.To, to)
	case env.Type != t.Type:
		return fmt.Errorf("%w: signed type %q, stored %q", ErrTranscript, env.Type, t.Type)
	case env.Body.Text != t.Text:
		return fmt.Errorf("%w: text", ErrTranscript)
	case !sameJSON(env.Body.Data, t.Data):
		return fmt.Errorf("%w: data", ErrTranscript)
	}
	return nil
}

// sameJSON compares two JSON values up to insignificant whitespace; both
// absent is the same.
func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
