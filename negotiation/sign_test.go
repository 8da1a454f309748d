package negotiation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/signing/verify"
)

func keyring(t *testing.T) *signing.Keyring {
	t.Helper()
	k := signing.NewMemory(signing.Options{Now: func() time.Time { return t0 }})
	if err := k.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	peer, stranger := keyring(t), keyring(t)
	pinned, err := peer.PublicKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	x := Expect{Self: "node_a", Peer: "node_b", State: StateNew, Now: t0}
	sign := func(s Signer, env Envelope) string {
		t.Helper()
		tok, err := Sign(ctx, s, env)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		return tok
	}
	good := sign(peer, envelope(TypeOpen, 1))

	got, err := Verify(ctx, pinned, good, x)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Nonce != "n-open" || got.Budget.Spent != 250_000 || got.Body.Text != "hello" {
		t.Fatalf("Verify = %+v", got)
	}
	if from, err := Sender(good); err != nil || from != "node_b" {
		t.Fatalf("Sender = %q, %v", from, err)
	}

	asReply, err := peer.SignCompact(ctx, mustJSON(t, envelope(TypeOpen, 1)), map[string]any{"typ": verify.TypeReply})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	other := envelope(TypeOpen, 1)
	other.Body.Text = "changed"
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(mustJSON(t, other)) + "." + parts[2]
	wrongTo := envelope(TypeOpen, 1)
	wrongTo.To = "node_c"

	tests := []struct {
		name  string
		token string
		x     Expect
		want  error
	}{
		{"wrong typ", asReply, x, verify.ErrType},
		{"key not pinned", sign(stranger, envelope(TypeOpen, 1)), x, verify.ErrUnknownKey},
		{"tampered payload", tampered, x, verify.ErrSignature},
		{"HS256", hs256(t), x, verify.ErrAlgorithm},
		{"garbage", "a.b.c", x, verify.ErrMalformed},
		{"from another node", good, Expect{Self: "node_a", Peer: "node_c", Now: t0}, ErrSender},
		{"no pinned peer", good, Expect{Self: "node_a", Now: t0}, ErrSender},
		{"checks run", sign(peer, wrongTo), x, ErrAudience},
		{"state checked", good, Expect{Self: "node_a", Peer: "node_b", State: StateOpen, LastSeq: 0, Now: t0}, ErrState},
		{"expired", good, Expect{Self: "node_a", Peer: "node_b", Now: t0.Add(time.Hour)}, ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Verify(ctx, pinned, tt.token, tt.x); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignRefusesMalformed(t *testing.T) {
	env := envelope(TypeOpen, 1)
	env.V = 2
	if _, err := Sign(context.Background(), keyring(t), env); !errors.Is(err, ErrVersion) {
		t.Fatalf("Sign = %v, want ErrVersion", err)
	}
	env = envelope(TypeOpen, 1)
	env.Budget.Spent = env.Budget.Cap + 1
	if _, err := Sign(context.Background(), keyring(t), env); !errors.Is(err, ErrBudget) {
		t.Fatalf("Sign = %v, want ErrBudget", err)
	}
}

func TestSender(t *testing.T) {
	for _, tok := range []string{"", "a.b", "a.b.c", "x.y.z.w"} {
		if _, err := Sender(tok); !errors.Is(err, ErrMalformed) {
			t.Errorf("Sender(%q) = %v, want ErrMalformed", tok, err)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hs256 returns an envelope signed with HMAC, which no verifier may accept.
func hs256(t *testing.T) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")},
		(&jose.SignerOptions{}).WithType(JWSType).WithHeader("kid", "k").WithHeader("iat", t0.Unix()))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign(mustJSON(t, envelope(TypeOpen, 1)))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
