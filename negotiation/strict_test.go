package negotiation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/strictjson"
)

// TestVerifyStrictJSON: a correctly signed envelope whose payload or
// protected header is not strict JSON is refused, with the reason.
func TestVerifyStrictJSON(t *testing.T) {
	ctx := context.Background()
	peer := keyring(t)
	pinned, err := peer.PublicKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	x := Expect{Self: "node_a", Peer: "node_b", State: StateNew, Now: t0}
	payload := string(mustJSON(t, envelope(TypeOpen, 1)))
	signRaw := func(p string) string {
		t.Helper()
		tok, err := peer.SignCompact(ctx, []byte(p), map[string]any{"typ": JWSType})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// The unchanged payload passes: the failures below are the edits.
	if _, err := Verify(ctx, pinned, signRaw(payload), x); err != nil {
		t.Fatalf("untouched payload: %v", err)
	}
	edit := func(old, new string) string {
		t.Helper()
		if !strings.Contains(payload, old) {
			t.Fatalf("payload %s has no %s", payload, old)
		}
		return strings.Replace(payload, old, new, 1)
	}
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"duplicate to", edit(`"to":"node_a"`, `"to":"node_c","to":"node_a"`), strictjson.ErrDuplicateKey},
		{"escaped duplicate", edit(`"to":"node_a"`, `"to":"node_a","\u0074o":"node_c"`), strictjson.ErrDuplicateKey},
		{"nested duplicate in data", edit(`{"price":"12.50"}`, `{"price":"12.50","price":"0.01"}`), strictjson.ErrDuplicateKey},
		{"duplicate in budget", edit(`"cap_usd":"1.00"`, `"cap_usd":"1.00","cap_usd":"100.00"`), strictjson.ErrDuplicateKey},
		{"invalid UTF-8 in text", edit(`"text":"hello"`, "\"text\":\"hel\xfflo\""), strictjson.ErrInvalidUTF8},
		{"unpaired surrogate in text", edit(`"text":"hello"`, `"text":"\ud800"`), strictjson.ErrInvalidUTF8},
		{"trailing data", payload + `{"to":"node_c"}`, strictjson.ErrTrailingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(ctx, pinned, signRaw(tt.payload), x)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), strings.TrimPrefix(tt.want.Error(), "strictjson: ")) {
				t.Fatalf("Verify = %v, want malformed: %v", err, tt.want)
			}
		})
	}
}

// TestVerifyStrictHeader: two "typ" members in the signed protected header
// are refused even though the signature is good.
func TestVerifyStrictHeader(t *testing.T) {
	ctx := context.Background()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := verify.NewKeySet(verify.Key{ID: "k1", Public: pub})
	x := Expect{Self: "node_a", Peer: "node_b", State: StateNew, Now: t0}
	payload := base64.RawURLEncoding.EncodeToString(mustJSON(t, envelope(TypeOpen, 1)))
	token := func(header string) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(header))
		sig := ed25519.Sign(priv, []byte(h+"."+payload))
		return h + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	head := `{"alg":"EdDSA","kid":"k1","iat":%d,"typ":"%s"%s}`
	if _, err := Verify(ctx, keys, token(fmt.Sprintf(head, t0.Unix(), JWSType, "")), x); err != nil {
		t.Fatalf("hand-made token: %v", err)
	}
	for name, header := range map[string]string{
		"duplicate typ":      fmt.Sprintf(head, t0.Unix(), "sois-reply+jws", `,"typ":"`+JWSType+`"`),
		"escaped duplicate":  fmt.Sprintf(head, t0.Unix(), JWSType, `,"\u0074yp":"sois-reply+jws"`),
		"invalid UTF-8":      fmt.Sprintf(head, t0.Unix(), JWSType, ",\"x\":\"\xff\""),
		"unpaired surrogate": fmt.Sprintf(head, t0.Unix(), JWSType, `,"x":"\ud800"`),
		"trailing data":      fmt.Sprintf(head, t0.Unix(), JWSType, "") + `{}`,
	} {
		// go-jose refuses some of these itself (verify.ErrMalformed); the
		// rest are this package's.
		if _, err := Verify(ctx, keys, token(header), x); !errors.Is(err, ErrMalformed) && !errors.Is(err, verify.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
