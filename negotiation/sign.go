package negotiation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/strictjson"
)

// JWSType is the "typ" of a signed envelope. Verify refuses any other typ,
// so a signed reply, webhook or card can never pass for an envelope.
const JWSType = "sois-envelope+jws"

// Signer signs compact JWS with the node's active key; *signing.Keyring
// implements it.
type Signer interface {
	SignCompact(ctx context.Context, payload []byte, extraHeaders map[string]any) (string, error)
}

// Sign checks env's shape and signs it as a compact JWS with typ JWSType.
func Sign(ctx context.Context, s Signer, env Envelope) (string, error) {
	if err := env.validate(); err != nil {
		return "", err
	}
	payload, err := json.Marshal(env)
	if err != nil {
		return "", fmt.Errorf("negotiation: encode envelope: %w", err)
	}
	token, err := s.SignCompact(ctx, payload, map[string]any{"typ": JWSType})
	if err != nil {
		return "", fmt.Errorf("negotiation: sign envelope: %w", err)
	}
	return token, nil
}

// Verify checks a signed envelope from the pinned peer x.Peer: an EdDSA
// signature by one of keys (that peer's pinned keys, never a fresh
// download), typ JWSType, a payload whose "from" is x.Peer, then Check.
// Signature failures wrap verify's sentinels (verify.ErrSignature,
// verify.ErrUnknownKey, verify.ErrType, …), the rest this package's.
// Replay is the caller's next step (Remember).
func Verify(ctx context.Context, keys verify.Source, token string, x Expect) (Envelope, error) {
	v, err := verify.Compact(ctx, keys, token, x.Now)
	if err != nil {
		return Envelope{}, fmt.Errorf("negotiation: %w", err)
	}
	if err := strictHeader(token); err != nil {
		return Envelope{}, err
	}
	if v.Type != JWSType {
		return Envelope{}, fmt.Errorf("negotiation: %w: typ %q, want %q", verify.ErrType, v.Type, JWSType)
	}
	env, err := decode(v.Payload)
	if err != nil {
		return Envelope{}, err
	}
	if x.Peer == "" || env.From != x.Peer {
		return Envelope{}, fmt.Errorf("%w: from %q, keys of %q", ErrSender, env.From, x.Peer)
	}
	if err := Check(env, x); err != nil {
		return Envelope{}, err
	}
	return env, nil
}

// Sender returns the "from" of a signed envelope WITHOUT verifying it, so
// a receiver can look up which pinned keys to pass to Verify. Nothing else
// of an unverified envelope may be trusted.
func Sender(token string) (string, error) {
	if strings.Count(token, ".") != 2 {
		return "", fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var p struct {
		From string `json:"from"`
	}
	if err := json.Unmarshal(obj.UnsafePayloadWithoutVerification(), &p); err != nil || !validID(p.From) {
		return "", fmt.Errorf("%w: no valid from", ErrMalformed)
	}
	return p.From, nil
}

// strictHeader refuses a token whose protected header is not strict JSON
// (strictjson.Check): with two "typ" or "kid" members, the JWS library and
// another verifier could read different values from the signed bytes.
func strictHeader(token string) error {
	head, _, ok := strings.Cut(token, ".")
	if !ok {
		return fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return fmt.Errorf("%w: protected header is not base64url", ErrMalformed)
	}
	if err := strictjson.Check(raw); err != nil {
		return fmt.Errorf("%w: protected header: %v", ErrMalformed, err)
	}
	return nil
}

// VerifySignature checks only who signed an envelope: an EdDSA signature
// by one of keys with typ JWSType and a payload from peer. It does not
// apply Check; the receiver uses it to recognise an envelope it already
// recorded.
func VerifySignature(ctx context.Context, keys verify.Source, token, peer string, now time.Time) (Envelope, error) {
	v, err := verify.Compact(ctx, keys, token, now)
	if err != nil {
		return Envelope{}, fmt.Errorf("negotiation: %w", err)
	}
	if v.Type != JWSType {
		return Envelope{}, fmt.Errorf("negotiation: %w: typ %q, want %q", verify.ErrType, v.Type, JWSType)
	}
	if err := strictHeader(token); err != nil {
		return Envelope{}, err
	}
	env, err := decode(v.Payload)
	if err != nil {
		return Envelope{}, err
	}
	if err := env.validate(); err != nil {
		return Envelope{}, err
	}
	if peer == "" || env.From != peer {
		return Envelope{}, fmt.Errorf("%w: from %q, keys of %q", ErrSender, env.From, peer)
	}
	return env, nil
}

// decodeUnverified reads the payload of an envelope this node signed and
// stored itself.
func decodeUnverified(token string) (Envelope, error) {
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return decode(obj.UnsafePayloadWithoutVerification())
}
