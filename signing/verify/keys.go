package verify

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Key is one Ed25519 verification key.
type Key struct {
	ID     string // kid
	Public ed25519.PublicKey
	// RetiredAt, when set, is when the key stopped signing: a signature
	// issued after it (beyond Skew) is refused with ErrRetired. Only a set
	// of a node's past keys (signing.Keyring.AuditKeys) sets it; a JWKS
	// never does.
	RetiredAt time.Time
	// Revoked marks a key retired as compromised (rotated with no grace):
	// every signature by it is refused with ErrRevoked, whatever its iat.
	Revoked bool
}

// KeySet is an immutable set of verification keys, usually parsed from a
// JWKS document. It is a Source that never refreshes.
type KeySet struct {
	keys []Key
}

// Source supplies the keys to verify with. *KeySet and *Remote implement it.
type Source interface {
	// KeySet returns the current keys.
	KeySet(ctx context.Context) (*KeySet, error)
}

// Refresher is implemented by sources that can refetch their keys when a
// signature names a kid they do not know (a key rotated in since the last
// fetch). Implementations rate-limit refreshes.
type Refresher interface {
	Refresh(ctx context.Context) (*KeySet, error)
}

// NewKeySet returns a set holding keys.
func NewKeySet(keys ...Key) *KeySet {
	return &KeySet{keys: append([]Key(nil), keys...)}
}

// ParseJWKS reads a JWKS document ({"keys": [...]}) and keeps the keys
// usable for EdDSA verification: OKP/Ed25519 public keys with a kid, whose
// "alg" is EdDSA or absent and whose "use" is "sig" or absent. Other keys are
// skipped, not errors, so a set may also carry keys for other purposes.
func ParseJWKS(data []byte) (*KeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("verify: parse JWKS: %w", err)
	}
	set := &KeySet{}
	for _, r := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(r); err != nil {
			continue // unknown key types are not ours to judge
		}
		pub, ok := k.Key.(ed25519.PublicKey)
		if !ok || k.KeyID == "" || (k.Algorithm != "" && k.Algorithm != Algorithm) || (k.Use != "" && k.Use != "sig") {
			continue
		}
		set.keys = append(set.keys, Key{ID: k.KeyID, Public: pub})
	}
	return set, nil
}

// KeySet implements Source.
func (s *KeySet) KeySet(context.Context) (*KeySet, error) { return s, nil }

// Keys returns the keys in the set.
func (s *KeySet) Keys() []Key {
	if s == nil {
		return nil
	}
	return append([]Key(nil), s.keys...)
}

// Lookup returns the key with kid.
func (s *KeySet) Lookup(kid string) (ed25519.PublicKey, bool) {
	k, ok := s.key(kid)
	return k.Public, ok
}

// key returns the whole Key with kid.
func (s *KeySet) key(kid string) (Key, bool) {
	if s == nil {
		return Key{}, false
	}
	for _, k := range s.keys {
		if k.ID == kid {
			return k, true
		}
	}
	return Key{}, false
}

// resolve finds kid in src, refreshing src once if it can.
func resolve(ctx context.Context, src Source, kid string) (Key, error) {
	if src == nil {
		return Key{}, fmt.Errorf("%w %q: no key source", ErrUnknownKey, kid)
	}
	set, err := src.KeySet(ctx)
	if err != nil {
		return Key{}, fmt.Errorf("verify: load keys: %w", err)
	}
	if k, ok := set.key(kid); ok {
		return k, nil
	}
	if r, ok := src.(Refresher); ok {
		if set, err = r.Refresh(ctx); err == nil {
			if k, ok := set.key(kid); ok {
				return k, nil
			}
		}
	}
	return Key{}, fmt.Errorf("%w %q", ErrUnknownKey, kid)
}
