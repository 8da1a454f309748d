package peers

import (
	"encoding/json"
	"testing"
)

// FuzzAgentCard: an agent card body as a peer serves it never panics the
// checks Fetch applies, and a base URL that normalizes is stable under a
// second normalization (else a card could never match its own base_url).
func FuzzAgentCard(f *testing.F) {
	f.Add([]byte(`{"id":"node_a","name":"Acme","base_url":"https://a.example","jwks_url":"https://a.example/.well-known/jwks.json","version":"1","capabilities":{"agent":"https://a.example/api/agent","mcp":"https://a.example/mcp","signed_replies":true,"webhooks":true,"negotiations":true},"skills":[{"id":"s","name":"S","description":"d","tags":["x"]}],"federation":{"endpoint":"https://a.example/federation/v1"}}`),
		"https://A.example/")
	f.Add([]byte(`{"id":"","name":"\u0000"}`), "https://a.example")
	f.Add([]byte(`{"id":"a b","name":"  ","base_url":"HTTPS://X.EXAMPLE:8443/p/?q#f"}`), "https://x.example:8443/p")
	f.Add([]byte(`{"base_url":"https://a.example/%2F/","jwks_url":"//a.example/x"}`), "https://a.example/%2f")
	f.Add([]byte(`[1,2]`), "")
	f.Fuzz(func(t *testing.T, raw []byte, base string) {
		if b, err := normalizeBase(base); err == nil {
			if again, err := normalizeBase(b); err != nil || again != b {
				t.Fatalf("normalizeBase(%q) = %q, but normalizeBase(%q) = %q, %v", base, b, b, again, err)
			}
		}
		var c Card
		if json.Unmarshal(raw, &c) != nil {
			return
		}
		_ = checkCard(c)
		_ = sameOrigin(c.JWKSURL, base)
		if cb, err := normalizeBase(c.BaseURL); err == nil {
			if again, err := normalizeBase(cb); err != nil || again != cb {
				t.Fatalf("card base_url %q normalizes to %q, then to %q, %v", c.BaseURL, cb, again, err)
			}
		}
	})
}

// FuzzPinnable: a peer's JWKS document never panics pinning; what is
// pinned holds at most maxKeys keys, has a fingerprint, and pins again to
// the same document (the stored copy is canonical).
func FuzzPinnable(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":"EdDSA","use":"sig"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k2","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","use":"enc"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"e","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		keys, pinned, err := pinnable(doc)
		if err != nil {
			return
		}
		if n := len(keys.Keys()); n == 0 || n > maxKeys {
			t.Fatalf("pinned %d keys", n)
		}
		fp, err := Fingerprint(keys)
		if err != nil || fp == "" {
			t.Fatalf("no fingerprint: %v", err)
		}
		again, repinned, err := pinnable(pinned)
		if err != nil || string(repinned) != string(pinned) {
			t.Fatalf("the pinned document does not pin again to itself: %v\n%s\n%s", err, pinned, repinned)
		}
		if fp2, _ := Fingerprint(again); fp2 != fp {
			t.Fatalf("fingerprint changed on re-pinning: %s, %s", fp, fp2)
		}
	})
}
