package node_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestPlainA2APeerCredential: a third-party A2A agent (a2a-go v2's
// server) whose card requires an HTTP bearer token refuses every request
// without it. Adding it without a credential is refused by the card
// check, and an API key where it declares a bearer token too; an exchange
// with it and no credential ends failed, saying why; with the token set
// (stored sealed, never in the clear) the exchange completes, the token
// on every request.
func TestPlainA2APeerCredential(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			const token = "s3cret-token-for-the-agent"
			erp := testbed.Start(t, node.Config{DatabaseURL: storetest.URLTB(t, d), NodeName: "ERP",
				PeerAllowHosts: []string{"127.0.0.1"}, WebhookAllowHosts: []string{"127.0.0.1"}})
			ce := testbed.Workspace(t, erp.DB(), workspace.Owner, access.KeyParams{Name: "erp"})

			agent := &plainAgent{}
			mux := http.NewServeMux()
			agent.srv = httptest.NewServer(mux)
			t.Cleanup(agent.srv.Close)
			card := &spec.AgentCard{
				Name: "Guarded Agent", Description: "A third-party A2A agent that wants a token", Version: "1.0.0",
				SupportedInterfaces: []*spec.AgentInterface{spec.NewAgentInterface(agent.srv.URL+"/rpc", spec.TransportProtocolJSONRPC)},
				DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
				SecuritySchemes:      spec.NamedSecuritySchemes{"bearer": spec.HTTPAuthSecurityScheme{Scheme: "Bearer"}},
				SecurityRequirements: spec.SecurityRequirementsOptions{{"bearer": {}}},
			}
			mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(card))
			rpc := a2asrv.NewJSONRPCHandler(a2asrv.NewHandler(agent))
			var refused, allowed atomic.Int64
			mux.Handle("/rpc", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer "+token {
					refused.Add(1)
					http.Error(w, "a bearer token is required", http.StatusUnauthorized)
					return
				}
				allowed.Add(1)
				rpc.ServeHTTP(w, r)
			}))

			f, err := peers.Fetch(ctx, erp.PeerClient(), agent.srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if err := peers.CheckCredential(f.Card.A2A, nil); err == nil || !strings.Contains(err.Error(), "requires a credential (HTTP bearer)") {
				t.Fatalf("no credential for a card that requires one: %v", err)
			}
			key, err := peers.ParseCredential([]byte("k"), "X-Api-Key")
			if err != nil {
				t.Fatal(err)
			}
			if err := peers.CheckCredential(f.Card.A2A, &key); err == nil || !strings.Contains(err.Error(), "declares HTTP bearer; the credential given is a header X-Api-Key") {
				t.Fatalf("an API key for a card that declares a bearer token: %v", err)
			}

			// Added without one (as a library call may): the exchange fails, saying why.
			p, err := peers.Add(ctx, erp.DB(), ce.WorkspaceID, f, peers.PolicyChange{}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			res := erp.Do("POST", "/api/negotiations", ce, map[string]any{"peer": p.Name, "goal": "every contact in London"})
			if res.Status != http.StatusAccepted {
				t.Fatalf("open: %d %s", res.Status, res.Body)
			}
			var created negotiationView
			res.JSON(t, &created)
			v := finished(t, erp, ce, created.ID)
			if v.Status != "failed" || !strings.Contains(v.Summary, "401 Unauthorized") || !strings.Contains(v.Summary, "no credential is set for this peer") {
				t.Fatalf("without a credential: %s %q", v.Status, v.Summary)
			}
			if refused.Load() == 0 || allowed.Load() != 0 {
				t.Fatalf("refused %d, allowed %d", refused.Load(), allowed.Load())
			}

			cred, err := peers.ParseCredential([]byte(" Bearer "+token+"\n"), "")
			if err != nil {
				t.Fatal(err)
			}
			if err := peers.CheckCredential(f.Card.A2A, &cred); err != nil {
				t.Fatal(err)
			}
			if p, err = peers.SetCredential(ctx, erp.DB(), erp.Sealer(), ce.WorkspaceID, p.Name, &cred, time.Now()); err != nil {
				t.Fatal(err)
			}
			var stored []byte
			if err := erp.DB().QueryRow(ctx, `SELECT credential_enc FROM peers WHERE id = ?`, p.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if len(stored) == 0 || bytes.Contains(stored, []byte(token)) {
				t.Fatalf("the credential is not sealed at rest (%d bytes)", len(stored))
			}
			listed, err := peers.List(ctx, erp.DB(), ce.WorkspaceID)
			if err != nil || len(listed) != 1 || listed[0].MaskedCredential() != "Authorization: Bearer ********" {
				t.Fatalf("listed: %+v %v", listed, err)
			}

			res = erp.Do("POST", "/api/negotiations", ce, map[string]any{"peer": p.Name, "goal": "every contact in London"})
			if res.Status != http.StatusAccepted {
				t.Fatalf("open: %d %s", res.Status, res.Body)
			}
			res.JSON(t, &created)
			v = finished(t, erp, ce, created.ID)
			if v.Status != "closed" || v.types() != "open,message,message,message,close" {
				t.Fatalf("with the credential: %s %s %q", v.Status, v.types(), v.Summary)
			}
			if allowed.Load() < 2 {
				t.Fatalf("the agent accepted %d requests", allowed.Load())
			}
		})
	}
}
