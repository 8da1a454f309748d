// Package console is the workspace's Settings in the browser, mounted at
// /console: integration keys and their budgets, conversations and their
// receipts, webhook deliveries, peers and negotiation transcripts, members
// and access tokens. Pages are rendered on the server with html/template
// from embedded files (no CDN, no build step); sign-in is a member's access
// token or a one-time link from `soisnode console`, and the session is a
// cookie whose hash is stored (console_sessions), with a CSRF token on
// every form. docs/console.md describes it for users.
package console

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// Path is where the node mounts the console.
const Path = "/console"

// Defaults of the session lifetimes (SOIS_CONSOLE_IDLE, SOIS_CONSOLE_MAX_AGE).
const (
	DefaultIdle   = 30 * time.Minute
	DefaultMaxAge = 12 * time.Hour
	// LinkTTL is how long a one-time sign-in link from `soisnode console`
	// (or the Members page) can be used: once, within ten minutes.
	LinkTTL = 10 * time.Minute
)

// Grants is what the console needs from the OAuth authorization server to
// list and revoke the hosted assistants connected under each key. Optional:
// without it the Keys page shows no "Connected assistants".
type Grants interface {
	ListGrants(ctx context.Context, workspaceID string) ([]Grant, error)
	RevokeGrant(ctx context.Context, workspaceID, grantID string) error
}

// Grant is one assistant's OAuth grant, acting under an integration key.
type Grant struct {
	ID, ClientName, KeyID, KeyName string
	Scopes                         []string
	CreatedAt                      time.Time
	LastUsedAt                     *time.Time
}

// Member is the signed-in member of a request.
type Member struct {
	WorkspaceID, MemberID, Name, Role string
}

// Manager reports whether the member manages the workspace (owner or
// admin): keys, budgets, deliveries, peers and members.
func (m Member) Manager() bool { return m.Role == "owner" || m.Role == "admin" }

// Config is what the console is built from; node fills it.
type Config struct {
	DB  *store.DB
	Now func() time.Time // default time.Now
	Log *slog.Logger     // default slog.Default()
	// BaseURL is the node's public base URL (for links and the ready-to-paste
	// curl); read per request because the node learns it when it listens.
	BaseURL func() string
	// CheckURL is the SSRF guard for response URLs (webhook.Guard.CheckURL).
	CheckURL func(string) error
	// Secrets are the keys' webhook secrets; nil: keys get none.
	Secrets *webhook.Secrets
	// Deliveries is the webhook delivery queue.
	Deliveries *webhook.Queue
	Budgets    *budget.Budgets
	// AuditKeys are every signing key this node has had (signing.Keyring.
	// AuditKeys), to re-check its own stored signatures: signed replies and
	// our negotiation envelopes, also after their key left the JWKS.
	AuditKeys func(context.Context) (*verify.KeySet, error)
	NodeID    string
	// PeerAllowHosts are hosts exempt from the peers' https and
	// private-address rules (SOIS_PEER_ALLOW_HOSTS).
	PeerAllowHosts []string
	Grants         Grants        // optional
	Idle           time.Duration // default DefaultIdle
	MaxAge         time.Duration // default DefaultMaxAge
}

// Console serves /console.
type Console struct {
	cfg   Config
	pages *pages
	mux   *http.ServeMux
}

// New builds the console; the configuration is checked once here.
func New(cfg Config) (*Console, error) {
	if cfg.DB == nil || cfg.Budgets == nil || cfg.Deliveries == nil || cfg.AuditKeys == nil || cfg.BaseURL == nil {
		return nil, fmt.Errorf("console: DB, Budgets, Deliveries, AuditKeys and BaseURL are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Idle > cfg.MaxAge {
		return nil, fmt.Errorf("console: idle timeout %v is longer than the maximum session age %v", cfg.Idle, cfg.MaxAge)
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, pages: p}
	c.mux = c.routes()
	return c, nil
}

// Handler serves every path under Path.
func (c *Console) Handler() http.Handler { return c }

// ServeHTTP sets the security headers of every console response, then routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

// CSP is the console's Content-Security-Policy: everything from the node,
// nothing inline, no framing.
const CSP = "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// ConsentCSP is CSP for the OAuth consent page: the same, except that the
// form's answer may redirect the browser to the assistant's redirect URI
// (browsers apply form-action to the redirects that follow a form). The
// authorization server admits only https redirect URIs and http ones on a
// loopback host, and sends the browser only to a registered one.
const ConsentCSP = "default-src 'self'; img-src 'self' data:; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// TimeoutsFromEnv reads SOIS_CONSOLE_IDLE and SOIS_CONSOLE_MAX_AGE (Go
// durations, e.g. 30m, 12h); unset means the defaults.
func TimeoutsFromEnv(getenv func(string) string) (idle, maxAge time.Duration, err error) {
	idle, maxAge = DefaultIdle, DefaultMaxAge
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{{"SOIS_CONSOLE_IDLE", &idle}, {"SOIS_CONSOLE_MAX_AGE", &maxAge}} {
		s := strings.TrimSpace(getenv(v.name))
		if s == "" {
			continue
		}
		d, perr := time.ParseDuration(s)
		if perr != nil || d < time.Minute {
			return 0, 0, fmt.Errorf("console: %s=%q: want a duration of at least 1m, e.g. 30m or 12h", v.name, s)
		}
		*v.dst = d
	}
	if idle > maxAge {
		return 0, 0, fmt.Errorf("console: SOIS_CONSOLE_IDLE (%v) is longer than SOIS_CONSOLE_MAX_AGE (%v)", idle, maxAge)
	}
	return idle, maxAge, nil
}

func (c *Console) now() time.Time { return c.cfg.Now() }
