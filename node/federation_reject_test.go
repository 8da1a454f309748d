package node_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// peerKey signs envelopes like a pinned peer node.
type peerKey struct {
	priv ed25519.PrivateKey
	kid  string
}

func (k peerKey) SignCompact(_ context.Context, payload []byte, headers map[string]any) (string, error) {
	opts := (&jose.SignerOptions{}).WithHeader(verify.ParamIssuedAt, time.Now().Unix())
	for h, v := range headers {
		opts.WithHeader(jose.HeaderKey(h), v)
	}
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}}, opts)
	if err != nil {
		return "", err
	}
	obj, err := sg.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func newPeerKey(kid string) (peerKey, ed25519.PublicKey) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return peerKey{priv: priv, kid: kid}, pub
}

// Every envelope the receiver refuses gets its problem status and changes
// nothing.
func TestFederationRejections(t *testing.T) {
	crm := loopbackNode(t, "CRM")
	cc := testbed.Workspace(t, crm.DB(), workspace.Owner, access.KeyParams{Name: "crm"})
	key, pub := newPeerKey("pinned")
	other, _ := newPeerKey("pinned") // same kid, another key
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: key.kid, Algorithm: "EdDSA", Use: "sig"}}})
	const peer = "node_test_peer"
	now := store.Micros(time.Now())
	if _, err := crm.DB().Exec(context.Background(), `INSERT INTO peers (id, workspace_id, node_id, name, base_url, jwks, fingerprint, scopes, max_usd, max_turns, created_at, updated_at)
		VALUES (?, ?, ?, 'Peer', 'http://127.0.0.1:1', ?, 'fp', '[]', 1000000, 10, ?, ?)`, store.NewID(), cc.WorkspaceID, peer, string(jwks), now, now); err != nil {
		t.Fatal(err)
	}
	envelope := func(change func(*negotiation.Envelope)) negotiation.Envelope {
		at := time.Now()
		e := negotiation.Envelope{V: 1, NegotiationID: "neg_" + store.NewID(), Seq: 1, From: peer, To: crm.NodeID(),
			IssuedAt: at.Unix(), ExpiresAt: at.Add(5 * time.Minute).Unix(), Nonce: negotiation.NewNonce(),
			Type: negotiation.TypeOpen, Body: negotiation.Body{Text: "hello"}, Budget: negotiation.Budget{Cap: 1000000}}
		if change != nil {
			change(&e)
		}
		return e
	}
	sign := func(k peerKey, e negotiation.Envelope) string {
		payload, _ := json.Marshal(e)
		tok, err := k.SignCompact(context.Background(), payload, map[string]any{"typ": negotiation.JWSType})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	replayed := envelope(nil)
	if status, body := postEnvelope(t, crm, sign(key, replayed)); status != http.StatusAccepted {
		t.Fatalf("a good envelope: %d %s", status, body)
	}
	for _, tt := range []struct {
		name   string
		token  string
		status int
	}{
		{"signed by another key", sign(other, envelope(nil)), http.StatusUnauthorized},
		{"addressed to another node", sign(key, envelope(func(e *negotiation.Envelope) { e.To = "node_someone_else" })), http.StatusBadRequest},
		{"expired", sign(key, envelope(func(e *negotiation.Envelope) { e.IssuedAt, e.ExpiresAt = e.IssuedAt-600, e.IssuedAt-300 })), http.StatusBadRequest},
		{"iat too far ahead", sign(key, envelope(func(e *negotiation.Envelope) { e.IssuedAt, e.ExpiresAt = e.IssuedAt+600, e.IssuedAt+900 })), http.StatusBadRequest},
		{"seq skipping ahead", sign(key, envelope(func(e *negotiation.Envelope) { e.Seq = 3 })), http.StatusConflict},
		{"not open first", sign(key, envelope(func(e *negotiation.Envelope) { e.Type = negotiation.TypeMessage })), http.StatusConflict},
		{"unknown type", sign(key, envelope(func(e *negotiation.Envelope) { e.Type = "bogus" })), http.StatusBadRequest},
		{"replayed nonce", sign(key, envelope(func(e *negotiation.Envelope) { e.Nonce = replayed.Nonce })), http.StatusConflict},
		{"oversized", strings.Repeat("a", negotiation.MaxEnvelope+1), http.StatusRequestEntityTooLarge},
	} {
		status, body := postEnvelope(t, crm, tt.token)
		if status != tt.status || !strings.Contains(string(body), `"status"`) {
			t.Errorf("%s: %d %s, want %d", tt.name, status, body, tt.status)
		}
	}
	// Another pinned peer cannot continue (or reopen) that peer's exchange,
	// even knowing its id: it is not its exchange.
	key2, pub2 := newPeerKey("second")
	jwks2, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub2, KeyID: key2.kid, Algorithm: "EdDSA", Use: "sig"}}})
	const peer2 = "node_second_peer"
	if _, err := crm.DB().Exec(context.Background(), `INSERT INTO peers (id, workspace_id, node_id, name, base_url, jwks, fingerprint, scopes, max_usd, max_turns, created_at, updated_at)
		VALUES (?, ?, ?, 'Second', 'http://127.0.0.1:1', ?, 'fp2', '[]', 1000000, 10, ?, ?)`, store.NewID(), cc.WorkspaceID, peer2, string(jwks2), now, now); err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= 3; seq++ {
		e := envelope(func(e *negotiation.Envelope) { e.From, e.NegotiationID, e.Seq = peer2, replayed.NegotiationID, seq })
		if seq > 1 {
			e.Type = negotiation.TypeMessage
		}
		if status, body := postEnvelope(t, crm, sign(key2, e)); status != http.StatusConflict {
			t.Errorf("another peer's seq %d on this exchange: %d %s, want 409", seq, status, body)
		}
	}
	if n := count(t, crm.DB(), `SELECT count(*) FROM negotiation_turns WHERE from_node = ?`, peer2); n != 0 {
		t.Fatalf("another peer's turns were recorded on this exchange: %d", n)
	}
	if n := count(t, crm.DB(), `SELECT count(*) FROM negotiations`); n != 1 {
		t.Fatalf("%d negotiations stored, want only the good one", n)
	}
	// The metrics count refusals by reason.
	res, err := http.Get(crm.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, reason := range []string{"signature", "audience", "expired", "future", "sequence", "state", "replayed", "size", "unknown_type"} {
		if !strings.Contains(b.String(), `sois_federation_rejections_total{reason="`+reason+`"}`) {
			t.Errorf("no rejection counted for %s", reason)
		}
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
