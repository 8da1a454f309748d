package node_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestSignedReplyAndWebhook: a finished turn's signed_reply verifies with
// the node's JWKS, and the key's response_url receives a signed webhook
// that a receiver verifies with the same JWKS.
func TestSignedReplyAndWebhook(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			got := make(chan []byte, 4)
			var jwks *verify.Remote
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, id, err := verify.Request(r, jwks, verify.RequestOptions{})
				if err != nil {
					t.Errorf("receiver rejected a delivery: %v", err)
					w.WriteHeader(400)
					return
				}
				if r.Header.Get("Sois-Event") != "conversation.completed" || id == "" || r.Header.Get("webhook-id") != id {
					t.Errorf("headers: %v", r.Header)
				}
				got <- body
			}))
			defer recv.Close()
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: &testbed.Script{Step: testbed.Echo}, WebhookAllowHosts: []string{"127.0.0.1"}})
			jwks = verify.NewRemote(n.URL()+"/.well-known/jwks.json", verify.RemoteOptions{})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{ResponseURL: recv.URL + "/hook"})

			r := n.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": "sign me"})
			var cv conv
			r.JSON(t, &cv)
			if cv.Status != "completed" || cv.SignedReply == "" {
				t.Fatalf("conversation %s", r.Body)
			}
			reply, _, err := verify.SignedReply(t.Context(), jwks, cv.SignedReply, time.Now())
			if err != nil {
				t.Fatalf("signed_reply does not verify: %v", err)
			}
			if reply.ConversationID != cv.ID || reply.Reply != "echo: sign me" || reply.Iss != n.NodeID() || reply.Status != "completed" {
				t.Fatalf("signed reply payload %+v", reply)
			}
			select {
			case body := <-got:
				var p struct {
					Event        string `json:"event"`
					DeliveryID   string `json:"delivery_id"`
					Conversation conv   `json:"conversation"`
					SignedReply  string `json:"signed_reply"`
				}
				if err := json.Unmarshal(body, &p); err != nil || p.Conversation.ID != cv.ID || p.SignedReply != cv.SignedReply {
					t.Fatalf("webhook body %s (%v)", body, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("no webhook arrived")
			}
		})
	}
}

func TestResponseURLIsGuarded(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: &testbed.Script{}})
	_ = n
	for _, u := range []string{"http://example.com/hook", "https://127.0.0.1/hook", "https://10.0.0.1/x", "https://169.254.169.254/latest", "ftp://x"} {
		if err := (&access.KeyParams{ResponseURL: u, ThresholdPercent: 80}).Validate(nodeGuard(n)); err == nil {
			t.Errorf("response_url %s accepted", u)
		}
	}
}

func nodeGuard(n *testbed.Node) func(string) error { return n.CheckResponseURL }

// TestThresholdWebhook: a turn whose spend crosses the key's soft
// threshold sends one signed budget.threshold webhook to the key's
// response_url, shaped as docs/webhooks.md and the OpenAPI document say.
func TestThresholdWebhook(t *testing.T) {
	got := make(chan []byte, 4)
	var jwks *verify.Remote
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _, err := verify.Request(r, jwks, verify.RequestOptions{})
		if err != nil {
			t.Errorf("receiver rejected a delivery: %v", err)
			w.WriteHeader(400)
			return
		}
		if r.Header.Get("Sois-Event") == "budget.threshold" {
			got <- body
		}
	}))
	defer recv.Close()
	// Each model call costs $0.005; the daily budget is $0.006, so the
	// first turn spends 83 % of it, past the default 80 %.
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: &testbed.Script{Step: testbed.Echo},
		Pricer: costPricer{max: 5000, cost: 5000}, WebhookAllowHosts: []string{"127.0.0.1"}})
	jwks = verify.NewRemote(n.URL()+"/.well-known/jwks.json", verify.RemoteOptions{})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{ResponseURL: recv.URL + "/hook",
		BudgetDaily: 6000, BudgetMonthly: budget.None, BudgetTotal: budget.None})
	if r := n.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": "spend"}); r.Status != http.StatusOK {
		t.Fatalf("turn: %d %s", r.Status, r.Body)
	}
	select {
	case body := <-got:
		var p struct {
			Event      string `json:"event"`
			DeliveryID string `json:"delivery_id"`
			Budget     struct {
				KeyID    string `json:"key_id"`
				Budget   string `json:"budget"`
				Percent  int    `json:"threshold_percent"`
				LimitUSD string `json:"limit_usd"`
				SpentUSD string `json:"spent_usd"`
				ResetsAt string `json:"resets_at"`
			} `json:"budget"`
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Event != "budget.threshold" || p.DeliveryID == "" ||
			p.Budget.KeyID != c.KeyID || p.Budget.Budget != "daily" || p.Budget.Percent != 80 ||
			p.Budget.LimitUSD != "0.006" || p.Budget.SpentUSD != "0.005000" || p.Budget.ResetsAt == "" {
			t.Fatalf("budget.threshold body %s (%v)", body, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no budget.threshold webhook arrived")
	}
}
