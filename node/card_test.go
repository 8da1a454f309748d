package node_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

// TestAgentCard fetches the card as a stranger would and checks its
// signature twice: with go-jose alone and the JWKS as served, and with
// verify.Card.
func TestAgentCard(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), NodeName: "Acme Node"})
	res := n.Do("GET", peers.CardPath, testbed.Creds{}, nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET card: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	var card peers.Card
	res.JSON(t, &card)
	base := n.URL()
	if card.ID != n.NodeID() || card.Name != "Acme Node" || card.BaseURL != base || card.JWKSURL != base+"/.well-known/jwks.json" ||
		card.Version != node.Version || card.Federation.Endpoint != base+"/federation/v1" ||
		card.Capabilities.Agent != base+"/api/agent" || card.Capabilities.MCP != base+"/mcp" || !card.Capabilities.Negotiations {
		t.Fatalf("card %+v", card)
	}
	ids := map[string]bool{}
	for _, s := range card.Skills {
		ids[s.ID] = s.Name != "" && s.Description != ""
	}
	for _, want := range []string{"contacts", "tasks", "email", "files", "org", "extensions"} {
		if !ids[want] {
			t.Errorf("skill %q missing or undescribed in %+v", want, card.Skills)
		}
	}

	sig := res.Header.Get(verify.HeaderSignature)
	jwks := n.Do("GET", "/.well-known/jwks.json", testbed.Creds{}, nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks.Body, &set); err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseDetached(sig, res.Body, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatalf("go-jose ParseDetached: %v", err)
	}
	if err := obj.DetachedVerify(res.Body, set); err != nil {
		t.Fatalf("go-jose DetachedVerify: %v", err)
	}
	if typ := obj.Signatures[0].Protected.ExtraHeaders["typ"]; typ != verify.TypeCard {
		t.Fatalf("typ %v", typ)
	}

	keys, err := verify.ParseJWKS(jwks.Body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Card(context.Background(), keys, sig, res.Body, peers.MaxCardAge, time.Now()); err != nil {
		t.Fatalf("verify.Card: %v", err)
	}
	if _, err := verify.Detached(context.Background(), keys, sig, res.Body, 0, time.Now()); err == nil {
		t.Fatal("a card signature passed as a webhook signature")
	}
}
