package negotiation

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/store"
)

// Nonces remembers the envelopes a node accepted until they expire.
type Nonces interface {
	// Add records sender's nonce until expires and reports whether it was
	// new (false: a live envelope with that nonce was already accepted).
	Add(ctx context.Context, sender, nonce string, expires time.Time) (bool, error)
}

// Remember records env's nonce in n until env expires; a nonce seen before
// is ErrReplayed. Call it after Verify, before acting on the envelope.
func Remember(ctx context.Context, n Nonces, env Envelope) error {
	fresh, err := n.Add(ctx, env.From, env.Nonce, time.Unix(env.ExpiresAt, 0))
	if err != nil {
		return fmt.Errorf("negotiation: remember nonce: %w", err)
	}
	if !fresh {
		return fmt.Errorf("%w: nonce %q from %s", ErrReplayed, env.Nonce, env.From)
	}
	return nil
}

// SQLNonces is Nonces on table negotiation_nonces, shared by every process
// of a node.
type SQLNonces struct {
	DB  store.Querier
	Now func() time.Time // clock; time.Now when nil
}

var _ Nonces = (*SQLNonces)(nil)

func (s *SQLNonces) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Add implements Nonces in one statement: a new nonce is inserted, an
// expired row with the same key is replaced, a live one is left alone
// (no row changed). Of two concurrent Adds of one nonce, the primary key
// lets exactly one win.
func (s *SQLNonces) Add(ctx context.Context, sender, nonce string, expires time.Time) (bool, error) {
	n, err := s.DB.Exec(ctx, `INSERT INTO negotiation_nonces (sender, nonce, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (sender, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE negotiation_nonces.expires_at <= ?`,
		sender, nonce, store.Micros(expires), store.Micros(s.now()))
	if err != nil {
		return false, fmt.Errorf("negotiation: nonce: %w", err)
	}
	return n == 1, nil
}

// Purge deletes the nonces that have expired and returns how many.
func (s *SQLNonces) Purge(ctx context.Context) (int64, error) {
	n, err := s.DB.Exec(ctx, `DELETE FROM negotiation_nonces WHERE expires_at <= ?`, store.Micros(s.now()))
	if err != nil {
		return 0, fmt.Errorf("negotiation: purge nonces: %w", err)
	}
	return n, nil
}
