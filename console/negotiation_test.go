package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestNegotiationTranscript: a transcript page re-checks every envelope —
// ours against our keys, the peer's against its pinned keys — and shows a
// tampered one as failed; another workspace's negotiation is 404.
func TestNegotiationTranscript(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		now := e.clock.Now().Add(-time.Hour)
		crm := signing.NewMemory(signing.Options{Now: e.clock.Now})
		if err := crm.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		keys, _ := crm.PublicKeys(ctx)
		jwks, _ := crm.JWKS(ctx)
		fp, _ := peers.Fingerprint(keys)
		f := &peers.Fetched{Card: peers.Card{ID: "node_crm", Name: "Acme CRM"}, BaseURL: "https://crm.example.com", JWKS: jwks, Keys: keys, Fingerprint: fp}
		if _, err := peers.AddNamed(ctx, db, e.a.ws, "crm", f, peers.PolicyChange{}, now); err != nil {
			t.Fatal(err)
		}
		const id = "neg_console"
		if _, err := negotiation.Create(ctx, db, e.a.ws, negotiation.CreateParams{ID: id, Peer: "node_crm", Goal: "contacts at Acme", MaxUSD: money.Dollar, MaxTurns: 10}, now); err != nil {
			t.Fatal(err)
		}
		for i, tt := range []struct {
			signer   *signing.Keyring
			from, to string
			typ      negotiation.Type
			text     string
		}{
			{e.ring, "node-test", "node_crm", negotiation.TypeOpen, "contacts at Acme"},
			{crm, "node_crm", "node-test", negotiation.TypeMessage, "Here they are."},
			{e.ring, "node-test", "node_crm", negotiation.TypeClose, "Thanks."},
		} {
			env := negotiation.Envelope{V: negotiation.Version, NegotiationID: id, Seq: int64(i + 1), From: tt.from, To: tt.to,
				IssuedAt: now.Unix(), ExpiresAt: now.Add(5 * time.Minute).Unix(), Nonce: negotiation.NewNonce(), Type: tt.typ,
				Body: negotiation.Body{Text: tt.text}, Budget: negotiation.Budget{Cap: money.Dollar}}
			jws, err := negotiation.Sign(ctx, tt.signer, env)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.InTx(ctx, func(tx store.Tx) error {
				_, err := negotiation.AppendTurn(ctx, tx, e.a.ws, id, negotiation.TurnOf(env, jws, now))
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		b := e.signedIn(e.a.owner)
		p := b.get("/console/negotiations/" + id)
		if p.status != 200 || !strings.Contains(p.body, "Every envelope's signature verifies") || strings.Count(p.body, "badge good\">verified") != 3 {
			t.Fatalf("transcript: %d %s", p.status, p.body)
		}
		if p := b.get("/console/peers"); !strings.Contains(p.body, "/console/negotiations/"+id) {
			t.Fatal("the peers page does not list the negotiation")
		}
		// The peer's stored envelope, altered: its text no longer matches.
		if _, err := db.Exec(ctx, `UPDATE negotiation_turns SET text = 'Here they are not.' WHERE negotiation_id = ? AND seq = 2`, id); err != nil {
			t.Fatal(err)
		}
		if p := b.get("/console/negotiations/" + id); !strings.Contains(p.body, "1 envelope(s) failed verification") || strings.Count(p.body, "badge bad\">failed") != 1 {
			t.Fatalf("tampered transcript: %s", p.body)
		}
		other := e.signedIn(e.b.owner)
		if p := other.get("/console/negotiations/" + id); p.status != http.StatusNotFound {
			t.Fatalf("another workspace's negotiation: %d", p.status)
		}
	})
}
