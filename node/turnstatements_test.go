package node_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// maxTurnStatements is what a one-answer turn of a zero-latency model
// may cost in statements, from the request's authentication to the
// ?wait= answer: authentication 1 (token, member and key in one query),
// the accept 2 (1 on PostgreSQL), start 2 (turn, conversation; the
// holds of an earlier run are looked for only from a turn's second run
// on), the run's reads 5 (conversation, turns, key, member, steps), the
// answer and outcome 3 (step, turn, conversation; a free call writes no
// ledger row), the finish's read-back 2 and the A2A push lookup 1
// (docs/benchmarks-history.md, "Session 6"; docs/benchmarks.md, "Session
// 7"). Raise it only for a reason written there. Not counted: the backlog
// reading (httpapi/backlog.go), at most one per accept and shared by all
// of a key's accepts within 100 ms, so an accept pays it only on a node
// that has been quiet that long, as a turn of a loaded test machine may.
const maxTurnStatements = 16

// backlogRead is what identifies the backlog reading's statement.
const backlogRead = "FROM turns WHERE status = 'queued'"

// TestZeroTurnStatements counts the statements of one turn sent with
// POST /api/agent?wait= and answered at once by the model with text: no
// more than maxTurnStatements; the key's row read by authentication and
// once by the run (the finish hook reuses the run's), the conversation
// read back once, by the finishing transaction (the waiting request is
// handed that read, it does not read again), and the webhook dispatcher
// not woken to claim deliveries when the turn queued none. The answer is
// the conversation as a later GET reads it.
func TestZeroTurnStatements(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: &testbed.Script{Step: testbed.Echo}})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			// Warm up: the dispatcher's first claim, River's start.
			if r := n.Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "warm"}); r.Status != 200 {
				t.Fatalf("warm-up: %d %s", r.Status, r.Body)
			}
			// The node's background loops (the lease sweep, the webhook
			// dispatcher's poll, budget and federation sweeps) run
			// statements of their own now and then: of three turns, the
			// one with the fewest statements is counted.
			var mu sync.Mutex
			var qs []string
			for i := range 3 {
				var seen []string
				n.DB().Observe(func(q string) {
					mu.Lock()
					defer mu.Unlock()
					seen = append(seen, strings.Join(strings.Fields(q), " "))
				})
				r := n.Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "hello"})
				n.DB().Observe(nil)
				var cv fullConv
				r.JSON(t, &cv)
				if r.Status != 200 || cv.Status != "completed" || cv.Reply != "echo: hello" {
					t.Fatalf("turn: %d %s", r.Status, r.Body)
				}
				got := n.Do("GET", "/api/agent/conversations/"+cv.ID, c, nil)
				if got.Status != 200 || !sameJSON(t, got.Body, r.Body) {
					t.Fatalf("the ?wait= answer is not the conversation as read:\nwait: %s\nget:  %s", r.Body, got.Body)
				}
				mu.Lock()
				backlog := 0
				counted := seen[:0:0]
				for _, q := range seen {
					if strings.Contains(q, backlogRead) {
						backlog++
						continue
					}
					counted = append(counted, q)
				}
				if backlog > 1 {
					mu.Unlock()
					t.Fatalf("the backlog read %d times for one accept, want at most once:\n%s", backlog, strings.Join(seen, "\n"))
				}
				if i == 0 || len(counted) < len(qs) {
					qs = counted
				}
				mu.Unlock()
			}

			mu.Lock()
			defer mu.Unlock()
			count := func(sub string) int {
				k := 0
				for _, q := range qs {
					if strings.Contains(q, sub) {
						k++
					}
				}
				return k
			}
			list := strings.Join(qs, "\n")
			switch {
			case len(qs) == 0:
				t.Fatal("no statement observed")
			case len(qs) > maxTurnStatements:
				t.Fatalf("%d statements for one zero-latency turn, want at most %d:\n%s", len(qs), maxTurnStatements, list)
			case count("api_keys") != 2:
				t.Fatalf("api_keys read %d times, want 2 (authentication, the run):\n%s", count("api_keys"), list)
			case count("FROM conversations WHERE") != 2:
				t.Fatalf("conversation read %d times, want 2 (the run, the finish):\n%s", count("FROM conversations WHERE"), list)
			case count("deliveries") != 0:
				t.Fatalf("a turn with no webhook touched deliveries:\n%s", list)
			}
		})
	}
}

// sameJSON reports whether two JSON documents hold the same value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
