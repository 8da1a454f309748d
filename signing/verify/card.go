package verify

import (
	"context"
	"fmt"
	"time"
)

// Card verifies an agent card's Sois-Signature — a detached compact JWS of
// typ TypeCard over the exact body bytes of GET
// /.well-known/agent-card.json — against keys. It requires an iat no further
// than Skew in the future and, when maxAge > 0, no older than maxAge (a node
// signs its card on every request, so a fetcher may insist on a fresh one).
// Webhook signatures are refused here, and card signatures by Detached:
// the typ keeps one from standing in for the other.
func Card(ctx context.Context, keys Source, sig string, body []byte, maxAge time.Duration, now time.Time) (*Verified, error) {
	v, err := detached(ctx, keys, sig, body)
	if err != nil {
		return nil, err
	}
	if v.Type != TypeCard {
		return nil, fmt.Errorf("%w: typ %q, want %q", ErrType, v.Type, TypeCard)
	}
	if err := checkTime(v.IssuedAt, maxAge, now); err != nil {
		return nil, err
	}
	return v, nil
}
