package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/poll"
)

// DESIGN §6: webhook delivery.
func TestSection6Webhooks(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	n := startNode(t, "SOIS_WEBHOOK_ALLOW_HOSTS=127.0.0.1")
	c := n.initWorkspace(t)
	set := n.jwks(t)

	t.Run("body: event, delivery_id, conversation as GET returns it, signed_reply", func(t *testing.T) {
		k := n.keyCreate(t, c.WorkspaceID, "--response-url", rc.srv.URL+"/body")
		a := auth{c.Token, k}
		cv := n.send(t, a, map[string]any{"message": "Create a contact for Hook Body, hook@example.com", "metadata": map[string]any{"ref": "x1"}})
		d := rc.wait(t, "/body", 1, 30*time.Second)[0]
		checkWebhook(t, set, d)
		var body map[string]json.RawMessage
		if err := json.Unmarshal(d.Body, &body); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range body {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "conversation,delivery_id,event,signed_reply" {
			t.Errorf("body fields %v", keys)
		}
		var event, signed string
		_ = json.Unmarshal(body["event"], &event)
		_ = json.Unmarshal(body["signed_reply"], &signed)
		if event != "conversation.completed" || d.Header.Get("Sois-Event") != event {
			t.Errorf("event %q", event)
		}
		var got conv
		if err := json.Unmarshal(body["conversation"], &got); err != nil {
			t.Fatal(err)
		}
		g := n.do(t, "GET", "/api/agent/conversations/"+cv.ID, a, nil)
		var want map[string]any
		var have map[string]any
		g.json(t, &want)
		_ = json.Unmarshal(body["conversation"], &have)
		for k := range want {
			if _, ok := have[k]; !ok {
				t.Errorf("webhook conversation lacks %q", k)
			}
		}
		if got.ID != cv.ID || got.Status != "completed" || len(got.Turns) != 1 || !strings.Contains(string(got.Metadata), "x1") {
			t.Errorf("webhook conversation: %s", body["conversation"])
		}
		if signed == "" || signed != got.SignedReply {
			t.Errorf("signed_reply %q vs conversation's %q", signed, got.SignedReply)
		}
		verifyCompact(t, set, signed)
	})

	t.Run("conversation.input_required", func(t *testing.T) {
		k := n.keyCreate(t, c.WorkspaceID, "--response-url", rc.srv.URL+"/ask")
		a := auth{c.Token, k}
		for i := 0; i < 6; i++ {
			n.send(t, a, map[string]any{"message": fmt.Sprintf("Create a contact for Ask Person%c, ask%d@example.com, at Askco", 'A'+i, i)})
		}
		cv := n.send(t, a, map[string]any{"message": "Delete all contacts from Askco"})
		if cv.Status != "input_required" {
			t.Fatalf("status %q", cv.Status)
		}
		ds := rc.wait(t, "/ask", 7, 30*time.Second)
		found := false
		for _, d := range ds {
			if d.Header.Get("Sois-Event") == "conversation.input_required" {
				found = true
				checkWebhook(t, set, d)
			}
		}
		if !found {
			t.Errorf("no conversation.input_required delivery")
		}
	})

	t.Run("3xx is a failure: retried with the same delivery id", func(t *testing.T) {
		rc.answer("/redirect", http.StatusFound, http.StatusOK)
		k := n.keyCreate(t, c.WorkspaceID, "--response-url", rc.srv.URL+"/redirect")
		n.send(t, auth{c.Token, k}, map[string]any{"message": "List all contacts"})
		ds := rc.wait(t, "/redirect", 2, 60*time.Second)
		id1, id2 := checkWebhook(t, set, ds[0]), checkWebhook(t, set, ds[1])
		if id1 != id2 {
			t.Errorf("retry has another delivery id: %s, %s", id1, id2)
		}
		if gap := ds[1].At.Sub(ds[0].At); gap < 2*time.Second {
			t.Errorf("retried after %v: no backoff", gap)
		}
		if len(rc.deliveries("/elsewhere")) != 0 {
			t.Errorf("a redirect was followed")
		}
		// Each attempt is recorded: deliveries show ID --json.
		var shown struct {
			Status     string           `json:"status"`
			AttemptLog []map[string]any `json:"attempt_log"`
		}
		waitFor(t, 10*time.Second, func() bool {
			decode(t, n.mustCLI(t, "deliveries", "show", id1, "--json"), &shown)
			return shown.Status == "delivered"
		})
		if len(shown.AttemptLog) != 2 {
			t.Fatalf("attempt_log: %+v", shown.AttemptLog)
		}
		if shown.AttemptLog[0]["status_code"] != float64(302) || shown.AttemptLog[1]["status_code"] != float64(200) {
			t.Errorf("attempt_log statuses: %+v", shown.AttemptLog)
		}
		if _, ok := shown.AttemptLog[0]["latency_ms"]; !ok {
			t.Errorf("attempt without latency: %+v", shown.AttemptLog[0])
		}
	})

	t.Run("410 Gone stops deliveries to the URL; an admin redelivers with the same id", func(t *testing.T) {
		rc.answer("/gone", http.StatusGone, http.StatusOK)
		k := n.keyCreate(t, c.WorkspaceID, "--response-url", rc.srv.URL+"/gone")
		a := auth{c.Token, k}
		n.send(t, a, map[string]any{"message": "List all contacts"})
		first := rc.wait(t, "/gone", 1, 30*time.Second)[0]
		id := checkWebhook(t, set, first)
		n.send(t, a, map[string]any{"message": "find Jane"})
		// The second turn's delivery is queued as disabled in its finishing
		// transaction: once the list shows it so, it can never be sent.
		var list []map[string]any
		waitFor(t, 30*time.Second, func() bool {
			decode(t, n.mustCLI(t, "deliveries", "list", "--workspace", c.WorkspaceID, "--json"), &list)
			for _, d := range list {
				if d["id"] != id && d["status"] == "disabled" {
					return true
				}
			}
			return false
		})
		if got := len(rc.deliveries("/gone")); got != 1 {
			t.Fatalf("after 410 the URL got %d deliveries", got)
		}
		var status string
		for _, d := range list {
			if d["id"] == id {
				status, _ = d["status"].(string)
			}
		}
		if status == "" || status == "delivered" || status == "pending" {
			t.Errorf("delivery %s after 410: status %q", id, status)
		}
		n.mustCLI(t, "deliveries", "redeliver", id)
		ds := rc.wait(t, "/gone", 2, 30*time.Second)
		if again := checkWebhook(t, set, ds[1]); again != id {
			t.Errorf("redelivery has id %s, want %s", again, id)
		}
	})

	t.Run("response_url: https, private and loopback targets refused unless allow-listed", func(t *testing.T) {
		strict := &node{dir: n.dir}
		for _, kv := range n.env {
			if !strings.HasPrefix(kv, "SOIS_WEBHOOK_ALLOW_HOSTS=") {
				strict.env = append(strict.env, kv)
			}
		}
		for _, u := range []string{
			"http://hooks.example.com/x", // not https
			"https://127.0.0.1/x",        // loopback
			"https://localhost/x",        // resolves to loopback
			"https://10.1.2.3/x",         // private
			"https://192.168.1.1/x",      // private
			"https://169.254.169.254/x",  // link-local (cloud metadata)
			"https://[::1]/x",            // loopback
			"ftp://hooks.example.com/x",  // not http(s)
		} {
			if out, _, code := strict.cli(t, "keys", "create", "--workspace", c.WorkspaceID, "--response-url", u); code == 0 {
				t.Errorf("keys create --response-url %s was accepted: %s", u, out)
			}
		}
		if _, errOut, code := strict.cli(t, "keys", "create", "--workspace", c.WorkspaceID, "--response-url", "https://hooks.example.com/x"); code != 0 {
			t.Errorf("a public https URL was refused: %s", errOut)
		}
	})
}

func waitFor(t *testing.T, timeout time.Duration, ok func() bool) {
	t.Helper()
	poll.Wait(t, timeout, "the condition", ok)
}
