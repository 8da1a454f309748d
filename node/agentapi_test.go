package node_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type conv struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Reply       string `json:"reply"`
	CostUSD     string `json:"cost_usd"`
	SignedReply string `json:"signed_reply"`
	Metadata    map[string]any
	Turns       []struct {
		Turn    int    `json:"turn"`
		Message string `json:"message"`
		Reply   string `json:"reply"`
		Status  string `json:"status"`
	} `json:"turns"`
}

type accepted struct {
	ConversationID string `json:"conversation_id"`
	Status         string `json:"status"`
	PollURL        string `json:"poll_url"`
}

type problem struct {
	Type, Title, Detail string
	Status              int
}

func eachNode(t *testing.T, s *testbed.Script, fn func(t *testing.T, n *testbed.Node)) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			fn(t, testbed.Start(t, node.Config{DatabaseURL: url, Provider: s}))
		})
	}
}

func TestAgentEndpoint(t *testing.T) {
	eachNode(t, &testbed.Script{Step: testbed.Echo}, func(t *testing.T, n *testbed.Node) {
		c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})

		r := n.Do("POST", "/api/agent", c, map[string]any{"message": "hello", "metadata": map[string]any{"ticket": 7}})
		if r.Status != http.StatusAccepted {
			t.Fatalf("POST = %d %s", r.Status, r.Body)
		}
		var acc accepted
		r.JSON(t, &acc)
		if acc.Status != "queued" || acc.PollURL != "/api/agent/conversations/"+acc.ConversationID || r.Header.Get("Location") != acc.PollURL {
			t.Fatalf("202 body %+v, Location %q", acc, r.Header.Get("Location"))
		}

		r = n.Do("POST", "/api/agent?wait=10", c, map[string]any{"message": "again", "conversation_id": acc.ConversationID})
		if r.Status != http.StatusOK && r.Status != http.StatusConflict {
			t.Fatalf("continue = %d %s", r.Status, r.Body)
		}
		got := waitDone(t, n, c, acc.ConversationID)
		if got.Metadata["ticket"] != float64(7) {
			t.Errorf("metadata not echoed: %+v", got.Metadata)
		}
		if got.Turns[0].Reply != "echo: hello" {
			t.Errorf("turn 1 reply %q", got.Turns[0].Reply)
		}
	})
}

// waitDone polls with ?wait= until the conversation's turn stops.
func waitDone(t *testing.T, n *testbed.Node, c testbed.Creds, id string) conv {
	t.Helper()
	for i := 0; i < 30; i++ {
		r := n.Do("GET", "/api/agent/conversations/"+id+"?wait=2", c, nil)
		var cv conv
		r.JSON(t, &cv)
		if cv.Status != "queued" && cv.Status != "running" {
			return cv
		}
	}
	t.Fatalf("conversation %s did not finish", id)
	return conv{}
}

func TestWaitReturnsConversation(t *testing.T) {
	eachNode(t, &testbed.Script{Step: testbed.Echo}, func(t *testing.T, n *testbed.Node) {
		c := testbed.Workspace(t, n.DB(), workspace.Member, access.KeyParams{})
		r := n.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": "hi there"})
		if r.Status != http.StatusOK {
			t.Fatalf("wait = %d %s", r.Status, r.Body)
		}
		var cv conv
		r.JSON(t, &cv)
		if cv.Status != "completed" || cv.Reply != "echo: hi there" || len(cv.Turns) != 1 || cv.CostUSD != "0.000000" {
			t.Fatalf("conversation %+v", cv)
		}
	})
}

