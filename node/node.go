// Package node assembles a soisnode process and runs it: it reads the
// configuration (Config), opens and migrates the database, builds the
// signing keys, workspace tools, budgets, agent, job queue, webhook
// dispatcher and negotiation service, and hands them to the packages
// that serve HTTP (httpapi for the caller API, the federation endpoint
// and the well-knowns; a2a, mcp, console, oauth), whose handlers it
// mounts on one mux with request logging and /metrics. It owns the
// lifecycle: the listener, the background loops, and Shutdown. It is the
// one place where dependencies meet; cli/ and tests that start whole
// nodes (testbed) import it. A handler is tested with httpapi/httpapitest,
// without a node.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

// Node is one running soisnode process.
type Node struct {
	cfg        Config
	log        *slog.Logger
	now        func() time.Time
	db         *store.DB
	queue      *queue.Queue
	registry   *workspace.Registry
	keys       *signing.Keyring
	secrets    *webhook.Secrets // integration keys' webhook secrets (v1 signatures)
	nodeID     string
	guard      webhook.Guard
	deliveries *webhook.Queue
	dispatcher *webhook.Dispatcher
	// queuedDeliveries holds the conversation ids whose finishing
	// transaction queued a webhook delivery (onTurnFinished), until it
	// commits (turnDone wakes the dispatcher then) or rolls back
	// (turnRolledBack).
	queuedDeliveries sync.Map
	files            *files.Service
	runner           *agent.Runner
	budgets          *budget.Budgets
	freeProvider     bool
	a2a              *a2a.Server
	http             *httpapi.Server       // the caller API, federation endpoint, card, JWKS, health
	accepts          *conversation.Batcher // group commit of POST /api/agent's and A2A SendMessage's accepts
	metrics          *metrics
	fedm             *fedMetrics
	domain           *domainMetrics
	negotiations     *negotiation.Service
	console          *console.Console
	oauth            *oauth.Server // OAuth 2.1 for /mcp
	api              huma.API
	handler          http.Handler
	server           *http.Server
	listener         net.Listener
	background       []func(context.Context) // loops started by Start, stopped by Shutdown
	stops            []func(context.Context) error
}

// New builds a node: opens and migrates the database and assembles every
// part. It serves nothing until Start.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Node, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	if err := CheckPublicURL(cfg.PublicURL); err != nil {
		return nil, fmt.Errorf("node: public URL: %w", err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	n := &Node{cfg: cfg, log: log, now: now, db: db}
	n.metrics = newMetrics()
	n.fedm = newFedMetrics(n.metrics.reg)
	n.accepts = conversation.NewBatcher(db, 0)
	n.stops = append(n.stops, n.accepts.Close)
	n.metrics.reg.MustRegister(n.accepts)
	n.domain = newDomainMetrics(n.metrics.reg, now)
	n.metrics.reg.MustRegister(deliveryBacklog{db: db, now: now})
	if err := n.assemble(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return n, nil
}

// Migrate applies the schema (soisnode's and the job queue's) to db.
func Migrate(ctx context.Context, db *store.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	return queue.Migrate(ctx, db)
}

// NodeID is the node's id, the "iss" of what it signs.
func (n *Node) NodeID() string { return n.nodeID }

// DB returns the node's database (for the CLI and tests).
func (n *Node) DB() *store.DB { return n.db }

// Handler returns the node's HTTP handler.
func (n *Node) Handler() http.Handler { return n.handler }

// API returns the Huma API (for the OpenAPI document).
func (n *Node) API() huma.API { return n.api }

// Start listens on the configured address and starts the background
// workers. It returns once the node accepts connections.
func (n *Node) Start(ctx context.Context) error {
	l, err := net.Listen("tcp", n.cfg.Listen)
	if err != nil {
		return fmt.Errorf("node: listen %s: %w", n.cfg.Listen, err)
	}
	n.listener = l
	if n.cfg.PublicURL == "" {
		u, everywhere := listenURL(l.Addr().String())
		n.cfg.PublicURL = u
		if everywhere {
			n.log.Warn("listening on every interface without SOIS_PUBLIC_URL: the agent card, OAuth metadata and links name "+u+"; set SOIS_PUBLIC_URL to the URL callers elsewhere use",
				"addr", l.Addr().String())
		}
	}
	httpapi.ServeAt(n.api, n.cfg.PublicURL)
	if err := n.queue.Start(context.WithoutCancel(ctx)); err != nil {
		l.Close()
		return fmt.Errorf("node: start queue: %w", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.stops = append(n.stops, func(context.Context) error { cancel(); return nil })
	for _, loop := range n.background {
		go loop(bg)
	}
	n.server = httpapi.NewServer(n.handler, n.cfg.HTTPTimeouts)
	go func() {
		if err := n.server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("http server stopped", "err", err)
		}
	}()
	// Assembly (migrations, schemas, the OpenAPI document) leaves garbage
	// behind; hand it back now so an idle node stays small.
	debug.FreeOSMemory()
	n.log.Info("soisnode serving", "addr", l.Addr().String(), "public_url", n.cfg.PublicURL,
		"database", n.db.Dialect().String(), "provider", n.runner.Provider.Name(), "model", n.runner.Provider.Model())
	return nil
}

// Addr is the address the node listens on (after Start).
func (n *Node) Addr() string { return n.listener.Addr().String() }

// URL is the node's base URL (after Start).
func (n *Node) URL() string { return "http://" + n.Addr() }

// Shutdown stops accepting requests and new work, then, within ctx (the
// grace period, SOIS_SHUTDOWN_GRACE), lets the work in hand finish and
// records it: requests being answered, running turns (their model and tool
// calls), and webhook attempts in flight. Webhook attempts and turns still running
// when ctx ends are cut short (turns with the cause errs.ErrShutdown, so
// none is failed) and their leases released, so another process, or this
// one restarted, resumes them at once (see docs/operating.md). Then it
// stops the background loops and closes the database.
func (n *Node) Shutdown(ctx context.Context) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	parallel := func(name string, stop func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stop(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("node: stop %s: %w", name, err))
				mu.Unlock()
			}
		}()
	}
	// The three drain side by side, so a long poll being answered does not
	// eat the grace period of a webhook attempt.
	if n.server != nil {
		parallel("http server", func(ctx context.Context) error {
			err := n.server.Shutdown(ctx)
			if errors.Is(err, context.DeadlineExceeded) {
				return n.server.Close() // long polls: their callers poll again
			}
			return err
		})
	}
	parallel("turns", func(ctx context.Context) error {
		err := n.queue.Stop(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			// Rare: an interrupted turn could not hand its job back in time.
			n.log.Warn("shutdown: some turns did not hand back their jobs; they are resumed from their recorded steps after SOIS_RESCUE_AFTER", "err", err)
			return nil
		}
		return err
	})
	parallel("webhook dispatcher", n.dispatcher.Stop)
	wg.Wait()
	if n.negotiations != nil {
		n.negotiations.FlushLeaseEnds() // the answers sent before the stop
	}
	for _, stop := range n.stops {
		errs = append(errs, stop(ctx))
	}
	errs = append(errs, n.db.Close())
	return errors.Join(errs...)
}

// Registry is the node's tool registry (tests and the MCP server use it).
func (n *Node) Registry() *workspace.Registry { return n.registry }
