package node_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// heldNode starts a node with one worker whose scripted model holds every
// turn, so the first turn runs (held) and every later one stays queued.
func heldNode(t *testing.T, url string, cfg node.Config) (*testbed.Node, *testbed.Script) {
	t.Helper()
	script := &testbed.Script{Gate: make(chan struct{})}
	cfg.DatabaseURL, cfg.Provider, cfg.Workers = url, script, 1
	n := testbed.Start(t, cfg)
	t.Cleanup(func() { close(script.Gate) }) // before the node's shutdown
	return n, script
}

// fillRunning sends one message and waits until its turn is running (in
// the model call, held).
func fillRunning(t *testing.T, n *testbed.Node, s *testbed.Script, c testbed.Creds) {
	t.Helper()
	if r := n.Do("POST", "/api/agent", c, map[string]any{"message": "first"}); r.Status != 202 {
		t.Fatalf("first message: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.Calls() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first turn never reached the model")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func requireOverloaded(t *testing.T, r testbed.Response, detail string) {
	t.Helper()
	if r.Status != 503 || r.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
		!strings.Contains(string(r.Body), httpapi.OverloadType) || !strings.Contains(string(r.Body), detail) {
		t.Fatalf("want 503 overloaded with Retry-After naming %q, got %d %v %s", detail, r.Status, r.Header, r.Body)
	}
}

// TestBacklogLimit: past SOIS_MAX_BACKLOG queued turns, POST /api/agent
// answers 503 with Retry-After and takes nothing; /readyz and /metrics
// say so; an idempotent replay still gets its original answer.
func TestBacklogLimit(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n, s := heldNode(t, url, node.Config{MaxBacklog: 3})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			fillRunning(t, n, s, c)
			first := n.Do("POST", "/api/agent", c, map[string]any{"message": "queued 1"}, "Idempotency-Key", "k1")
			if first.Status != 202 {
				t.Fatalf("queued 1: %d %s", first.Status, first.Body)
			}
			for _, m := range []string{"queued 2", "queued 3"} {
				if r := n.Do("POST", "/api/agent", c, map[string]any{"message": m}); r.Status != 202 {
					t.Fatalf("%s: %d %s", m, r.Status, r.Body)
				}
			}
			convs := count(t, n.DB(), `SELECT count(*) FROM conversations`)

			r := n.Do("POST", "/api/agent", c, map[string]any{"message": "one too many"})
			requireOverloaded(t, r, "3 turns are queued")
			if got := count(t, n.DB(), `SELECT count(*) FROM conversations`); got != convs {
				t.Fatalf("a refused message left a conversation: %d, want %d", got, convs)
			}
			if got := count(t, n.DB(), `SELECT count(*) FROM turns WHERE message = 'one too many'`); got != 0 {
				t.Fatalf("a refused message left a turn")
			}
			replay := n.Do("POST", "/api/agent", c, map[string]any{"message": "queued 1"}, "Idempotency-Key", "k1")
			if replay.Status != 202 || string(replay.Body) != string(first.Body) {
				t.Fatalf("replay while overloaded: %d %s, want the original %s", replay.Status, replay.Body, first.Body)
			}

			ready := n.Do("GET", "/readyz", testbed.Creds{}, nil)
			if ready.Status != 503 || !strings.Contains(string(ready.Body), `"overloaded"`) || !strings.Contains(string(ready.Body), `"queued_turns":3`) {
				t.Fatalf("/readyz = %d %s", ready.Status, ready.Body)
			}
			metrics := string(n.Do("GET", "/metrics", testbed.Creds{}, nil).Body)
			for _, want := range []string{"sois_queue_queued_turns 3", "sois_queue_overloaded 1", `sois_queue_refused_total{reason="backlog"} 1`} {
				if !strings.Contains(metrics, want) {
					t.Errorf("/metrics lacks %q", want)
				}
			}
		})
	}
}

// TestBacklogPerKeyCap: one key at its cap of queued turns is refused
// while another key's messages are still taken.
func TestBacklogPerKeyCap(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n, s := heldNode(t, url, node.Config{MaxQueuedPerKey: 2})
			flood := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			other := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			fillRunning(t, n, s, flood)
			for _, m := range []string{"queued 1", "queued 2"} {
				if r := n.Do("POST", "/api/agent", flood, map[string]any{"message": m}); r.Status != 202 {
					t.Fatalf("%s: %d %s", m, r.Status, r.Body)
				}
			}
			requireOverloaded(t, n.Do("POST", "/api/agent", flood, map[string]any{"message": "flood"}), "limit per key is 2")
			if r := n.Do("POST", "/api/agent", other, map[string]any{"message": "mine"}); r.Status != 202 {
				t.Fatalf("another key was refused: %d %s", r.Status, r.Body)
			}
			if ready := n.Do("GET", "/readyz", testbed.Creds{}, nil); ready.Status != 200 {
				t.Fatalf("one key at its cap is not a node overload: /readyz = %d %s", ready.Status, ready.Body)
			}
			metrics := string(n.Do("GET", "/metrics", testbed.Creds{}, nil).Body)
			if !strings.Contains(metrics, `sois_queue_refused_total{reason="key"} 1`) {
				t.Errorf("/metrics lacks the per-key refusal")
			}
		})
	}
}

// TestBacklogAgeLimit: with SOIS_MAX_QUEUE_AGE, a queued turn older than
// the limit makes the node refuse new ones.
func TestBacklogAgeLimit(t *testing.T) {
	var offset atomic.Int64 // how far the node's clock is ahead of time.Now
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	n, s := heldNode(t, storetest.SQLiteURL(t), node.Config{MaxQueueAge: time.Minute, Now: clock})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	fillRunning(t, n, s, c)
	if r := n.Do("POST", "/api/agent", c, map[string]any{"message": "waits"}); r.Status != 202 {
		t.Fatalf("queued: %d %s", r.Status, r.Body)
	}
	if r := n.Do("POST", "/api/agent", c, map[string]any{"message": "still fine"}); r.Status != 202 {
		t.Fatalf("young backlog refused: %d %s", r.Status, r.Body)
	}
	offset.Store(int64(2 * time.Minute))
	requireOverloaded(t, n.Do("POST", "/api/agent", c, map[string]any{"message": "late"}), "oldest queued turn has waited 2m")
}
