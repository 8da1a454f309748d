package signing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
)

const card = `{"id":"node_1","name":"Acme","base_url":"https://node.example.com"}`

func TestCardRoundTrip(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	sig, err := k.SignCard(ctx, []byte(card))
	if err != nil {
		t.Fatal(err)
	}
	v, err := verify.Card(ctx, jwksOf(t, k), sig, []byte(card), 0, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := k.ActiveKeyID(ctx)
	if v.Type != verify.TypeCard || v.KeyID != kid || string(v.Payload) != card {
		t.Fatalf("verified = %+v", v)
	}

	// The standard library a peer in another language would use: go-jose
	// with the JWKS document as served.
	doc, _ := k.JWKS(ctx)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseDetached(sig, []byte(card), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.DetachedVerify([]byte(card), set); err != nil {
		t.Fatalf("go-jose: %v", err)
	}
	if typ := obj.Signatures[0].Protected.ExtraHeaders["typ"]; typ != verify.TypeCard {
		t.Fatalf("typ = %v", typ)
	}
}

func TestCardRejects(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	other, _ := newTestKeyring(t)
	keys := jwksOf(t, k)
	sig, _ := k.SignCard(ctx, []byte(card))
	otherSig, _ := other.SignCard(ctx, []byte(card))
	webhookSig, _ := k.SignWebhook(ctx, "d1", []byte(card))
	parts := strings.Split(sig, ".")
	flipped := []byte(parts[2])
	if flipped[3] == 'A' { // another base64url character, so the JWS still parses
		flipped[3] = 'B'
	} else {
		flipped[3] = 'A'
	}
	badSig := parts[0] + ".." + string(flipped)

	tests := []struct {
		name   string
		sig    string
		body   string
		maxAge time.Duration
		now    time.Time
		want   error
	}{
		{"one byte changed", sig, strings.Replace(card, "Acme", "Acne", 1), 0, c.Now(), verify.ErrSignature},
		{"signature changed", badSig, card, 0, c.Now(), verify.ErrSignature},
		{"other node's key", otherSig, card, 0, c.Now(), verify.ErrUnknownKey},
		{"webhook signature", webhookSig, card, 0, c.Now(), verify.ErrType},
		{"no age limit", sig, card, 0, c.Now().Add(24 * time.Hour), nil},
		{"too old", sig, card, 5 * time.Minute, c.Now().Add(5*time.Minute + time.Second), verify.ErrExpired},
		{"future", sig, card, 0, c.Now().Add(-2 * time.Minute), verify.ErrFuture},
		{"attached payload", strings.Replace(sig, "..", "."+base64.RawURLEncoding.EncodeToString([]byte(card))+".", 1), card, 0, c.Now(), verify.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify.Card(ctx, keys, tt.sig, []byte(tt.body), tt.maxAge, tt.now)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}

	// And the other way: a card signature is no webhook signature.
	cardWithID, _ := k.SignDetached(ctx, []byte(card), map[string]any{"typ": verify.TypeCard, "delivery_id": "d1"})
	if _, err := verify.Detached(ctx, keys, cardWithID, []byte(card), 0, c.Now()); !errors.Is(err, verify.ErrType) {
		t.Fatalf("Detached accepted a card signature: %v", err)
	}
}