func TestIdempotencyAndConflict(t *testing.T) {
	gate := make(chan struct{})
	s := &testbed.Script{Step: testbed.Echo, Gate: gate}
	eachNode(t, s, func(t *testing.T, n *testbed.Node) {
		c := testbed.Workspace(t, n.DB(), workspace.Member, access.KeyParams{})
		body := map[string]any{"message": "only once"}
		r1 := n.Do("POST", "/api/agent", c, body, "Idempotency-Key", "abc")
		r2 := n.Do("POST", "/api/agent", c, body, "Idempotency-Key", "abc")
		var a1, a2 accepted
		r1.JSON(t, &a1)
		r2.JSON(t, &a2)
		if r1.Status != 202 || r2.Status != 202 || a1.ConversationID != a2.ConversationID {
			t.Fatalf("idempotent replay: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
		}
		r3 := n.Do("POST", "/api/agent", c, map[string]any{"message": "different"}, "Idempotency-Key", "abc")
		if r3.Status != 422 {
			t.Fatalf("reused key with another body = %d %s", r3.Status, r3.Body)
		}
		// The turn is held in the gate: a second message conflicts.
		r4 := n.Do("POST", "/api/agent", c, map[string]any{"message": "more", "conversation_id": a1.ConversationID})
		if r4.Status != http.StatusConflict {
			t.Fatalf("message to a running conversation = %d %s", r4.Status, r4.Body)
		}
		// Cancel it; the gate is then released for the next subtest.
		r5 := n.Do("POST", "/api/agent/conversations/"+a1.ConversationID+"/cancel", c, nil)
		if r5.Status != 200 {
			t.Fatalf("cancel = %d %s", r5.Status, r5.Body)
		}
		var cv conv
		r5.JSON(t, &cv)
		if cv.Status != "canceled" {
			t.Fatalf("after cancel: %+v", cv)
		}
		r6 := n.Do("POST", "/api/agent/conversations/"+a1.ConversationID+"/cancel", c, nil)
		if r6.Status != http.StatusConflict {
			t.Fatalf("second cancel = %d", r6.Status)
		}
		var count int
		if err := n.DB().QueryRow(t.Context(), `SELECT count(*) FROM turns WHERE conversation_id = ?`, a1.ConversationID).Scan(&count); err != nil || count != 1 {
			t.Fatalf("turns stored = %d, %v; want 1", count, err)
		}
	})
	close(gate)
}

func TestBadInputChangesNothing(t *testing.T) {
	eachNode(t, &testbed.Script{Step: testbed.Echo}, func(t *testing.T, n *testbed.Node) {
		c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
		other := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
		revoked := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
		if err := access.RevokeKey(t.Context(), n.DB(), revoked.WorkspaceID, revoked.KeyID, time.Now()); err != nil {
			t.Fatal(err)
		}
		r := n.Do("POST", "/api/agent?wait=10", other, map[string]any{"message": "theirs"})
		var theirs conv
		r.JSON(t, &theirs)

		big := `{"message": "` + strings.Repeat("a", 70<<10) + `"}`
		cases := []struct {
			name   string
			creds  testbed.Creds
			body   any
			path   string
			status int
		}{
			{"malformed json", c, `{"message": `, "/api/agent", 400},
			{"no credentials", testbed.Creds{}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"token only", testbed.Creds{Token: c.Token}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"key of another workspace", testbed.Creds{Token: c.Token, APIKey: other.APIKey}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"revoked key", revoked, map[string]any{"message": "x"}, "/api/agent", 401},
			{"wrong key", testbed.Creds{Token: c.Token, APIKey: "sois_" + strings.Repeat("a", 52)}, map[string]any{"message": "x"}, "/api/agent", 401},
			{"empty message", c, map[string]any{"message": "   "}, "/api/agent", 422},
			{"missing message", c, map[string]any{}, "/api/agent", 422},
			{"too large", c, big, "/api/agent", 413},
			{"invalid utf-8", c, []byte("{\"message\": \"caf\xe9\"}"), "/api/agent", 400},
			{"unknown conversation", c, map[string]any{"message": "x", "conversation_id": "01JNOTAREALCONVERSATIONID0"}, "/api/agent", 404},
			{"another workspace's conversation", c, map[string]any{"message": "x", "conversation_id": theirs.ID}, "/api/agent", 404},
			{"wait too long", c, map[string]any{"message": "x"}, "/api/agent?wait=61", 422},
		}
		before := countRows(t, n)
		for _, tc := range cases {
			r := n.Do("POST", tc.path, tc.creds, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: status %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
				continue
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("%s: content type %q", tc.name, ct)
			}
			var p problem
			r.JSON(t, &p)
			if p.Status != tc.status || p.Detail == "" {
				t.Errorf("%s: problem %+v", tc.name, p)
			}
		}
		if after := countRows(t, n); after != before {
			t.Fatalf("rejected requests stored rows: before %s after %s", before, after)
		}
		// 404 for another workspace's conversation is indistinguishable from unknown.
		a := n.Do("GET", "/api/agent/conversations/"+theirs.ID, c, nil)
		b := n.Do("GET", "/api/agent/conversations/01JNOTAREALCONVERSATIONID0", c, nil)
		var pa, pb problem
		a.JSON(t, &pa)
		b.JSON(t, &pb)
		if a.Status != 404 || b.Status != 404 || strings.Replace(pa.Detail, theirs.ID, "ID", 1) != strings.Replace(pb.Detail, "01JNOTAREALCONVERSATIONID0", "ID", 1) {
			t.Fatalf("GET other workspace: %d %s / unknown: %d %s", a.Status, a.Body, b.Status, b.Body)
		}
	})
}

func countRows(t *testing.T, n *testbed.Node) string {
	var out []string
	for _, table := range []string{"conversations", "turns", "idempotency_keys"} {
		var c int
		if err := n.DB().QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, c))
	}
	return strings.Join(out, " ")
}

