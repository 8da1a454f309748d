package node_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

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

// TestMediaTypeInAnyCase: a media type is case-insensitive, so a JSON
// body sent as "Application/JSON" is taken like one sent as
// "application/json", on the caller API and on /mcp alike.
func TestMediaTypeInAnyCase(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: &testbed.Script{Step: testbed.Echo}})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	if r := n.Do("POST", "/api/agent", c, map[string]any{"message": "hi"}, "Content-Type", "Application/JSON; charset=UTF-8"); r.Status != 202 {
		t.Fatalf("POST /api/agent as Application/JSON: %d %s", r.Status, r.Body)
	}
	r := n.Do("POST", "/mcp", c, map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
		"Content-Type", "APPLICATION/JSON", "Accept", "application/json, text/event-stream", "MCP-Protocol-Version", "2025-06-18")
	if r.Status != 200 || !strings.Contains(string(r.Body), "contacts_search") {
		t.Fatalf("POST /mcp as APPLICATION/JSON: %d %s", r.Status, r.Body)
	}
}
