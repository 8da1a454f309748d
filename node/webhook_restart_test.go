package node_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// TestPendingRetrySurvivesRestart: the receiver is down for the first
// attempt; the node stops; a new node on the same database (its clock
// past the retry time) delivers the same delivery id.
func TestPendingRetrySurvivesRestart(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var ids []string
			up := false
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				ids = append(ids, r.Header.Get("Sois-Delivery-Id"))
				if !up {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			defer recv.Close()
			attempts := make(chan webhook.AttemptEvent, 8)
			dataDir := t.TempDir()
			cfg := node.Config{DatabaseURL: url, DataDir: dataDir, Provider: &testbed.Script{Step: testbed.Echo},
				WebhookAllowHosts: []string{"127.0.0.1"}, OnDeliveryAttempt: func(e webhook.AttemptEvent) { attempts <- e }}
			n1 := testbed.Start(t, cfg)
			c := testbed.Workspace(t, n1.DB(), workspace.Owner, access.KeyParams{ResponseURL: recv.URL})
			n1.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": "hello"})
			first := nextAttempt(t, attempts)
			if first.Result.OK() || first.Status != webhook.StatusPending {
				t.Fatalf("first attempt: %+v", first)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := n1.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			up = true
			mu.Unlock()
			later := cfg
			later.Now = func() time.Time { return time.Now().Add(time.Hour) }
			testbed.Start(t, later)
			second := nextAttempt(t, attempts)
			if !second.Result.OK() || second.Status != webhook.StatusDelivered || second.DeliveryID != first.DeliveryID {
				t.Fatalf("after restart: %+v (first %s)", second, first.DeliveryID)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(ids) != 2 || ids[0] != ids[1] {
				t.Fatalf("receiver saw %v", ids)
			}
		})
	}
}

func nextAttempt(t *testing.T, ch chan webhook.AttemptEvent) webhook.AttemptEvent {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook attempt")
	}
	return webhook.AttemptEvent{}
}
