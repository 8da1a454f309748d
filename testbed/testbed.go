// Package testbed starts whole soisnode nodes on 127.0.0.1 for end-to-end
// tests, scenarios and benchmarks, and gives them credentials.
package testbed

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

// Node is a started node with an HTTP client.
type Node struct {
	*node.Node
	T testing.TB
}

// Start builds and starts a node on cfg (Listen forced to 127.0.0.1:0) and
// shuts it down when t ends. A new, empty test database gets the node's
// schema as a copy of a template migrated once per test process
// (storetest.FromTemplate).
func Start(t testing.TB, cfg node.Config) *Node {
	t.Helper()
	storetest.FromTemplate(t, cfg.DatabaseURL, "node", node.Migrate)
	cfg.Listen = "127.0.0.1:0"
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	n, err := node.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("node.New: %v", err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatalf("node.Start: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = n.Shutdown(sctx)
	})
	return &Node{Node: n, T: t}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// Creds are a workspace's credentials.
type Creds struct {
	WorkspaceID, MemberID, KeyID string
	Token, APIKey                string
}

// Workspace creates a workspace with one member of role, a token and a key
// with params (zero budgets mean none).
func Workspace(t testing.TB, db *store.DB, role workspace.Role, p access.KeyParams) Creds {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	if p.BudgetDaily == 0 && p.BudgetMonthly == 0 && p.BudgetTotal == 0 {
		p.BudgetDaily, p.BudgetMonthly, p.BudgetTotal = budget.None, budget.None, budget.None
	}
	var c Creds
	err := db.InTx(ctx, func(tx store.Tx) error {
		ws, err := access.CreateWorkspace(ctx, tx, "Test Workspace", now)
		if err != nil {
			return err
		}
		m, err := access.AddMember(ctx, tx, ws.ID, "Test Member", "member@example.com", role, now)
		if err != nil {
			return err
		}
		_, tok, err := access.CreateToken(ctx, tx, ws.ID, m.ID, "test", now)
		if err != nil {
			return err
		}
		k, key, err := access.CreateKey(ctx, tx, ws.ID, p, nil, now)
		if err != nil {
			return err
		}
		c = Creds{WorkspaceID: ws.ID, MemberID: m.ID, KeyID: k.ID, Token: tok, APIKey: key}
		return nil
	})
	if err != nil {
		t.Fatalf("testbed workspace: %v", err)
	}
	return c
}

// Response is an HTTP response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request with c's credentials (zero Creds: none).
func (n *Node) Do(method, path string, c Creds, body any, headers ...string) Response {
	n.T.Helper()
	req := NewRequest(n.T, method, n.URL()+path, c, body, headers...)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// NewRequest builds a request with c's credentials (zero Creds: none) and
// body: nil for none, []byte or string as is, anything else as JSON;
// headers are name, value pairs.
func NewRequest(t testing.TB, method, url string, c Creds, body any, headers ...string) *http.Request {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.APIKey != "" {
		req.Header.Set("X-Api-Key", c.APIKey)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}
