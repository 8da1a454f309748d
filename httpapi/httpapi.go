// Package httpapi is the node's HTTP surface: the caller API's operations
// (/api/…, registered on a huma.API given to Register), the federation
// endpoint (/federation/v1/messages), the agent card and JWKS, health and
// readiness (mounted by Mount), the authentication of every credentialed
// request with its failed-authentication limiter (also for /mcp and /a2a),
// long polling (?wait=), the backlog limits of POST /api/agent, and the
// one mapping from errors to problem+json (problem.go).
//
// It holds no listener and starts nothing. Package node builds a Server
// from the services it assembled (Deps) and serves it; a handler test
// builds one on a throw-away database with httpapitest and calls it
// through humatest, without a process.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/files"
)

// DefaultMaxFileSize is SOIS_MAX_FILE_BYTES's default: the largest upload.
const DefaultMaxFileSize = 25 << 20

// Config is what the operations are told by the node's configuration
// (node.Config documents each SOIS_* variable). Zero limits take their
// defaults.
type Config struct {
	Version  string        // the node's version (OpenAPI document, agent card)
	NodeName string        // the agent card's name
	NodeID   string        // the node's id (agent card)
	BaseURL  func() string // the URL callers use; known once the node listens

	MaxAgentBody int64 // POST /api/agent body; default MaxAgentBody
	MaxFileSize  int64 // an upload; default DefaultMaxFileSize

	MaxBacklog      int           // queued turns; default DefaultMaxBacklog
	MaxQueueAge     time.Duration // age of the oldest queued turn; 0: no limit
	MaxQueuedPerKey int           // one key's queued turns; default DefaultMaxQueuedPerKey
}

