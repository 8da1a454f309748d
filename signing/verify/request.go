package verify

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// RequestOptions configures Request. Zero values take the documented defaults.
type RequestOptions struct {
	MaxAge  time.Duration    // oldest signature accepted; default MaxAge (5 min)
	MaxBody int64            // largest body read; default 1 MiB
	Now     func() time.Time // clock; default time.Now
	// JWSOnly refuses requests that carry only Standard Webhooks headers.
	JWSOnly bool
	// Replay, when set, refuses a second request with the same signature
	// (a captured request replayed within MaxAge). Retries of a delivery
	// carry fresh signatures and pass; de-duplicating the processing of a
	// delivery id that arrives twice is the receiver's job.
	Replay ReplayCache
}

// Request verifies a webhook delivery in one call: it reads the body (at most
// MaxBody; r.Body is replaced so handlers may read it again), checks
// Sois-Signature (or, without it and unless JWSOnly, the Standard Webhooks
// headers) against keys, and returns the body and the delivery id. Use the
// delivery id as an idempotency key: a delivery may arrive more than once.
func Request(r *http.Request, keys Source, opts RequestOptions) (body []byte, deliveryID string, err error) {
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = MaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, opts.MaxBody+1))
	if err != nil {
		return nil, "", fmt.Errorf("verify: read body: %w", err)
	}
	if int64(len(body)) > opts.MaxBody {
		return nil, "", ErrTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	ctx, now := r.Context(), opts.Now()
	var v *Verified
	switch {
	case r.Header.Get(HeaderSignature) != "":
		v, err = Detached(ctx, keys, r.Header.Get(HeaderSignature), body, opts.MaxAge, now)
		if err == nil {
			if h := r.Header.Get(HeaderDeliveryID); h != "" && h != v.DeliveryID {
				err = fmt.Errorf("%w: %s does not match the signed delivery id", ErrMalformed, HeaderDeliveryID)
			}
		}
	case !opts.JWSOnly && r.Header.Get(HeaderWebhookSignature) != "":
		v, err = Standard(ctx, keys, r.Header.Get(HeaderWebhookID), r.Header.Get(HeaderWebhookTimestamp),
			r.Header.Get(HeaderWebhookSignature), body, opts.MaxAge, now)
	default:
		err = ErrNoSignature
	}
	if err != nil {
		return nil, "", err
	}
	if opts.Replay != nil {
		key := v.DeliveryID + "@" + strconv.FormatInt(v.IssuedAt.Unix(), 10)
		fresh, err := opts.Replay.Add(ctx, key, v.IssuedAt.Add(opts.MaxAge+Skew))
		if err != nil {
			return nil, "", fmt.Errorf("verify: replay cache: %w", err)
		}
		if !fresh {
			return nil, "", ErrReplayed
		}
	}
	return body, v.DeliveryID, nil
}
