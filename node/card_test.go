package node_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient/agentcard"
	"github.com/go-jose/go-jose/v4"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

// TestAgentCard reads the card with a2a-go's own resolver, as any A2A
// client would, and checks both signatures: Sois-Signature with go-jose
// alone and with verify.Card, the A2A signatures[] with verify.A2ACard.
// (a2a/js_test.go checks the same card with @a2a-js/sdk.)
func TestAgentCard(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), NodeName: "Acme Node"})
	base := n.URL()
	card, err := agentcard.DefaultResolver.Resolve(context.Background(), base)
	if err != nil {
		t.Fatalf("a2a-go resolve: %v", err)
	}
	// The same card under the A2A interface URL.
	if under, err := agentcard.DefaultResolver.Resolve(context.Background(), base+a2a.Path); err != nil || under.Name != card.Name || len(under.Signatures) != 1 {
		t.Fatalf("card under %s: %+v, %v", a2a.Path, under, err)
	}
	if card.Name != "Acme Node" || card.Version != node.Version || card.Description == "" || len(card.SupportedInterfaces) != 2 {
		t.Fatalf("card %+v", card)
	}
	bindings := map[spec.TransportProtocol]bool{}
	for _, i := range card.SupportedInterfaces {
		bindings[i.ProtocolBinding] = i.URL == base+a2a.Path && i.ProtocolVersion == spec.Version
	}
	if !bindings[spec.TransportProtocolJSONRPC] || !bindings[spec.TransportProtocolHTTPJSON] {
		t.Fatalf("interfaces %+v", card.SupportedInterfaces)
	}
	if bearer, ok := card.SecuritySchemes[a2a.SchemeBearer].(spec.HTTPAuthSecurityScheme); !ok || bearer.Scheme != "Bearer" {
		t.Fatalf("bearer scheme %+v", card.SecuritySchemes)
	}
	if key, ok := card.SecuritySchemes[a2a.SchemeAPIKey].(spec.APIKeySecurityScheme); !ok || key.Name != "X-Api-Key" || key.Location != "header" {
		t.Fatalf("api key scheme %+v", card.SecuritySchemes)
	}
	if len(card.SecurityRequirements) != 1 || len(card.SecurityRequirements[0]) != 2 {
		t.Fatalf("security requirements %+v", card.SecurityRequirements)
	}
	if !card.Capabilities.PushNotifications || !card.Capabilities.Streaming {
		t.Fatalf("capabilities %+v", card.Capabilities)
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

	res := n.Do("GET", peers.CardPath, testbed.Creds{}, nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET card: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	// No top-level field outside the A2A schema (strict clients refuse them).
	var top map[string]json.RawMessage
	res.JSON(t, &top)
	for k := range top {
		switch k {
		case "name", "description", "version", "supportedInterfaces", "provider", "capabilities", "defaultInputModes",
			"defaultOutputModes", "skills", "securitySchemes", "securityRequirements", "signatures":
		default:
			t.Errorf("top-level field %q is not in the A2A 1.0 AgentCard", k)
		}
	}
	parsed, err := peers.ParseCard(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.ID != n.NodeID() || parsed.BaseURL != base || parsed.JWKSURL != base+"/.well-known/jwks.json" ||
		parsed.Version != node.Version || parsed.Federation.Endpoint != base+"/federation/v1" ||
		parsed.Params.AgentEndpoint != base+"/api/agent" || parsed.Params.MCPEndpoint != base+"/mcp" || !parsed.Negotiations {
		t.Fatalf("soisnode extension %+v", parsed.Params)
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

	// signatures[]: EdDSA, kid = the key's thumbprint (the JWKS kid), typ JOSE, no jku.
	if len(card.Signatures) != 1 {
		t.Fatalf("signatures %+v", card.Signatures)
	}
	sigs := []verify.A2ASignature{{Protected: card.Signatures[0].Protected, Signature: card.Signatures[0].Signature}}
	v, err := verify.A2ACard(context.Background(), keys, res.Body, sigs)
	if err != nil {
		t.Fatalf("verify.A2ACard: %v", err)
	}
	if v.Header["alg"] != "EdDSA" || v.Header["typ"] != verify.TypeA2ACard || v.KeyID != set.Keys[0].KeyID || v.Header["jku"] != nil {
		t.Fatalf("A2A signature header %+v", v.Header)
	}
	// Changing any signed field breaks it.
	card.Name = "Evil Node"
	card.Signatures = nil
	forged, _ := json.Marshal(card)
	if _, err := verify.A2ACard(context.Background(), keys, forged, sigs); err == nil {
		t.Fatal("signatures[] verified a changed card")
	}
}