func TestConcurrentSubmissions(t *testing.T) {
	eachNode(t, &testbed.Script{Step: testbed.Echo}, func(t *testing.T, n *testbed.Node) {
		c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := n.Do("POST", "/api/agent", c, map[string]any{"message": fmt.Sprintf("m%d", i)})
				if r.Status != 202 {
					t.Errorf("POST = %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		r := n.Do("GET", "/api/agent/conversations?limit=100", c, nil)
		var page struct {
			Conversations []conv `json:"conversations"`
		}
		r.JSON(t, &page)
		if len(page.Conversations) != 20 {
			t.Fatalf("listed %d conversations", len(page.Conversations))
		}
	})
}

// TestConversationBelongsToItsKey: another key of the same workspace can
// neither read, cancel nor continue a conversation; it is simply not found.
func TestConversationBelongsToItsKey(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: &testbed.Script{Step: testbed.Echo, Gate: gate}})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	r := n.Do("POST", "/api/agent", c, map[string]any{"message": "mine"})
	var a accepted
	r.JSON(t, &a)
	_, otherKey, err := access.CreateKey(t.Context(), n.DB(), c.WorkspaceID, access.KeyParams{BudgetDaily: -1, BudgetMonthly: -1, BudgetTotal: -1}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	other := testbed.Creds{Token: c.Token, APIKey: otherKey}
	for _, probe := range []struct{ method, path string }{
		{"GET", "/api/agent/conversations/" + a.ConversationID},
		{"POST", "/api/agent/conversations/" + a.ConversationID + "/cancel"},
	} {
		if r := n.Do(probe.method, probe.path, other, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s %s with another key = %d %s", probe.method, probe.path, r.Status, r.Body)
		}
	}
	if r := n.Do("POST", "/api/agent", other, map[string]any{"message": "x", "conversation_id": a.ConversationID}); r.Status != http.StatusNotFound {
		t.Errorf("continue with another key = %d %s", r.Status, r.Body)
	}
	if r := n.Do("GET", "/api/agent/conversations/"+a.ConversationID, c, nil); r.Status != http.StatusOK {
		t.Errorf("own conversation = %d", r.Status)
	}
}
