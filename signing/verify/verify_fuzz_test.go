package verify_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
)

// fuzzKeys is a keyring on a fixed clock with the key set a verifier pins.
func fuzzKeys(f *testing.F) (*signing.Keyring, *verify.KeySet) {
	f.Helper()
	ctx := context.Background()
	k := signing.NewMemory(signing.Options{Now: func() time.Time { return t0 }})
	if err := k.Ensure(ctx); err != nil {
		f.Fatal(err)
	}
	set, err := k.PublicKeys(ctx)
	if err != nil {
		f.Fatal(err)
	}
	return k, set
}

// FuzzCompact: no token panics the verifier, and nothing verifies but what
// the key signed (the fuzzer cannot forge an Ed25519 signature, so a
// mutation that still verifies must carry the signed payload).
func FuzzCompact(f *testing.F) {
	k, set := fuzzKeys(f)
	payload := []byte(`{"from":"node_a","to":"node_b","seq":1}`)
	token, err := k.SignCompact(context.Background(), payload, map[string]any{"typ": "sois-envelope+jws"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.eyJmcm9tIjoieCJ9.")
	f.Add(token + "x")
	f.Add("eyJhbGciOiJIUzI1NiJ9." + token[bytes.IndexByte([]byte(token), '.')+1:])
	f.Fuzz(func(t *testing.T, tok string) {
		v, err := verify.Compact(context.Background(), set, tok, t0)
		if err == nil && !bytes.Equal(v.Payload, payload) {
			t.Fatalf("verified a payload nobody signed: %q", v.Payload)
		}
	})
}

// FuzzDetached: a detached signature (Sois-Signature, and the card's) over
// a body verifies only for the body that was signed.
func FuzzDetached(f *testing.F) {
	k, set := fuzzKeys(f)
	ctx := context.Background()
	body := []byte(`{"event":"conversation.completed","delivery_id":"d1"}`)
	sig, err := k.SignWebhook(ctx, "d1", body)
	if err != nil {
		f.Fatal(err)
	}
	card, err := k.SignCard(ctx, body)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig, body)
	f.Add(card, body)
	f.Add(sig, []byte(`{"event":"conversation.completed","delivery_id":"d2"}`))
	f.Add("..", []byte{})
	f.Add("e30..", []byte("{}"))
	f.Fuzz(func(t *testing.T, s string, b []byte) {
		if _, err := verify.Detached(ctx, set, s, b, time.Hour, t0); err == nil && !bytes.Equal(b, body) {
			t.Fatalf("verified a body nobody signed: %q", b)
		}
		if _, err := verify.Card(ctx, set, s, b, time.Hour, t0); err == nil && !bytes.Equal(b, body) {
			t.Fatalf("verified a card nobody signed: %q", b)
		}
	})
}

// FuzzWebhookHeaders: the signature headers of a delivery (Sois-Signature,
// Sois-Delivery-Id and the Standard Webhooks trio) never panic the
// receiver's check, and verify only with the signed body and id.
func FuzzWebhookHeaders(f *testing.F) {
	k, set := fuzzKeys(f)
	ctx := context.Background()
	body := []byte(`{"event":"conversation.completed","delivery_id":"d1"}`)
	sig, err := k.SignWebhook(ctx, "d1", body)
	if err != nil {
		f.Fatal(err)
	}
	std, err := k.SignStandard(ctx, "d1", t0, body)
	if err != nil {
		f.Fatal(err)
	}
	ts := strconv.FormatInt(t0.Unix(), 10)
	f.Add(sig, "d1", "d1", ts, std, body)
	f.Add("", "d1", "d1", ts, std, body)
	f.Add("", "", "d1", ts, "v1a,AAAA v1,BBBB", body)
	f.Add("", "", "d.1", "-1", "v1a,", body)
	f.Add("", "", "d1", "99999999999999999999", std+" "+std, body)
	f.Fuzz(func(t *testing.T, soisSig, deliveryID, id, timestamp, signature string, b []byte) {
		if _, err := verify.Standard(ctx, set, id, timestamp, signature, b, 0, t0); err == nil && (!bytes.Equal(b, body) || id != "d1") {
			t.Fatalf("standard signature verified id %q body %q", id, b)
		}
		r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(b))
		for name, v := range map[string]string{
			verify.HeaderSignature: soisSig, verify.HeaderDeliveryID: deliveryID, verify.HeaderWebhookID: id,
			verify.HeaderWebhookTimestamp: timestamp, verify.HeaderWebhookSignature: signature,
		} {
			if validHeader(v) {
				r.Header.Set(name, v)
			}
		}
		got, gotID, err := verify.Request(r, set, verify.RequestOptions{Now: func() time.Time { return t0 }})
		if err == nil && (!bytes.Equal(got, body) || gotID != "d1") {
			t.Fatalf("request verified id %q body %q", gotID, got)
		}
	})
}

// validHeader reports whether v could arrive as a header value (net/http
// refuses the rest before a handler sees it).
func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\r' || c == '\n' || c == 0 {
			return false
		}
	}
	return v != ""
}

// FuzzParseJWKS: a key set document never panics the parser, and every key
// it returns is an Ed25519 public key of the right size with an id.
func FuzzParseJWKS(f *testing.F) {
	k, _ := fuzzKeys(f)
	doc, err := k.JWKS(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := verify.ParseJWKS(data)
		if err != nil {
			return
		}
		for _, key := range set.Keys() {
			if key.ID == "" || len(key.Public) != 32 {
				t.Fatalf("parsed a bad key: id %q, %d bytes", key.ID, len(key.Public))
			}
		}
	})
}
