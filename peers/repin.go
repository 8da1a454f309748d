package peers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Repin replaces the keys pinned for the workspace's peer that ref names
// (Resolve) with those of f, a card fetched again from the peer's base URL
// and checked by Fetch, and returns the peer as stored. It is the operator's
// way to accept a new signing key the peer did not announce (DESIGN §7).
//
// shown is the fingerprint of the keys the operator saw pinned when
// agreeing: if another process re-pinned in between, nothing changes and
// the answer is a Conflict, so an operator never confirms one change and
// gets another. A card from another node or base URL is Invalid: that is a
// different peer (remove it and add the new one).
func Repin(ctx context.Context, tx store.Tx, workspaceID, ref string, f *Fetched, shown string, now time.Time) (Peer, error) {
	if f == nil || f.Keys == nil || len(f.JWKS) == 0 {
		return Peer{}, errs.E(errs.Invalid, "no verified agent card to pin")
	}
	p, err := Resolve(ctx, tx, workspaceID, ref)
	if err != nil {
		return Peer{}, err
	}
	if p.Plain() || f.A2AURL != "" {
		return Peer{}, errs.E(errs.Invalid, "peer %s is a plain A2A agent: it has no keys to re-pin", p.Name)
	}
	if f.Card.ID != p.NodeID {
		return Peer{}, errs.E(errs.Invalid, "the card at %s is now node %s, not %s; remove the peer and add the new node instead", p.BaseURL, f.Card.ID, p.NodeID)
	}
	if f.BaseURL != p.BaseURL {
		return Peer{}, errs.E(errs.Invalid, "the card was fetched from %s, but peer %s lives at %s", f.BaseURL, p.Name, p.BaseURL)
	}
	now = now.UTC().Truncate(time.Microsecond)
	n, err := tx.Exec(ctx, `UPDATE peers SET jwks = ?, fingerprint = ?, card_name = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND fingerprint = ?`,
		string(f.JWKS), f.Fingerprint, strings.TrimSpace(f.Card.Name), store.Micros(now), workspaceID, p.ID, shown)
	if err != nil {
		return Peer{}, fmt.Errorf("peers: repin %s: %w", p.ID, err)
	}
	if n == 0 {
		return Peer{}, errs.E(errs.Conflict, "the keys pinned for peer %s changed since they were shown (%s); run repin again", p.Name, shown)
	}
	p.JWKS, p.Fingerprint, p.CardName, p.UpdatedAt = f.JWKS, f.Fingerprint, strings.TrimSpace(f.Card.Name), now
	return p, nil
}
