// Package verify checks soisnode signatures without a database: compact JWS
// (signed replies, federation envelopes), detached JWS over webhook bodies
// and agent cards (the Sois-Signature header, RFC 7515 appendix F) and Standard Webhooks
// "v1a" Ed25519 signatures. Webhook receivers written in Go import only this
// package; the signing side lives in the parent package signing.
package verify

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Wire constants shared by the signer and every verifier.
const (
	// Algorithm is the only JWS algorithm soisnode signs with or accepts.
	Algorithm = "EdDSA"
	// TypeWebhook is the "typ" of a webhook signature (Sois-Signature).
	TypeWebhook = "sois-webhook+jws"
	// TypeReply is the "typ" of a conversation's signed_reply.
	TypeReply = "sois-reply+jws"
	// TypeCard is the "typ" of an agent card's signature (Sois-Signature on
	// GET /.well-known/agent-card.json).
	TypeCard = "sois-card+jws"
	// ParamDeliveryID is the protected header parameter carrying the delivery id.
	ParamDeliveryID = "delivery_id"
	// ParamIssuedAt is the protected header parameter carrying the signing time
	// (unix seconds).
	ParamIssuedAt = "iat"

	// MaxAge is how old a webhook signature may be (DESIGN §5).
	MaxAge = 5 * time.Minute
	// Skew is how far in the future a signature's iat may be, for clock drift.
	Skew = time.Minute
)

// HTTP headers on every webhook delivery.
const (
	HeaderSignature        = "Sois-Signature"    // detached compact JWS over the body
	HeaderDeliveryID       = "Sois-Delivery-Id"  // the delivery id (same on every retry)
	HeaderEvent            = "Sois-Event"        // e.g. conversation.completed
	HeaderWebhookID        = "webhook-id"        // Standard Webhooks: the delivery id
	HeaderWebhookTimestamp = "webhook-timestamp" // Standard Webhooks: unix seconds of this attempt
	HeaderWebhookSignature = "webhook-signature" // Standard Webhooks: "v1a,<base64>" entries
)

// Errors callers branch on. Every verification failure wraps one of them.
var (
	ErrMalformed   = errors.New("verify: malformed signature")
	ErrAlgorithm   = errors.New("verify: algorithm not allowed")
	ErrUnknownKey  = errors.New("verify: unknown key id")
	ErrSignature   = errors.New("verify: signature does not match")
	ErrExpired     = errors.New("verify: signature too old")
	ErrFuture      = errors.New("verify: signature issued in the future")
	ErrType        = errors.New("verify: wrong signature type")
	ErrNoSignature = errors.New("verify: request carries no signature")
	ErrReplayed    = errors.New("verify: signature already used")
	ErrTooLarge    = errors.New("verify: body too large")
	ErrRetired     = errors.New("verify: signed after its key was retired")
	ErrRevoked     = errors.New("verify: key revoked as compromised")
)

// Verified is what a successful verification establishes.
type Verified struct {
	Payload    []byte         // the signed bytes: the JWS payload, or the webhook body
	KeyID      string         // kid of the key that verified
	IssuedAt   time.Time      // iat of the signature
	Type       string         // typ of the protected header ("" for Standard Webhooks)
	DeliveryID string         // delivery id, for webhook signatures
	Header     map[string]any // all protected header parameters (nil for Standard Webhooks)
}

var allowed = []jose.SignatureAlgorithm{jose.EdDSA}

// Compact verifies a compact JWS (for example a signed_reply) against keys and
// returns its payload. It requires an EdDSA signature by a known kid and an
// iat not in the future; it sets no maximum age, because signed replies are
// durable records. Callers check Verified.Type (TypeReply for replies).
func Compact(ctx context.Context, keys Source, token string, now time.Time) (*Verified, error) {
	obj, err := jose.ParseSignedCompact(token, allowed)
	if err != nil {
		return nil, parseError(err)
	}
	v, pub, err := inspect(ctx, keys, obj)
	if err != nil {
		return nil, err
	}
	payload, err := obj.Verify(pub)
	if err != nil {
		return nil, fmt.Errorf("%w (kid %s)", ErrSignature, v.KeyID)
	}
	if err := checkTime(v.IssuedAt, 0, now); err != nil {
		return nil, err
	}
	v.Payload = payload
	return v, nil
}

