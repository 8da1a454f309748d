package negotiation

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/soisnode/soisnode/signing"
)

// FuzzDecode: no envelope payload panics the strict decoder or the
// receiver's checks, and an envelope it accepts encodes and decodes back to
// itself (the signer and the receiver read the same values).
func FuzzDecode(f *testing.F) {
	for _, typ := range []Type{TypeOpen, TypeMessage, TypeClose} {
		b, err := json.Marshal(envelope(typ, 2))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{}`, `{"v":1}{}`, `{"budget":{"cap_usd":"-1","spent_usd":"0"}}`, `{"budget":{"cap_usd":"1"}}`,
		`{"v":1,"x":1}`, `{"body":{"text":"a","data":[1,{"b":null}]}}`, `{"seq":1e3}`, "{\"nonce\":\"\xff\"}", `null`} {
		f.Add([]byte(s))
	}
	x := Expect{Self: "node_a", Peer: "node_b", State: StateOpen, LastSeq: 1, Now: t0}
	f.Fuzz(func(t *testing.T, payload []byte) {
		env, err := decode(payload)
		if err != nil {
			return
		}
		_ = Check(env, x)
		b, err := json.Marshal(env)
		if err != nil {
			return // a negative budget, refused by Check too
		}
		again, err := decode(b)
		if err != nil {
			t.Fatalf("an accepted envelope does not decode after encoding: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(normal(again), normal(env)) {
			t.Fatalf("envelope changed on a round trip:\n%+v\n%+v", env, again)
		}
	})
}

// normal compacts an envelope's free-form data so that equal JSON compares
// equal.
func normal(e Envelope) Envelope {
	if len(e.Body.Data) > 0 {
		var v any
		if json.Unmarshal(e.Body.Data, &v) == nil {
			e.Body.Data, _ = json.Marshal(v)
		}
	}
	return e
}

// FuzzVerify: no token panics Verify or Sender, and nothing verifies but
// an envelope the pinned peer signed.
func FuzzVerify(f *testing.F) {
	ctx := context.Background()
	peer := signing.NewMemory(signing.Options{Now: func() time.Time { return t0 }})
	if err := peer.Ensure(ctx); err != nil {
		f.Fatal(err)
	}
	pinned, err := peer.PublicKeys(ctx)
	if err != nil {
		f.Fatal(err)
	}
	signed := envelope(TypeOpen, 1)
	good, err := Sign(ctx, peer, signed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoic29pcy1lbnZlbG9wZStqd3MifQ.e30.")
	f.Add(good[:len(good)-2])
	x := Expect{Self: "node_a", Peer: "node_b", State: StateNew, Now: t0}
	f.Fuzz(func(t *testing.T, token string) {
		_, _ = Sender(token)
		env, err := Verify(ctx, pinned, token, x)
		if err == nil && !reflect.DeepEqual(normal(env), normal(signed)) {
			t.Fatalf("verified an envelope nobody signed: %+v", env)
		}
	})
}
