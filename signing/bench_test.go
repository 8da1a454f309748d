package signing_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/testbed"
)

// benchBody is a webhook body of typical size (a conversation with one
// turn and a signed reply, ~1.3 KB).
var benchBody = []byte(`{"event":"conversation.completed","delivery_id":"01JD7X3K9Q6M2B5V8N4R0T1W2Y","conversation":{"id":"01JD7X3K9Q6M2B5V8N4R0T1W2Z","status":"completed","turns":[{"turn":1,"message":"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com","reply":"Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com).","status":"completed","actions":[{"tool":"contacts_create","ok":true,"ref":"contact/01JD7X3K9Q6M2B5V8N4R0T1W30","summary":"Created contact Jane Doe"}],"cost_usd":"0.000412","started_at":"2030-01-02T03:04:05Z","finished_at":"2030-01-02T03:04:06Z"}],"reply":"Contact created: Jane Doe (CEO, Acme Corp, jane@acme.com).","cost_usd":"0.000412","metadata":{"ticket":7},"created_at":"2030-01-02T03:04:05Z","updated_at":"2030-01-02T03:04:06Z"},"signed_reply":"eyJhbGciOiJFZERTQSIsImlhdCI6MTg5MzU1NTQ0Niwia2lkIjoiazEiLCJ0eXAiOiJzb2lzLXJlcGx5K2p3cyJ9.eyJpc3MiOiJub2RlLTEiLCJjb252ZXJzYXRpb25faWQiOiIwMUpEN1gzSzlRNk0yQjVWOE40UjBUMVcyWiIsInR1cm4iOjF9.c2lnbmF0dXJlLXBsYWNlaG9sZGVyLXNpZ25hdHVyZS1wbGFjZWhvbGRlci1zaWduYXR1cmUtcGxhY2Vob2xkZXI"}`)

// BenchmarkJWS measures the Keyring's signatures and package verify's
// checks next to bare go-jose doing the same in the same run, one
// goroutine each, alternating in blocks of 16 operations (testbed.Race;
// ratio is the median of the blocks' ratios, testbed.Ratio):
//
//   - sign-compact: Keyring.SignCompact (typ sois-reply+jws) vs a go-jose
//     signer built with the same protected header (alg, kid, iat, typ);
//   - sign-detached: Keyring.SignWebhook (typ, delivery_id) vs go-jose's
//     DetachedCompactSerialize with the same header;
//   - verify-compact: verify.Compact (header checks, kid lookup, iat) vs
//     jose.ParseSignedCompact + Verify with the known key;
//   - verify-detached: verify.Detached vs jose.ParseDetached +
//     DetachedVerify.
//
// The bare signers are built per call, as the Keyring's are: the
// protected header carries iat, so a signer cannot outlive the second.
//
// Metrics: node-ops/s (the soisnode side), base-ops/s, ratio,
// peak-RSS-MB (this process).
func BenchmarkJWS(b *testing.B) {
	ctx := context.Background()
	k := signing.NewMemory(signing.Options{})
	if err := k.Ensure(ctx); err != nil {
		b.Fatal(err)
	}
	kid, err := k.ActiveKeyID(ctx)
	if err != nil {
		b.Fatal(err)
	}
	keys, err := k.PublicKeys(ctx)
	if err != nil {
		b.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	barePub := priv.Public().(ed25519.PublicKey)
	bareSign := func(body []byte, headers map[string]any) (*jose.JSONWebSignature, error) {
		opts := (&jose.SignerOptions{}).WithHeader("iat", time.Now().Unix())
		for name, v := range headers {
			opts.WithHeader(jose.HeaderKey(name), v)
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: "EdDSA"}}, opts)
		if err != nil {
			return nil, err
		}
		return signer.Sign(body)
	}
	replyHeader := map[string]any{"typ": verify.TypeReply}
	webhookHeader := map[string]any{"typ": verify.TypeWebhook, verify.ParamDeliveryID: "01JD7X3K9Q6M2B5V8N4R0T1W2Y"}

	compact, err := k.SignCompact(ctx, benchBody, replyHeader)
	if err != nil {
		b.Fatal(err)
	}
	detached, err := k.SignWebhook(ctx, "01JD7X3K9Q6M2B5V8N4R0T1W2Y", benchBody)
	if err != nil {
		b.Fatal(err)
	}
	obj, _ := bareSign(benchBody, replyHeader)
	bareCompact, _ := obj.CompactSerialize()
	obj, _ = bareSign(benchBody, webhookHeader)
	bareDetached, _ := obj.DetachedCompactSerialize()
	allowed := []jose.SignatureAlgorithm{jose.EdDSA}
	errMismatch := errors.New("verification failed")

	cases := []struct {
		name       string
		node, base func(context.Context) error
	}{
		{"sign-compact",
			func(ctx context.Context) error { _, err := k.SignCompact(ctx, benchBody, replyHeader); return err },
			func(context.Context) error {
				obj, err := bareSign(benchBody, replyHeader)
				if err == nil {
					_, err = obj.CompactSerialize()
				}
				return err
			}},
		{"sign-detached",
			func(ctx context.Context) error {
				_, err := k.SignWebhook(ctx, "01JD7X3K9Q6M2B5V8N4R0T1W2Y", benchBody)
				return err
			},
			func(context.Context) error {
				obj, err := bareSign(benchBody, webhookHeader)
				if err == nil {
					_, err = obj.DetachedCompactSerialize()
				}
				return err
			}},
		{"verify-compact",
			func(ctx context.Context) error { _, err := verify.Compact(ctx, keys, compact, time.Now()); return err },
			func(context.Context) error {
				obj, err := jose.ParseSignedCompact(bareCompact, allowed)
				if err != nil {
					return err
				}
				_, err = obj.Verify(barePub)
				return err
			}},
		{"verify-detached",
			func(ctx context.Context) error {
				_, err := verify.Detached(ctx, keys, detached, benchBody, 0, time.Now())
				return err
			},
			func(context.Context) error {
				obj, err := jose.ParseDetached(bareDetached, benchBody, allowed)
				if err != nil {
					return err
				}
				if obj.DetachedVerify(benchBody, barePub) != nil {
					return errMismatch
				}
				return nil
			}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			_ = testbed.ResetPeak(0)
			// Blocks of 16 operations (~1–2 ms) alternate, so noise from
			// other processes hits both sides alike; see testbed.Ratio.
			res, err := testbed.Race(ctx, b.N, 1, b.N/16,
				testbed.Contender{Name: "node", Op: c.node}, testbed.Contender{Name: "base", Op: c.base})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res[0].NsPerOp(), "ns/op")
			b.ReportMetric(res[0].OpsPerSec(), "node-ops/s")
			b.ReportMetric(res[1].OpsPerSec(), "base-ops/s")
			b.ReportMetric(testbed.Ratio(res[0], res[1]), "ratio")
			testbed.ReportPeak(b)
		})
	}
}
