package node_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// hookReceiver answers webhook deliveries with the next scripted status
// and records the delivery ids it saw.
type hookReceiver struct {
	mu     sync.Mutex
	status []int // one per request; the last repeats
	seen   []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	code := h.status[0]
	if len(h.status) > 1 {
		h.status = h.status[1:]
	}
	h.seen = append(h.seen, r.Header.Get("Sois-Delivery-Id"))
	h.mu.Unlock()
	w.WriteHeader(code)
	w.Write([]byte("answer " + http.StatusText(code)))
}

func (h *hookReceiver) ids() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

func waitAttempt(t *testing.T, events <-chan webhook.AttemptEvent, want webhook.Status) webhook.AttemptEvent {
	t.Helper()
	select {
	case ev := <-events:
		if ev.Status != want {
			t.Fatalf("attempt %d of %s: status %s, want %s", ev.Attempt, ev.DeliveryID, ev.Status, want)
		}
		return ev
	case <-time.After(30 * time.Second):
		t.Fatalf("no delivery attempt (waiting for %s)", want)
	}
	return webhook.AttemptEvent{}
}

// TestAdminDeliveries: an owner or admin lists a workspace's deliveries
// as the dispatcher recorded them, reads one with its attempts, and
// redelivers it under the same id, which the dispatcher sends at once.
// (Who may not, and paging: httpapi's TestAdminRefusals and
// TestAdminDeliveriesPaging.)
func TestAdminDeliveries(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			recv := &hookReceiver{status: []int{http.StatusGone, http.StatusOK}}
			srv := httptest.NewServer(recv)
			defer srv.Close()
			events := make(chan webhook.AttemptEvent, 8)
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: &testbed.Script{Step: testbed.Echo},
				WebhookAllowHosts: []string{"127.0.0.1"}, OnDeliveryAttempt: func(ev webhook.AttemptEvent) { events <- ev }})
			owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{ResponseURL: srv.URL + "/hook"})
			admin := testbed.AddMember(t, n.DB(), owner, workspace.Admin, "admin@example.com")

			if r := n.Do("POST", "/api/agent?wait=20", owner, map[string]any{"message": "hook me"}); r.Status != http.StatusOK {
				t.Fatalf("agent = %d %s", r.Status, r.Body)
			}
			first := waitAttempt(t, events, webhook.StatusDisabled) // the receiver said 410 Gone

			r := n.Do("GET", "/api/admin/deliveries", owner, nil)
			var page httpapi.DeliveryPage
			r.JSON(t, &page)
			if r.Status != http.StatusOK || len(page.Deliveries) != 1 || page.NextCursor != "" {
				t.Fatalf("list = %d %s", r.Status, r.Body)
			}
			d := page.Deliveries[0]
			if d.ID != first.DeliveryID || d.Status != "disabled" || d.Event != "conversation.completed" || d.LastStatus != 410 || d.KeyID != owner.KeyID {
				t.Fatalf("delivery %+v", d)
			}
			for status, want := range map[string]int{"disabled": 1, "dead": 0, "pending": 0} {
				r := n.Do("GET", "/api/admin/deliveries?status="+status, admin, nil)
				var p httpapi.DeliveryPage
				r.JSON(t, &p)
				if r.Status != http.StatusOK || len(p.Deliveries) != want {
					t.Errorf("?status=%s = %d %s, want %d deliveries", status, r.Status, r.Body, want)
				}
			}

			r = n.Do("GET", "/api/admin/deliveries/"+d.ID, owner, nil)
			var got httpapi.DeliveryDetail
			r.JSON(t, &got)
			if r.Status != http.StatusOK || len(got.AttemptLog) != 1 {
				t.Fatalf("get = %d %s", r.Status, r.Body)
			}
			if a := got.AttemptLog[0]; a.Attempt != 1 || a.StatusCode != 410 || a.Response != "answer Gone" || a.LatencyMS < 0 || a.At.IsZero() {
				t.Fatalf("attempt %+v", a)
			}

			// Redelivery: same id, fresh schedule, sent at once; it lifts the 410 block.
			r = n.Do("POST", "/api/admin/deliveries/"+d.ID+"/redeliver", admin, nil)
			var re httpapi.DeliveryDetail
			r.JSON(t, &re)
			// The dispatcher is woken at once, so the answer may already show the send.
			if r.Status != http.StatusAccepted || re.ID != d.ID || (re.Status != "pending" && re.Status != "delivered") {
				t.Fatalf("redeliver = %d %s", r.Status, r.Body)
			}
			second := waitAttempt(t, events, webhook.StatusDelivered)
			if second.DeliveryID != d.ID || second.Attempt != 2 {
				t.Fatalf("redelivery attempt %+v", second)
			}
			r = n.Do("GET", "/api/admin/deliveries/"+d.ID, owner, nil)
			got = httpapi.DeliveryDetail{}
			r.JSON(t, &got)
			if got.Status != "delivered" || len(got.AttemptLog) != 2 || got.AttemptLog[1].StatusCode != 200 {
				t.Fatalf("after redelivery %s", r.Body)
			}
			if ids := recv.ids(); len(ids) != 2 || ids[0] != d.ID || ids[1] != d.ID {
				t.Fatalf("receiver saw %v, want %s twice", ids, d.ID)
			}
		})
	}
}
