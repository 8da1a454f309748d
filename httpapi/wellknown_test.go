package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/testbed"
)

// TestHealthAndReady: /healthz answers without the database; /readyz
// reads the backlog (empty: ready).
func TestHealthAndReady(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	if r := api.Get("/healthz"); r.Code != 200 || r.Body.String() != `{"status":"ok"}` {
		t.Fatalf("/healthz = %d %s", r.Code, r.Body)
	}
	r := api.Get("/readyz")
	if r.Code != 200 || r.Body.String() != `{"status":"ready","queued_turns":0,"oldest_queued_seconds":0}` {
		t.Fatalf("/readyz = %d %s", r.Code, r.Body)
	}
}

// TestCardAndJWKS: the agent card names the node from its Config, is
// signed (Sois-Signature, verifiable with the served JWKS) and answers
// the same under the A2A interface URL.
func TestCardAndJWKS(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{Config: httpapi.Config{NodeName: "Acme Node", NodeID: "node_acme",
		BaseURL: func() string { return "https://acme.example" }}})
	card := api.Get(peers.CardPath)
	if card.Code != 200 || card.Header().Get("Content-Type") != "application/json" || card.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("card = %d %v %s", card.Code, card.Header(), card.Body)
	}
	parsed, err := peers.ParseCard(card.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if parsed.ID != "node_acme" || parsed.BaseURL != "https://acme.example" || parsed.Version != "test" ||
		parsed.Params.AgentEndpoint != "https://acme.example/api/agent" {
		t.Fatalf("card %+v", parsed.Params)
	}
	jwks := api.Get(peers.JWKSPath)
	if jwks.Code != 200 || jwks.Header().Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("jwks = %d %v %s", jwks.Code, jwks.Header(), jwks.Body)
	}
	keys, err := verify.ParseJWKS(jwks.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Card(context.Background(), keys, card.Header().Get(verify.HeaderSignature), card.Body.Bytes(), peers.MaxCardAge, time.Now()); err != nil {
		t.Fatalf("verify.Card: %v", err)
	}
	under := api.Get(a2a.Path + peers.CardPath)
	if under.Code != 200 || !strings.Contains(under.Body.String(), `"name":"Acme Node"`) {
		t.Fatalf("card under %s = %d %s", a2a.Path, under.Code, under.Body)
	}
}

// TestFederationEndpointRefusals: a body that is not one compact JWS of
// the federation's media type is refused as problem+json before the
// exchange service sees it (counted by reason); a forged envelope is
// refused by the service; nothing is stored.
func TestFederationEndpointRefusals(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	post := func(ct, body string) testbed.Response {
		return api.Call(t, "POST", negotiation.MessagesPath, testbed.Creds{}, body, "Content-Type", ct)
	}
	for _, tc := range []struct {
		name, ct, body string
		status         int
		counted        int64
	}{
		{"json", "application/json", "a.b.c", http.StatusBadRequest, 1},
		{"too large", negotiation.ContentType, strings.Repeat("a", negotiation.MaxEnvelope+1), http.StatusRequestEntityTooLarge, 2},
		{"not a JWS", negotiation.ContentType, "not-a-jws", http.StatusBadRequest, 2},
	} {
		r := post(tc.ct, tc.body)
		if r.Status != tc.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d problem+json", tc.name, r.Status, r.Body, tc.status)
		}
		if got := api.Rejected.Load(); got != tc.counted {
			t.Errorf("%s: %d rejections counted, want %d", tc.name, got, tc.counted)
		}
	}
	if n := count(t, api.DB, `SELECT count(*) FROM negotiations`); n != 0 {
		t.Fatalf("refused envelopes stored %d negotiations", n)
	}
}