// Detached verifies a webhook's Sois-Signature — a compact JWS with detached
// payload, "<protected>..<signature>" — over the exact body bytes. It
// requires typ TypeWebhook, a delivery id, and an iat no older than maxAge
// (MaxAge when zero) and no further than Skew in the future.
func Detached(ctx context.Context, keys Source, sig string, body []byte, maxAge time.Duration, now time.Time) (*Verified, error) {
	v, err := detached(ctx, keys, sig, body)
	if err != nil {
		return nil, err
	}
	if v.Type != TypeWebhook {
		return nil, fmt.Errorf("%w: typ %q, want %q", ErrType, v.Type, TypeWebhook)
	}
	if v.DeliveryID == "" {
		return nil, fmt.Errorf("%w: no %s in the protected header", ErrMalformed, ParamDeliveryID)
	}
	if maxAge <= 0 {
		maxAge = MaxAge
	}
	if err := checkTime(v.IssuedAt, maxAge, now); err != nil {
		return nil, err
	}
	return v, nil
}

// detached checks a detached compact JWS over body: one EdDSA signature by
// a known kid, with an iat, that verifies. Callers check typ and age.
func detached(ctx context.Context, keys Source, sig string, body []byte) (*Verified, error) {
	if body == nil {
		body = []byte{}
	}
	obj, err := jose.ParseDetached(sig, body, allowed)
	if err != nil {
		return nil, parseError(err)
	}
	v, pub, err := inspect(ctx, keys, obj)
	if err != nil {
		return nil, err
	}
	if err := obj.DetachedVerify(body, pub); err != nil {
		return nil, fmt.Errorf("%w (kid %s)", ErrSignature, v.KeyID)
	}
	v.Payload = body
	return v, nil
}

// inspect checks the single signature's protected header and finds its key.
func inspect(ctx context.Context, keys Source, obj *jose.JSONWebSignature) (*Verified, ed25519.PublicKey, error) {
	if len(obj.Signatures) != 1 {
		return nil, nil, fmt.Errorf("%w: want exactly one signature", ErrMalformed)
	}
	h := obj.Signatures[0].Protected
	if h.Algorithm != Algorithm {
		return nil, nil, fmt.Errorf("%w: %q", ErrAlgorithm, h.Algorithm)
	}
	if h.KeyID == "" {
		return nil, nil, fmt.Errorf("%w: no kid", ErrUnknownKey)
	}
	v := &Verified{KeyID: h.KeyID, Header: map[string]any{"alg": h.Algorithm, "kid": h.KeyID}}
	for k, val := range h.ExtraHeaders {
		v.Header[string(k)] = val
	}
	v.Type, _ = v.Header["typ"].(string)
	v.DeliveryID, _ = v.Header[ParamDeliveryID].(string)
	iat, ok := v.Header[ParamIssuedAt].(float64)
	if !ok || iat != math.Trunc(iat) || iat <= 0 || iat > 1<<40 {
		return nil, nil, fmt.Errorf("%w: missing or invalid iat", ErrMalformed)
	}
	v.IssuedAt = time.Unix(int64(iat), 0)
	k, err := resolve(ctx, keys, h.KeyID)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case k.Revoked:
		return nil, nil, fmt.Errorf("%w (kid %s)", ErrRevoked, k.ID)
	case !k.RetiredAt.IsZero() && v.IssuedAt.After(k.RetiredAt.Add(Skew)):
		return nil, nil, fmt.Errorf("%w: kid %s retired at %s, iat %d", ErrRetired, k.ID, k.RetiredAt.UTC().Format(time.RFC3339), v.IssuedAt.Unix())
	}
	return v, k.Public, nil
}

// checkTime rejects an iat older than maxAge (when maxAge > 0) or more than
// Skew in the future.
func checkTime(iat time.Time, maxAge time.Duration, now time.Time) error {
	age := now.Sub(iat)
	if age < -Skew {
		return fmt.Errorf("%w: iat %d is %s ahead", ErrFuture, iat.Unix(), (-age).Round(time.Second))
	}
	if maxAge > 0 && age > maxAge {
		return fmt.Errorf("%w: issued %s ago, limit %s", ErrExpired, age.Round(time.Second), maxAge)
	}
	return nil
}

// parseError classifies go-jose's parse errors.
func parseError(err error) error {
	var alg *jose.ErrUnexpectedSignatureAlgorithm
	if errors.As(err, &alg) {
		return fmt.Errorf("%w: %v", ErrAlgorithm, err)
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}
