package signing

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/signing/verify"
)

func newTestKeyring(t *testing.T) (*Keyring, *clock) {
	t.Helper()
	c := newClock()
	k := NewMemory(Options{Now: c.Now})
	if err := k.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return k, c
}

func jwksOf(t *testing.T, k *Keyring) *verify.KeySet {
	t.Helper()
	doc, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set, err := verify.ParseJWKS(doc)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

const body = `{"event":"conversation.completed","delivery_id":"01J0000000000000000000DLV1","conversation":{"id":"c1"}}`

func TestDetachedRoundTrip(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	sig, err := k.SignWebhook(ctx, "01J0000000000000000000DLV1", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sig, ".")
	if len(parts) != 3 || parts[1] != "" {
		t.Fatalf("signature %q is not <protected>..<signature>", sig)
	}
	var hdr map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(raw, &hdr); err != nil {
		t.Fatal(err)
	}
	kid, _ := k.ActiveKeyID(ctx)
	for name, want := range map[string]any{"alg": "EdDSA", "kid": kid, "typ": verify.TypeWebhook,
		"iat": float64(c.Now().Unix()), "delivery_id": "01J0000000000000000000DLV1"} {
		if hdr[name] != want {
			t.Errorf("header %s = %v, want %v", name, hdr[name], want)
		}
	}

	v, err := verify.Detached(ctx, jwksOf(t, k), sig, []byte(body), 0, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if v.DeliveryID != "01J0000000000000000000DLV1" || v.KeyID != kid || string(v.Payload) != body {
		t.Fatalf("verified = %+v", v)
	}
}

// TestDetachedIndependent verifies with go-jose directly and the JWKS as
// served, the way a receiver that does not use package verify would.
func TestDetachedIndependent(t *testing.T) {
	ctx := context.Background()
	k, _ := newTestKeyring(t)
	sig, err := k.SignWebhook(ctx, "d1", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := k.JWKS(ctx)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseDetached(sig, []byte(body), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.DetachedVerify([]byte(body), set); err != nil {
		t.Fatalf("go-jose with the JWKS: %v", err)
	}
	if err := obj.DetachedVerify([]byte(body+" "), set); err == nil {
		t.Fatal("go-jose accepted a changed body")
	}
	// RFC 7515 appendix F: putting the base64url body back makes an ordinary compact JWS.
	parts := strings.Split(sig, ".")
	full := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(body)) + "." + parts[2]
	obj2, err := jose.ParseSignedCompact(full, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := obj2.Verify(set); err != nil || string(got) != body {
		t.Fatalf("re-attached payload: %q, %v", got, err)
	}
}

// TestStandardByHand checks the v1a signature the way an off-the-shelf
// Standard Webhooks verifier does: ed25519 over id.timestamp.body.
func TestStandardByHand(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	at := c.Now()
	header, err := k.SignStandard(ctx, "msg_1", at, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	version, b64, ok := strings.Cut(header, ",")
	if !ok || version != "v1a" || strings.Contains(b64, " ") {
		t.Fatalf("header %q, want one v1a entry", header)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	pub := jwksOf(t, k).Keys()[0].Public
	msg := "msg_1." + strconv.FormatInt(at.Unix(), 10) + "." + body
	if !ed25519.Verify(pub, []byte(msg), sig) {
		t.Fatal("v1a signature does not verify by hand")
	}
	if _, err := verify.Standard(ctx, jwksOf(t, k), "msg_1", strconv.FormatInt(at.Unix(), 10), header, []byte(body), 0, at); err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Standard(ctx, jwksOf(t, k), "msg_2", strconv.FormatInt(at.Unix(), 10), header, []byte(body), 0, at); !errors.Is(err, verify.ErrSignature) {
		t.Fatalf("other id: err = %v", err)
	}
	if _, err := k.SignStandard(ctx, "a.b", at, nil); err == nil {
		t.Fatal("id with a dot accepted")
	}
}

func TestDetachedRejects(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	other, _ := newTestKeyring(t)
	keys := jwksOf(t, k)
	sig, _ := k.SignWebhook(ctx, "d1", []byte(body))
	otherSig, _ := other.SignWebhook(ctx, "d1", []byte(body))
	replySig, _ := k.SignDetached(ctx, []byte(body), map[string]any{"typ": verify.TypeReply, "delivery_id": "d1"})
	noID, _ := k.SignDetached(ctx, []byte(body), map[string]any{"typ": verify.TypeWebhook})

	// A token with the right kid but alg HS256, keyed with the public key
	// bytes: the classic algorithm-confusion attack.
	kid, _ := k.ActiveKeyID(ctx)
	hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(keys.Keys()[0].Public)},
		(&jose.SignerOptions{}).WithHeader("kid", kid).WithHeader("iat", c.Now().Unix()).WithType(verify.TypeWebhook))
	hsObj, _ := hs.Sign([]byte(body))
	hsSig, _ := hsObj.DetachedCompactSerialize()
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"`+kid+`"}`)) + ".."

	tests := []struct {
		name string
		sig  string
		body string
		now  time.Time
		want error
	}{
		{"tampered body", sig, body + " ", c.Now(), verify.ErrSignature},
		{"empty body", sig, "", c.Now(), verify.ErrSignature},
		{"wrong key", otherSig, body, c.Now(), verify.ErrUnknownKey},
		{"old iat", sig, body, c.Now().Add(5*time.Minute + time.Second), verify.ErrExpired},
		{"just in time", sig, body, c.Now().Add(5 * time.Minute), nil},
		{"future iat", sig, body, c.Now().Add(-2 * time.Minute), verify.ErrFuture},
		{"small skew", sig, body, c.Now().Add(-30 * time.Second), nil},
		{"wrong typ", replySig, body, c.Now(), verify.ErrType},
		{"no delivery id", noID, body, c.Now(), verify.ErrMalformed},
		{"HS256", hsSig, body, c.Now(), verify.ErrAlgorithm},
		{"alg none", none, body, c.Now(), verify.ErrAlgorithm},
		{"garbage", "a.b.c.d", body, c.Now(), verify.ErrMalformed},
		{"attached payload", strings.Replace(sig, "..", "."+base64.RawURLEncoding.EncodeToString([]byte(body))+".", 1), body, c.Now(), verify.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verify.Detached(ctx, keys, tt.sig, []byte(tt.body), 0, tt.now)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCompactAndReply(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	tok, err := k.SignReply(ctx, verify.Reply{Iss: "node-1", ConversationID: "c1", Turn: 2, Status: "completed",
		Reply: "Contact created.", Actions: json.RawMessage(`[{"tool":"contacts_create","ok":true}]`), CostUSD: "0.000412"})
	if err != nil {
		t.Fatal(err)
	}
	// A day later the reply still verifies: signed replies are records.
	r, v, err := verify.SignedReply(ctx, jwksOf(t, k), tok, c.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Iss != "node-1" || r.Turn != 2 || r.Iat != c.Now().Unix() || v.Type != verify.TypeReply || string(r.Actions) != `[{"tool":"contacts_create","ok":true}]` {
		t.Fatalf("reply = %+v, verified = %+v", r, v)
	}
	var m map[string]any
	_ = json.Unmarshal(v.Payload, &m)
	for _, f := range []string{"iss", "conversation_id", "turn", "status", "reply", "actions", "cost_usd", "iat"} {
		if _, ok := m[f]; !ok {
			t.Errorf("payload lacks %q", f)
		}
	}
	if _, _, err := verify.SignedReply(ctx, jwksOf(t, k), tok, c.Now().Add(-2*time.Minute)); !errors.Is(err, verify.ErrFuture) {
		t.Fatalf("reply from the future: %v", err)
	}
	plain, _ := k.SignCompact(ctx, []byte(`{}`), nil)
	if _, _, err := verify.SignedReply(ctx, jwksOf(t, k), plain, c.Now()); !errors.Is(err, verify.ErrType) {
		t.Fatalf("untyped token as reply: %v", err)
	}
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"reply":"forged"}`)) + "." + parts[2]
	if _, err := verify.Compact(ctx, jwksOf(t, k), forged, c.Now()); !errors.Is(err, verify.ErrSignature) {
		t.Fatalf("forged payload: %v", err)
	}
	if _, err := k.SignCompact(ctx, nil, map[string]any{"kid": "x"}); err == nil {
		t.Fatal("caller set kid")
	}
}

func TestRotation(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	oldKid, _ := k.ActiveKeyID(ctx)
	oldSig, _ := k.SignWebhook(ctx, "d1", []byte(body))

	newKid, err := k.Rotate(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if newKid == oldKid {
		t.Fatal("rotation kept the kid")
	}
	if got, _ := k.ActiveKeyID(ctx); got != newKid {
		t.Fatalf("active = %s, want the new key %s", got, newKid)
	}
	keys := jwksOf(t, k)
	if len(keys.Keys()) != 2 {
		t.Fatalf("JWKS holds %d keys during grace, want 2", len(keys.Keys()))
	}
	if _, err := verify.Detached(ctx, keys, oldSig, []byte(body), 0, c.Now()); err != nil {
		t.Fatalf("old signature during grace: %v", err)
	}
	newSig, _ := k.SignWebhook(ctx, "d1", []byte(body))
	if v, err := verify.Detached(ctx, keys, newSig, []byte(body), 0, c.Now()); err != nil || v.KeyID != newKid {
		t.Fatalf("new signature: %+v, %v", v, err)
	}
	std, _ := k.SignStandard(ctx, "d1", c.Now(), []byte(body))
	if n := len(strings.Fields(std)); n != 2 {
		t.Fatalf("webhook-signature has %d entries during grace, want 2 (new and old key)", n)
	}
	oldOnly := verify.NewKeySet(verify.Key{ID: oldKid, Public: keys.Keys()[1].Public})
	if _, err := verify.Standard(ctx, oldOnly, "d1", strconv.FormatInt(c.Now().Unix(), 10), std, []byte(body), 0, c.Now()); err != nil {
		t.Fatalf("receiver pinned to the old key during grace: %v", err)
	}

	c.Add(time.Hour + time.Second)
	keys = jwksOf(t, k)
	if len(keys.Keys()) != 1 || keys.Keys()[0].ID != newKid {
		t.Fatalf("after grace JWKS = %+v, want only %s", keys.Keys(), newKid)
	}
	if std, _ := k.SignStandard(ctx, "d1", c.Now(), []byte(body)); len(strings.Fields(std)) != 1 {
		t.Fatal("expired key still co-signs")
	}
	infos, _ := k.Keys(ctx)
	if len(infos) != 2 || infos[0].State != "active" || infos[1].State != "expired" {
		t.Fatalf("keys = %+v", infos)
	}

	// grace 0 is an emergency rotation: the old key disappears at once.
	k.Rotate(ctx, 0)
	if n := len(jwksOf(t, k).Keys()); n != 1 {
		t.Fatalf("JWKS after zero-grace rotation holds %d keys", n)
	}
}

func TestJWKSDocument(t *testing.T) {
	k, _ := newTestKeyring(t)
	doc, _ := k.JWKS(context.Background())
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", doc, err)
	}
	key := set.Keys[0]
	for name, want := range map[string]string{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig"} {
		if key[name] != want {
			t.Errorf("%s = %q, want %q", name, key[name], want)
		}
	}
	if _, ok := key["d"]; ok {
		t.Fatal("JWKS leaks the private key")
	}
	pub, _ := base64.RawURLEncoding.DecodeString(key["x"])
	if kid, _ := Thumbprint(pub); kid != key["kid"] {
		t.Fatalf("kid %s is not the RFC 7638 thumbprint %s", key["kid"], kid)
	}
}

// TestThumbprintVector uses RFC 8037 appendix A.3.
func TestThumbprintVector(t *testing.T) {
	pub, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	got, err := Thumbprint(pub)
	if err != nil || got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Fatalf("thumbprint = %s, %v", got, err)
	}
}

