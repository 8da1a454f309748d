package signing

import (
	"context"
	"fmt"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
)

// SignCompactBy signs like SignCompact but with the published key kid
// (the active key or one still in its grace period), so a node can
// announce its new key in an envelope its peers can verify with the key
// they pinned.
func (k *Keyring) SignCompactBy(ctx context.Context, kid string, payload []byte, headers map[string]any) (string, error) {
	st, err := k.current(ctx)
	if err != nil {
		return "", err
	}
	var e *entry
	for _, c := range append([]*entry{st.active}, st.grace...) {
		if c.kid == kid {
			e = c
		}
	}
	if e == nil {
		return "", fmt.Errorf("signing: no published key %s", kid)
	}
	opts := (&jose.SignerOptions{}).WithHeader(verify.ParamIssuedAt, k.opts.Now().Unix())
	for name, v := range headers {
		if reserved[name] {
			return "", fmt.Errorf("signing: header %q is set by the keyring", name)
		}
		opts.WithHeader(jose.HeaderKey(name), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: e.priv, KeyID: e.kid, Algorithm: verify.Algorithm}}, opts)
	if err != nil {
		return "", fmt.Errorf("signing: signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("signing: sign: %w", err)
	}
	return obj.CompactSerialize()
}
