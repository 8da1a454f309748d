package node_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsHoldNoSecrets runs requests, good and bad, with debug logging
// and checks no credential appears in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs lockedBuffer
	ctx := context.Background()
	n, err := node.New(ctx, node.Config{DatabaseURL: storetest.SQLiteURL(t), DataDir: t.TempDir(), Listen: "127.0.0.1:0"},
		slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(ctx)
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	tb := &testbed.Node{Node: n, T: t}
	tb.Do("POST", "/api/agent?wait=10", c, map[string]any{"message": "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"})
	tb.Do("POST", "/api/agent", testbed.Creds{Token: c.Token, APIKey: c.APIKey + "x"}, map[string]any{"message": "x"})
	tb.Do("POST", "/api/agent", testbed.Creds{Token: c.APIKey, APIKey: c.Token}, map[string]any{"message": "x"})
	if !strings.Contains(logs.String(), "turn finished") {
		t.Fatalf("the log is missing expected lines: %s", logs.String())
	}
	for _, secret := range []string{c.Token, c.APIKey, strings.TrimPrefix(c.Token, "sois_tok_"), strings.TrimPrefix(c.APIKey, "sois_")} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("a secret reached the log")
		}
	}
}

func TestHealthReadyMetricsAndDocs(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	for _, pw := range [][2]string{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/metrics", "sois_http_requests_total"}, // counts the requests above
		{"/openapi.yaml", "openapi: 3.1"},
		{"/.well-known/jwks.json", `"EdDSA"`},
		{"/api/agent/budget", "Unauthorized"},
		{"/api/agent/conversations", "Unauthorized"},
	} {
		path, want := pw[0], pw[1]
		r := n.Do("GET", path, testbed.Creds{}, nil)
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("GET %s = %d %.200s; want %q", path, r.Status, r.Body, want)
		}
	}
}

// TestGracefulShutdown: a request in flight finishes while the node stops.
func TestGracefulShutdown(t *testing.T) {
	gate := make(chan struct{})
	ctx := context.Background()
	n, err := node.New(ctx, node.Config{DatabaseURL: storetest.SQLiteURL(t), DataDir: t.TempDir(), Listen: "127.0.0.1:0",
		Provider: &testbed.Script{Step: testbed.Echo, Gate: gate}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	tb := &testbed.Node{Node: n, T: t}
	done := make(chan testbed.Response, 1)
	go func() { done <- tb.Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "slow"}) }()
	// Wait until the turn is running, then shut down while it runs.
	poll.Wait(t, 10*time.Second, "the turn to start", func() bool {
		var running int
		_ = n.DB().QueryRow(ctx, `SELECT count(*) FROM turns WHERE status = 'running'`).Scan(&running)
		return running == 1
	})
	stopped := make(chan error, 1)
	go func() {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		stopped <- n.Shutdown(sctx)
	}()
	close(gate)
	r := <-done
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"completed"`) {
		t.Fatalf("in-flight request: %d %s", r.Status, r.Body)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