func (c Config) withDefaults() Config {
	if c.MaxAgentBody == 0 {
		c.MaxAgentBody = MaxAgentBody
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if c.MaxBacklog == 0 {
		c.MaxBacklog = DefaultMaxBacklog
	}
	if c.MaxQueuedPerKey == 0 {
		c.MaxQueuedPerKey = DefaultMaxQueuedPerKey
	}
	if c.BaseURL == nil {
		c.BaseURL = func() string { return "" }
	}
	return c
}

// Accept is one turn being accepted (conversation.Pending).
type Accept = conversation.Pending

// Negotiations is the exchange service the negotiation operations and the
// federation endpoint call (*negotiation.Service).
type Negotiations interface {
	Open(ctx context.Context, p negotiation.OpenParams) (negotiation.Negotiation, error)
	Cancel(ctx context.Context, workspaceID, id string) (negotiation.Negotiation, error)
	// Accept verifies and records a peer's envelope; answer runs this
	// side's answer when it runs in this process (after the 202).
	Accept(ctx context.Context, compact string) (answer func(), err error)
}

// OAuth verifies the OAuth access tokens /mcp accepts (*oauth.Server).
type OAuth interface {
	Verify(ctx context.Context, token string) (workspace.Caller, error)
	// Challenge is the WWW-Authenticate of a 401; invalid when a token
	// was sent.
	Challenge(invalid bool) string
}

// Accepter runs one accept's writes atomically (*conversation.Batcher:
// concurrent accepts commit together, each in its own savepoint).
type Accepter interface {
	InTx(ctx context.Context, fn func(tx store.Tx) error) error
}

// Notifier wakes a background worker (*webhook.Dispatcher).
type Notifier interface{ Notify() }

// Deps are the services the operations use; package node assembles them.
type Deps struct {
	DB     *store.DB
	Log    *slog.Logger     // default slog.Default()
	Now    func() time.Time // default time.Now
	Config Config

	// Prepare starts accepting a turn (queue.Queue.Prepare).
	Prepare func() Accept
	// Accepts commits POST /api/agent's accepts; default DB, one
	// transaction each.
	Accepts Accepter
	// Budgets checks and reports the integration keys' budgets.
	Budgets *budget.Budgets
	// FreeProvider: the model costs nothing, so accepting a message
	// checks no budget.
	FreeProvider bool
	Deliveries   *webhook.Queue // the admin operations' webhook deliveries
	Dispatcher   Notifier       // woken by a redelivery
	Files        *files.Service
	Negotiations Negotiations
	Keys         *signing.Keyring // signs the agent card; serves the JWKS
	OAuth        OAuth            // /mcp's OAuth tokens; nil: none accepted

	// TurnCanceled is told of a turn its caller canceled (a metric).
	TurnCanceled func()
	// EnvelopeRejected is told why an inbound federation envelope was
	// refused before the exchange service saw it (a metric).
	EnvelopeRejected func(reason string)
}

// Server is the node's HTTP operations over Deps. (Its methods name their
// receiver n: they were the node's until the surface got its own package.)
type Server struct {
	cfg          Config
	db           *store.DB
	log          *slog.Logger
	now          func() time.Time
	nodeID       string
	prepare      func() Accept
	accepts      Accepter
	budgets      *budget.Budgets
	freeProvider bool
	deliveries   *webhook.Queue
	dispatcher   Notifier
	files        *files.Service
	negotiations Negotiations
	keys         *signing.Keyring
	oauth        OAuth
	turnCanceled func()
	rejected     func(reason string)
	waiters      *waiters
	backlog      *backlog
	limiter      *failLimiter
}

// New returns a Server over d.
func New(d Deps) *Server {
	installProblems()
	n := &Server{
		cfg: d.Config.withDefaults(), db: d.DB, log: d.Log, now: d.Now, nodeID: d.Config.NodeID,
		prepare: d.Prepare, accepts: d.Accepts, budgets: d.Budgets, freeProvider: d.FreeProvider,
		deliveries: d.Deliveries, dispatcher: d.Dispatcher, files: d.Files, negotiations: d.Negotiations,
		keys: d.Keys, oauth: d.OAuth, turnCanceled: d.TurnCanceled, rejected: d.EnvelopeRejected,
		waiters: newWaiters(),
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.accepts == nil {
		n.accepts = d.DB
	}
	if n.turnCanceled == nil {
		n.turnCanceled = func() {}
	}
	if n.rejected == nil {
		n.rejected = func(string) {}
	}
	n.limiter = newFailLimiter(n.now)
	n.backlog = newBacklog(n.db, n.now, n.cfg)
	return n
}

// Register adds the authentication middleware and every operation of the
// caller API to api, and documents the webhooks the node sends.
func (n *Server) Register(api huma.API) {
	api.UseMiddleware(n.authMiddleware(api))
	n.registerAgent(api)
	n.registerConversations(api)
	n.registerBudget(api)
	n.registerAdmin(api)
	n.registerFiles(api)
	n.registerNegotiations(api)
	documentWebhooks(api)
}

// Mount adds the plain handlers to mux: health, readiness, the JWKS, the
// agent card (also under the A2A interface URL, where clients given only
// that URL, the A2A TCK among them, look for it) and the federation
// endpoint.
func (n *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", n.serveReady)
	mux.HandleFunc("GET "+peers.JWKSPath, n.serveJWKS)
	mux.HandleFunc("GET "+peers.CardPath, n.serveCard)
	mux.HandleFunc("GET "+a2a.Path+peers.CardPath, n.serveCard)
	mux.HandleFunc("POST "+negotiation.MessagesPath, n.serveMessage)
}

// Backlog exports the backlog of queued turns to Prometheus.
func (n *Server) Backlog() prometheus.Collector { return n.backlog }

// TurnStopped wakes the requests waiting (?wait=) on a conversation whose
// turn stopped.
func (n *Server) TurnStopped(conversationID string) { n.waiters.notify(conversationID) }

// TurnFinished wakes the requests waiting (?wait=) on conv, whose turn
// the runner has just finished: conv is the conversation as the finishing
// transaction committed it, the answer of a request waiting on that turn.
func (n *Server) TurnFinished(conv conversation.Conversation) { n.waiters.finished(conv) }
