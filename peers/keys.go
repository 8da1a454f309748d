package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
)

// AddKeys pins the keys of doc (a JWKS the peer announced in an envelope
// verified with its pinned keys) next to those already pinned, and
// returns the peer with its new fingerprint and the kids that are new.
// At most maxKeys stay pinned: the announced set wins over older keys.
func AddKeys(ctx context.Context, tx store.Tx, p Peer, doc []byte, now time.Time) (Peer, []string, error) {
	announced, _, err := pinnable(doc)
	if err != nil {
		return Peer{}, nil, err
	}
	old, err := p.KeySet()
	if err != nil {
		return Peer{}, nil, err
	}
	keys := announced.Keys()
	var added []string
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k.ID] = true
		if _, ok := old.Lookup(k.ID); !ok {
			added = append(added, k.ID)
		}
	}
	for _, k := range old.Keys() {
		if !seen[k.ID] && len(keys) < maxKeys {
			keys = append(keys, k)
		}
	}
	set, merged, err := pinnable(jwksOf(keys))
	if err != nil {
		return Peer{}, nil, err
	}
	fp, err := Fingerprint(set)
	if err != nil {
		return Peer{}, nil, err
	}
	p.JWKS, p.Fingerprint, p.UpdatedAt = merged, fp, now.UTC().Truncate(time.Microsecond)
	if _, err := tx.Exec(ctx, `UPDATE peers SET jwks = ?, fingerprint = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		string(p.JWKS), p.Fingerprint, store.Micros(p.UpdatedAt), p.WorkspaceID, p.ID); err != nil {
		return Peer{}, nil, fmt.Errorf("peers: pin announced keys of %s: %w", p.ID, err)
	}
	return p, added, nil
}

func jwksOf(keys []verify.Key) []byte {
	out := jose.JSONWebKeySet{}
	for _, k := range keys {
		out.Keys = append(out.Keys, jose.JSONWebKey{Key: k.Public, KeyID: k.ID, Algorithm: verify.Algorithm, Use: "sig"})
	}
	doc, _ := json.Marshal(out)
	return doc
}
