package negotiation

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Unix(1_800_000_000, 0)

// envelope returns a valid envelope from node_b to node_a at t0.
func envelope(typ Type, seq int64) Envelope {
	return Envelope{
		V: 1, NegotiationID: "neg_1", Seq: seq, From: "node_b", To: "node_a",
		IssuedAt: t0.Unix(), ExpiresAt: t0.Add(5 * time.Minute).Unix(), Nonce: "n-" + string(typ),
		Type: typ, Body: Body{Text: "hello", Data: json.RawMessage(`{"price":"12.50"}`)},
		Budget: Budget{Cap: 1_000_000, Spent: 250_000},
	}
}

func TestCheck(t *testing.T) {
	open := Expect{Self: "node_a", State: StateNew, LastSeq: 0, Now: t0}
	talking := Expect{Self: "node_a", State: StateOpen, LastSeq: 3, Now: t0}
	tests := []struct {
		name string
		env  func() Envelope
		x    Expect
		want error
	}{
		{"open", func() Envelope { return envelope(TypeOpen, 1) }, open, nil},
		{"message", func() Envelope { return envelope(TypeMessage, 4) }, talking, nil},
		{"no data", func() Envelope { e := envelope(TypeMessage, 4); e.Body = Body{}; return e }, talking, nil},
		{"iat within skew", func() Envelope { e := envelope(TypeMessage, 4); e.IssuedAt = t0.Unix() + 60; return e }, talking, nil},
		{"zero budget", func() Envelope { e := envelope(TypeMessage, 4); e.Budget = Budget{}; return e }, talking, nil},

		{"version 2", func() Envelope { e := envelope(TypeOpen, 1); e.V = 2; return e }, open, ErrVersion},
		{"version 0", func() Envelope { e := envelope(TypeOpen, 1); e.V = 0; return e }, open, ErrVersion},
		{"to another node", func() Envelope { e := envelope(TypeOpen, 1); e.To = "node_c"; return e }, open, ErrAudience},
		{"expired", func() Envelope { e := envelope(TypeOpen, 1); e.IssuedAt -= 600; e.ExpiresAt = t0.Unix(); return e }, open, ErrExpired},
		{"iat in the future", func() Envelope { e := envelope(TypeOpen, 1); e.IssuedAt = t0.Unix() + 61; return e }, open, ErrFuture},
		{"iat past custom skew", func() Envelope { e := envelope(TypeOpen, 1); e.IssuedAt = t0.Unix() + 6; return e },
			Expect{Self: "node_a", Now: t0, MaxSkew: 5 * time.Second}, ErrFuture},
		{"lifetime too long", func() Envelope { e := envelope(TypeOpen, 1); e.ExpiresAt = t0.Add(11 * time.Minute).Unix(); return e }, open, ErrLifetime},
		{"seq repeated", func() Envelope { return envelope(TypeMessage, 3) }, talking, ErrSequence},
		{"seq skipped", func() Envelope { return envelope(TypeMessage, 5) }, talking, ErrSequence},
		{"first seq not 1", func() Envelope { return envelope(TypeOpen, 2) }, open, ErrSequence},
		{"unknown type", func() Envelope { return envelope("counter", 4) }, talking, ErrType},
		{"local event on the wire", func() Envelope { return envelope(LocalExpire, 4) }, talking, ErrType},
		{"first not open", func() Envelope { return envelope(TypeMessage, 1) }, open, ErrState},
		{"open twice", func() Envelope { return envelope(TypeOpen, 4) }, talking, ErrState},
		{"accept without proposal", func() Envelope { return envelope(TypeAccept, 4) }, talking, ErrState},
		{"after the end", func() Envelope { return envelope(TypeMessage, 4) },
			Expect{Self: "node_a", State: StateEnded, LastSeq: 3, Now: t0}, ErrState},
		{"spent over cap", func() Envelope { e := envelope(TypeMessage, 4); e.Budget.Spent = 1_000_001; return e }, talking, ErrBudget},
		{"negative cap", func() Envelope { e := envelope(TypeMessage, 4); e.Budget = Budget{Cap: -1}; return e }, talking, ErrBudget},
		{"no negotiation id", func() Envelope { e := envelope(TypeMessage, 4); e.NegotiationID = ""; return e }, talking, ErrMalformed},
		{"no from", func() Envelope { e := envelope(TypeMessage, 4); e.From = ""; return e }, talking, ErrMalformed},
		{"id with space", func() Envelope { e := envelope(TypeMessage, 4); e.From = "node b"; return e }, talking, ErrMalformed},
		{"no nonce", func() Envelope { e := envelope(TypeMessage, 4); e.Nonce = ""; return e }, talking, ErrMalformed},
		{"long nonce", func() Envelope { e := envelope(TypeMessage, 4); e.Nonce = strings.Repeat("n", 129); return e }, talking, ErrMalformed},
		{"exp before iat", func() Envelope { e := envelope(TypeMessage, 4); e.ExpiresAt = e.IssuedAt; return e }, talking, ErrMalformed},
		{"huge exp", func() Envelope { e := envelope(TypeMessage, 4); e.ExpiresAt = 1 << 62; return e }, talking, ErrMalformed},
		{"huge iat", func() Envelope {
			e := envelope(TypeMessage, 4)
			e.IssuedAt = 1<<40 - 1
			e.ExpiresAt = 1 << 40
			return e
		}, talking, ErrFuture},
		{"data not JSON", func() Envelope { e := envelope(TypeMessage, 4); e.Body.Data = json.RawMessage(`{`); return e }, talking, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.env(), tt.x)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			for _, other := range allErrors {
				if other != tt.want && errors.Is(err, other) {
					t.Fatalf("Check = %v: also matches %v", err, other)
				}
			}
		})
	}
}

