package signing

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
)

// reserved header parameters are set by the Keyring, never by callers.
var reserved = map[string]bool{"alg": true, "kid": true, "iat": true, "crit": true, "b64": true,
	"jwk": true, "jku": true, "x5c": true, "x5u": true, "x5t": true, "x5t#S256": true}

// SignCompact signs payload as a compact JWS with the active key. The
// protected header carries alg, kid, iat (now, unix seconds) and
// extraHeaders (for example "typ"); extraHeaders may not set the reserved
// parameters alg, kid, iat, crit, b64, jwk, jku or x5*.
func (k *Keyring) SignCompact(ctx context.Context, payload []byte, extraHeaders map[string]any) (string, error) {
	obj, err := k.sign(ctx, payload, extraHeaders)
	if err != nil {
		return "", err
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("signing: serialize: %w", err)
	}
	return out, nil
}

// SignDetached signs body and returns a compact JWS with detached payload,
// "<protected>..<signature>" (RFC 7515 appendix F), with the same header
// rules as SignCompact.
func (k *Keyring) SignDetached(ctx context.Context, body []byte, headers map[string]any) (string, error) {
	obj, err := k.sign(ctx, body, headers)
	if err != nil {
		return "", err
	}
	out, err := obj.DetachedCompactSerialize()
	if err != nil {
		return "", fmt.Errorf("signing: serialize: %w", err)
	}
	return out, nil
}

// SignWebhook returns the Sois-Signature value for a delivery: a detached
// JWS over the exact body bytes whose protected header carries alg, kid,
// typ (verify.TypeWebhook), iat and delivery_id.
func (k *Keyring) SignWebhook(ctx context.Context, deliveryID string, body []byte) (string, error) {
	return k.SignDetached(ctx, body, map[string]any{"typ": verify.TypeWebhook, verify.ParamDeliveryID: deliveryID})
}

// SignCard returns the Sois-Signature value for an agent card: a detached
// JWS of typ verify.TypeCard over the exact body bytes.
func (k *Keyring) SignCard(ctx context.Context, body []byte) (string, error) {
	return k.SignDetached(ctx, body, map[string]any{"typ": verify.TypeCard})
}

// SignStandard returns the Standard Webhooks webhook-signature value for a
// delivery attempt made at `at`: "v1a,<base64 Ed25519 signature over
// id.timestamp.body>" by the active key, followed by one entry per key in
// its grace period so receivers that pinned the previous key keep working
// during a rotation.
func (k *Keyring) SignStandard(ctx context.Context, id string, at time.Time, body []byte) (string, error) {
	if id == "" || strings.ContainsAny(id, ". ") {
		return "", fmt.Errorf("signing: webhook id %q must be non-empty without dots or spaces", id)
	}
	st, err := k.current(ctx)
	if err != nil {
		return "", err
	}
	msg := verify.StandardContent(id, at.Unix(), body)
	var b strings.Builder
	for i, e := range append([]*entry{st.active}, st.grace...) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("v1a,")
		b.WriteString(base64.StdEncoding.EncodeToString(ed25519.Sign(e.priv, msg)))
	}
	return b.String(), nil
}

// SignReply returns a conversation's signed_reply (DESIGN §5): a compact JWS
// of typ verify.TypeReply over r. A zero r.Iat is set to now, and empty
// Actions become [].
func (k *Keyring) SignReply(ctx context.Context, r verify.Reply) (string, error) {
	if r.Iat == 0 {
		r.Iat = k.opts.Now().Unix()
	}
	if len(r.Actions) == 0 {
		r.Actions = json.RawMessage("[]")
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("signing: encode reply: %w", err)
	}
	return k.SignCompact(ctx, payload, map[string]any{"typ": verify.TypeReply})
}

func (k *Keyring) sign(ctx context.Context, payload []byte, headers map[string]any) (*jose.JSONWebSignature, error) {
	st, err := k.current(ctx)
	if err != nil {
		return nil, err
	}
	opts := (&jose.SignerOptions{}).WithHeader(verify.ParamIssuedAt, k.opts.Now().Unix())
	for name, v := range headers {
		if reserved[name] {
			return nil, fmt.Errorf("signing: header %q is set by the keyring", name)
		}
		opts.WithHeader(jose.HeaderKey(name), v)
	}
	key := jose.JSONWebKey{Key: st.active.priv, KeyID: st.active.kid, Algorithm: verify.Algorithm}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("signing: signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("signing: sign: %w", err)
	}
	return obj, nil
}

// SignA2ACard returns one entry of an A2A agent card's signatures[] (A2A
// 1.0 §8.4): the protected header and signature of a JWS with detached
// payload over payload, which must be verify.A2ACardPayload of the card.
// The header carries alg EdDSA, kid (the key's RFC 7638 thumbprint), typ
// verify.TypeA2ACard and iat; no jku, so verifiers use the keys they trust.
func (k *Keyring) SignA2ACard(ctx context.Context, payload []byte) (verify.A2ASignature, error) {
	sig, err := k.SignDetached(ctx, payload, map[string]any{"typ": verify.TypeA2ACard})
	if err != nil {
		return verify.A2ASignature{}, err
	}
	protected, signature, ok := strings.Cut(sig, "..")
	if !ok {
		return verify.A2ASignature{}, fmt.Errorf("signing: unexpected detached JWS %q", sig)
	}
	return verify.A2ASignature{Protected: protected, Signature: signature}, nil
}
