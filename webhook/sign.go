package webhook

import (
	"context"
	"net/http"
	"strconv"

	"github.com/soisnode/soisnode/signing/verify"
)

// sign builds the signature headers for one attempt: Sois-Signature (a
// detached JWS), and the Standard Webhooks headers whose webhook-signature
// lists "v1,<HMAC>" under each of the key's secrets in force (none for a
// key without a secret) followed by "v1a,<Ed25519>" by the node's keys.
func (d *Dispatcher) sign(ctx context.Context, c claimed) (http.Header, error) {
	sig, err := d.cfg.Signer.SignWebhook(ctx, c.ID, c.Body)
	if err != nil {
		return nil, err
	}
	at := d.cfg.Now()
	std, err := d.cfg.Signer.SignStandard(ctx, c.ID, at, c.Body)
	if err != nil {
		return nil, err
	}
	if d.cfg.Secrets != nil && c.KeyID != "" {
		secrets, err := d.cfg.Secrets.KeySecrets(ctx, c.KeyID)
		if err != nil {
			return nil, err
		}
		if len(secrets) > 0 {
			std = SignV1(secrets, c.ID, at, c.Body) + " " + std
		}
	}
	h := http.Header{}
	if d.cfg.Headers != nil {
		extra, err := d.cfg.Headers(ctx, c.ID, c.Event)
		if err != nil {
			return nil, err
		}
		for k, v := range extra {
			h[http.CanonicalHeaderKey(k)] = v
		}
	}
	h.Set(verify.HeaderSignature, sig)
	h.Set(verify.HeaderDeliveryID, c.ID)
	h.Set(verify.HeaderEvent, c.Event)
	h.Set(verify.HeaderWebhookID, c.ID)
	h.Set(verify.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(verify.HeaderWebhookSignature, std)
	return h, nil
}
