package verify

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StandardContent returns the bytes a Standard Webhooks signature covers:
// "<webhook-id>.<webhook-timestamp>.<body>".
func StandardContent(id string, timestamp int64, body []byte) []byte {
	ts := strconv.FormatInt(timestamp, 10)
	out := make([]byte, 0, len(id)+len(ts)+len(body)+2)
	out = append(out, id...)
	out = append(out, '.')
	out = append(out, ts...)
	out = append(out, '.')
	return append(out, body...)
}

// Standard verifies the Standard Webhooks headers of a delivery: signature
// is the webhook-signature value, a space-separated list of "v1a,<base64>"
// entries (other versions, such as HMAC "v1", are ignored). One entry must
// verify with one of keys over StandardContent(id, timestamp, body), and the
// timestamp must lie within maxAge (MaxAge when zero) of now in either
// direction, as the Standard Webhooks specification recommends.
func Standard(ctx context.Context, keys Source, id, timestamp, signature string, body []byte, maxAge time.Duration, now time.Time) (*Verified, error) {
	if id == "" || strings.ContainsAny(id, ". ") {
		return nil, fmt.Errorf("%w: bad webhook-id", ErrMalformed)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts <= 0 {
		return nil, fmt.Errorf("%w: bad webhook-timestamp", ErrMalformed)
	}
	if maxAge <= 0 {
		maxAge = MaxAge
	}
	at := time.Unix(ts, 0)
	if d := now.Sub(at); d > maxAge {
		return nil, fmt.Errorf("%w: webhook-timestamp %s old", ErrExpired, d.Round(time.Second))
	} else if -d > maxAge {
		return nil, fmt.Errorf("%w: webhook-timestamp %s ahead", ErrFuture, (-d).Round(time.Second))
	}
	var sigs [][]byte
	for _, entry := range strings.Fields(signature) {
		version, value, ok := strings.Cut(entry, ",")
		if !ok || version != "v1a" {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(value)
		if err != nil || len(sig) != ed25519.SignatureSize {
			continue
		}
		sigs = append(sigs, sig)
		if len(sigs) > maxStandardSignatures {
			return nil, fmt.Errorf("%w: more than %d v1a entries in webhook-signature", ErrMalformed, maxStandardSignatures)
		}
	}
	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: no v1a entry in webhook-signature", ErrNoSignature)
	}
	set, err := keys.KeySet(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: load keys: %w", err)
	}
	msg := StandardContent(id, ts, body)
	if kid, ok := matchStandard(set, msg, sigs); ok {
		return &Verified{Payload: body, KeyID: kid, IssuedAt: at, DeliveryID: id}, nil
	}
	// v1a names no key: a refresh may bring in a key rotated in since.
	if r, ok := keys.(Refresher); ok {
		if set, err := r.Refresh(ctx); err == nil {
			if kid, ok := matchStandard(set, msg, sigs); ok {
				return &Verified{Payload: body, KeyID: kid, IssuedAt: at, DeliveryID: id}, nil
			}
		}
	}
	return nil, ErrSignature
}

// maxStandardSignatures bounds the v1a entries of one webhook-signature.
// Each costs a verification per key; a sender lists one per signing key it
// uses at once (a rotation overlap), so more is an attempt to burn CPU.
const maxStandardSignatures = 16

func matchStandard(set *KeySet, msg []byte, sigs [][]byte) (string, bool) {
	for _, k := range set.Keys() {
		for _, sig := range sigs {
			if ed25519.Verify(k.Public, msg, sig) {
				return k.ID, true
			}
		}
	}
	return "", false
}
