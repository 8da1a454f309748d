// Package httpapitest tests the node's HTTP operations without a process:
// New builds an httpapi.Server on a throw-away, migrated database with the
// real services (budgets, the job queue without workers, webhook
// deliveries, files, negotiations, signing keys), registers it on a Huma
// API and mounts its plain handlers on the same mux, and wraps that in
// humatest. A test sends a request straight to the operations and their
// middleware, in milliseconds, and reads the database to check what
// changed. No turn runs: an accepted message stays queued, which is all a
// handler test needs. Tests of what needs a running node (turns that
// complete, webhooks sent, federation between nodes) start one with
// testbed.Start instead.
package httpapitest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2/humatest"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

// Options choose the database and what the operations are told.
type Options struct {
	// DatabaseURL is the database to use (storetest.URLs gives both
	// dialects); default a fresh SQLite file.
	DatabaseURL string
	// Config is the operations' configuration; NodeID defaults to
	// "node_test", Version to "test".
	Config httpapi.Config
	// Now replaces the clock.
	Now func() time.Time
	// Paid makes the model cost money, so accepting a message checks the
	// key's budgets (by default the provider is free, as the local agent).
	Paid bool
}

// API is a Server's operations and plain handlers behind humatest, with
// the database and services it runs on.
type API struct {
	humatest.TestAPI
	Server *httpapi.Server
	DB     *store.DB
	Keys   *signing.Keyring
	// Notified counts the webhook dispatcher's wake-ups (a redelivery
	// wakes it).
	Notified *atomic.Int64
	// Canceled counts turns canceled by their caller; Rejected counts
	// federation envelopes refused before the exchange service saw them.
	Canceled, Rejected *atomic.Int64
}

// New builds a Server on a fresh database (o.DatabaseURL's, migrated) and
// closes it when the test ends.
func New(t testing.TB, o Options) *API {
	t.Helper()
	ctx := context.Background()
	url := o.DatabaseURL
	if url == "" {
		url = storetest.SQLiteURL(t)
	}
	db := storetest.Open(t, url)
	if err := queue.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate the job queue: %v", err)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	q, err := queue.New(db, queue.Config{}, nil) // inserts jobs; works none
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	keys, err := signing.New(db, make([]byte, 32), signing.Options{Now: now})
	if err != nil {
		t.Fatalf("keyring: %v", err)
	}
	if err := keys.Ensure(ctx); err != nil {
		t.Fatalf("signing key: %v", err)
	}
	cfg := o.Config
	if cfg.NodeID == "" {
		cfg.NodeID = "node_test"
	}
	if cfg.Version == "" {
		cfg.Version = "test"
	}
	if cfg.MaxFileSize == 0 {
		cfg.MaxFileSize = httpapi.DefaultMaxFileSize
	}
	budgets := budget.New(db, now, budget.Options{})
	t.Cleanup(budgets.Close)
	negotiations := &negotiation.Service{DB: db, Self: cfg.NodeID, Signer: keys, Peers: peers.Lookup{DB: db},
		Jobs: negotiation.RiverJobs{Insert: q.Insert}, Registry: workspace.NewRegistry(db, now), Now: now}
	a := &API{DB: db, Keys: keys, Notified: new(atomic.Int64), Canceled: new(atomic.Int64), Rejected: new(atomic.Int64)}
	a.Server = httpapi.New(httpapi.Deps{
		DB: db, Now: now, Config: cfg, Log: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		Prepare:          func() httpapi.Accept { return q.Prepare() },
		Budgets:          budgets,
		FreeProvider:     !o.Paid,
		Deliveries:       webhook.NewQueue(db, now),
		Dispatcher:       notifier{a.Notified},
		Files:            &files.Service{MaxSize: cfg.MaxFileSize, Now: now},
		Negotiations:     negotiations,
		Keys:             keys,
		TurnCanceled:     func() { a.Canceled.Add(1) },
		EnvelopeRejected: func(string) { a.Rejected.Add(1) },
	})
	mux := http.NewServeMux()
	api := httpapi.NewAPI(mux, cfg.Version)
	a.Server.Register(api)
	a.Server.Mount(mux)
	a.TestAPI = humatest.Wrap(t, api)
	return a
}

// testLog writes the server's log lines to the test's log (shown when
// the test fails, or with -v).
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// notifier counts wake-ups.
type notifier struct{ n *atomic.Int64 }

// Notify implements httpapi.Notifier.
func (w notifier) Notify() { w.n.Add(1) }

// Workspace adds a workspace with a member of role and an integration key
// with p (testbed.Workspace).
func (a *API) Workspace(t testing.TB, role workspace.Role, p access.KeyParams) testbed.Creds {
	t.Helper()
	return testbed.Workspace(t, a.DB, role, p)
}

// Auth returns the request headers that authenticate as c: humatest
// arguments, without the empty ones (so a test can leave one out).
func Auth(c testbed.Creds) []any {
	var h []any
	if c.Token != "" {
		h = append(h, "Authorization: Bearer "+c.Token)
	}
	if c.APIKey != "" {
		h = append(h, "X-Api-Key: "+c.APIKey)
	}
	return h
}

// Call sends a request as testbed.Node.Do does (c's credentials, body as
// JSON unless []byte or string, headers as name, value pairs), straight
// to the handlers, from the address 192.0.2.1.
func (a *API) Call(t testing.TB, method, path string, c testbed.Creds, body any, headers ...string) testbed.Response {
	t.Helper()
	req := testbed.NewRequest(t, method, path, c, body, headers...)
	req.RemoteAddr = "192.0.2.1:40000"
	rec := httptest.NewRecorder()
	a.Adapter().ServeHTTP(rec, req)
	return testbed.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}