var allErrors = []error{ErrMalformed, ErrVersion, ErrAudience, ErrSender, ErrExpired, ErrFuture,
	ErrLifetime, ErrSequence, ErrType, ErrState, ErrBudget, ErrReplayed}

func TestEnvelopeJSON(t *testing.T) {
	env := envelope(TypePropose, 2)
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"negotiation_id":"neg_1","seq":2,"from":"node_b","to":"node_a","iat":1800000000,"exp":1800000300,` +
		`"nonce":"n-propose","type":"propose","body":{"text":"hello","data":{"price":"12.50"}},"budget":{"cap_usd":"1.00","spent_usd":"0.25"}}`
	if string(b) != want {
		t.Fatalf("JSON\n got %s\nwant %s", b, want)
	}
	got, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Budget != env.Budget || got.Nonce != env.Nonce || string(got.Body.Data) != string(env.Body.Data) {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestDecode(t *testing.T) {
	good := `{"v":1,"negotiation_id":"n","seq":1,"from":"b","to":"a","iat":1,"exp":2,"nonce":"x","type":"open","body":{"text":""},"budget":{"cap_usd":"1","spent_usd":"0.000001"}}`
	if _, err := decode([]byte(good)); err != nil {
		t.Fatalf("decode good: %v", err)
	}
	tests := []struct {
		name, payload string
		want          error
	}{
		{"not JSON", `{`, ErrMalformed},
		{"unknown field", strings.Replace(good, `"v":1`, `"v":1,"extra":true`, 1), ErrMalformed},
		{"trailing data", good + `{}`, ErrMalformed},
		{"trailing brace", good + `}`, ErrMalformed},
		{"money as number", strings.Replace(good, `"cap_usd":"1"`, `"cap_usd":1`, 1), ErrBudget},
		{"negative money", strings.Replace(good, `"cap_usd":"1"`, `"cap_usd":"-1"`, 1), ErrBudget},
		{"seven decimals", strings.Replace(good, `"0.000001"`, `"0.0000001"`, 1), ErrBudget},
		{"missing spent", strings.Replace(good, `,"spent_usd":"0.000001"`, ``, 1), ErrBudget},
		{"budget extra field", strings.Replace(good, `"cap_usd":"1"`, `"cap_usd":"1","x":"1"`, 1), ErrBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decode([]byte(tt.payload)); !errors.Is(err, tt.want) {
				t.Fatalf("decode = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewNonce(t *testing.T) {
	a, b := NewNonce(), NewNonce()
	if a == b || len(a) != 22 {
		t.Fatalf("nonces %q %q", a, b)
	}
}