func TestAuditKeys(t *testing.T) {
	ctx := context.Background()
	k, c := newTestKeyring(t)
	reply := verify.Reply{Iss: "node-1", ConversationID: "c1", Turn: 1, Status: "completed", Reply: "Done.", Actions: json.RawMessage(`[]`), CostUSD: "0.000000"}
	first, _ := k.SignReply(ctx, reply)
	k.Rotate(ctx, time.Hour)
	second, _ := k.SignReply(ctx, reply)
	c.Add(2 * time.Hour) // the first key has left the JWKS
	if _, _, err := verify.SignedReply(ctx, jwksOf(t, k), first, c.Now()); !errors.Is(err, verify.ErrUnknownKey) {
		t.Fatalf("first reply against the JWKS after expiry: %v", err)
	}
	audit, err := k.AuditKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"first": first, "second": second} {
		if _, _, err := verify.SignedReply(ctx, audit, tok, c.Now()); err != nil {
			t.Fatalf("%s reply against the audit keys: %v", name, err)
		}
	}

	// A retired key verifies only what it signed before it retired: its
	// key entry dated earlier than the token refuses it.
	firstKid := audit.Keys()[1].ID
	early := verify.NewKeySet(verify.Key{ID: firstKid, Public: audit.Keys()[1].Public, RetiredAt: c.Now().Add(-3 * time.Hour)})
	if _, _, err := verify.SignedReply(ctx, early, first, c.Now()); !errors.Is(err, verify.ErrRetired) {
		t.Fatalf("signed after retiring: %v", err)
	}

	// A zero-grace rotation revokes: nothing the key signed verifies.
	k.Rotate(ctx, 0)
	audit, _ = k.AuditKeys(ctx)
	if len(audit.Keys()) != 3 {
		t.Fatalf("audit keys = %d, want every key (3)", len(audit.Keys()))
	}
	if _, _, err := verify.SignedReply(ctx, audit, second, c.Now()); !errors.Is(err, verify.ErrRevoked) {
		t.Fatalf("revoked key's reply: %v", err)
	}
	if _, _, err := verify.SignedReply(ctx, audit, first, c.Now()); err != nil {
		t.Fatalf("first key (retired with grace) after another rotation: %v", err)
	}
}
