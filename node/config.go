package node

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/webhook"
)

// Config is everything a node is told at start. Each field documents its
// default and its SOIS_* variable (DESIGN §9); ConfigFromEnv parses and checks it once.
type Config struct {
	Listen      string // SOIS_LISTEN; default 127.0.0.1:8080
	DatabaseURL string // SOIS_DATABASE_URL; default sqlite://./data/sois.db
	PublicURL   string // SOIS_PUBLIC_URL; default http://<Listen> (127.0.0.1 for every interface)
	DataDir     string // SOIS_DATA_DIR; default ./data (key-encryption key file)
	NodeID      string // SOIS_NODE_ID; default: generated once and stored in the database
	NodeName    string // SOIS_NODE_NAME; default "soisnode"

	GeminiAPIKey  string // GEMINI_API_KEY: selects the gemini provider
	GeminiBaseURL string // SOIS_GEMINI_BASE_URL (or the SDK's GOOGLE_GEMINI_BASE_URL)
	LLMBaseURL    string // SOIS_LLM_BASE_URL: selects the OpenAI-compatible provider
	LLMAPIKey     string // SOIS_LLM_API_KEY
	LLMLegacyMax  bool   // SOIS_LLM_LEGACY_MAX_TOKENS=1: send max_tokens (older OpenAI-compatible servers)
	Model         string // SOIS_MODEL; default per provider
	PricesFile    string // SOIS_PRICES_FILE: overrides of the shipped price table

	MasterKey         string   // SOIS_MASTER_KEY: base64 key-encryption key for signing keys
	WebhookAllowHosts []string // SOIS_WEBHOOK_ALLOW_HOSTS
	PeerAllowHosts    []string // SOIS_PEER_ALLOW_HOSTS
	// MCPAllowHosts (SOIS_MCP_ALLOW_HOSTS) are further host names /mcp
	// answers to, beside SOIS_PUBLIC_URL's host and the listen address
	// (DNS rebinding protection); "*" turns the check off.
	MCPAllowHosts []string

	MaxAgentBody int64         // SOIS_MAX_BODY_BYTES; default 64 KiB
	MaxFileSize  int64         // SOIS_MAX_FILE_BYTES; default 25 MiB
	Workers      int           // SOIS_WORKERS: concurrent turns per process; default 8
	TurnTimeout  time.Duration // SOIS_TURN_TIMEOUT; default 2m
	MaxSteps     int           // SOIS_MAX_STEPS: model calls per turn; default 10
	RescueAfter  time.Duration // SOIS_RESCUE_AFTER: a running turn older than this is resumed elsewhere; default turn timeout + 2m
	ShutdownWait time.Duration // SOIS_SHUTDOWN_GRACE: time to finish the work in hand on SIGTERM; default 30s
	// NegotiationDeadline is how long one exchange with a peer may run
	// (SOIS_NEGOTIATION_DEADLINE); default 15m.
	NegotiationDeadline time.Duration

	// Backlog limits: past one, POST /api/agent answers 503 with
	// Retry-After and takes nothing (httpapi/backlog.go).
	MaxBacklog      int           // SOIS_MAX_BACKLOG: queued turns in the database; default 1000
	MaxQueueAge     time.Duration // SOIS_MAX_QUEUE_AGE: age of the oldest queued turn; default 0 (no limit)
	MaxQueuedPerKey int           // SOIS_MAX_QUEUED_PER_KEY: one integration key's queued turns; default 100

	// HTTPTimeouts bound a client's connection (docs/operating.md, "HTTP
	// timeouts"); zero fields take httpapi's defaults.
	HTTPTimeouts httpapi.Timeouts

	Getenv func(string) string // for settings read by parts (SMTP); default os.Getenv

	// Provider and Pricer, when set, replace the configured model provider
	// (tests drive the node with scripted models this way).
	Provider agent.Provider
	Pricer   agent.Pricer
	// Now replaces the clock (tests of budget windows).
	Now func() time.Time
	// OnDeliveryAttempt, when set, is told of every webhook attempt (a
	// test signal).
	OnDeliveryAttempt func(webhook.AttemptEvent)
	// Sessions replaces the sign-in the OAuth consent page of
	// /oauth/authorize asks (tests); nil: the node's console.
	Sessions oauth.Sessions
}

// ConfigFromEnv reads a Config from SOIS_* variables.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Listen: getenv("SOIS_LISTEN"), DatabaseURL: getenv("SOIS_DATABASE_URL"), PublicURL: getenv("SOIS_PUBLIC_URL"),
		DataDir: getenv("SOIS_DATA_DIR"), NodeID: getenv("SOIS_NODE_ID"), NodeName: getenv("SOIS_NODE_NAME"),
		GeminiAPIKey: getenv("GEMINI_API_KEY"), GeminiBaseURL: getenv("SOIS_GEMINI_BASE_URL"),
		LLMBaseURL: getenv("SOIS_LLM_BASE_URL"), LLMAPIKey: getenv("SOIS_LLM_API_KEY"), LLMLegacyMax: getenv("SOIS_LLM_LEGACY_MAX_TOKENS") == "1", Model: getenv("SOIS_MODEL"),
		PricesFile: getenv("SOIS_PRICES_FILE"), MasterKey: getenv("SOIS_MASTER_KEY"),
		WebhookAllowHosts: webhook.ParseAllowHosts(getenv("SOIS_WEBHOOK_ALLOW_HOSTS")),
		PeerAllowHosts:    webhook.ParseAllowHosts(getenv("SOIS_PEER_ALLOW_HOSTS")),
		MCPAllowHosts:     splitList(getenv("SOIS_MCP_ALLOW_HOSTS")),
		Getenv:            getenv,
	}
	if err := CheckPublicURL(c.PublicURL); err != nil {
		return c, fmt.Errorf("config: SOIS_PUBLIC_URL: %w", err)
	}
	var err error
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"SOIS_MAX_BODY_BYTES", &c.MaxAgentBody}, {"SOIS_MAX_FILE_BYTES", &c.MaxFileSize}} {
		if v := getenv(f.name); v != "" {
			if *f.dst, err = strconv.ParseInt(v, 10, 64); err != nil || *f.dst <= 0 {
				return c, fmt.Errorf("config: %s must be a positive integer", f.name)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"SOIS_WORKERS", &c.Workers}, {"SOIS_MAX_STEPS", &c.MaxSteps}, {"SOIS_MAX_BACKLOG", &c.MaxBacklog}, {"SOIS_MAX_QUEUED_PER_KEY", &c.MaxQueuedPerKey}} {
		if v := getenv(f.name); v != "" {
			if *f.dst, err = strconv.Atoi(v); err != nil || *f.dst <= 0 {
				return c, fmt.Errorf("config: %s must be a positive integer", f.name)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *time.Duration
	}{{"SOIS_TURN_TIMEOUT", &c.TurnTimeout}, {"SOIS_RESCUE_AFTER", &c.RescueAfter}, {"SOIS_NEGOTIATION_DEADLINE", &c.NegotiationDeadline}, {"SOIS_SHUTDOWN_GRACE", &c.ShutdownWait}, {"SOIS_MAX_QUEUE_AGE", &c.MaxQueueAge}} {
		if v := getenv(f.name); v != "" {
			if *f.dst, err = time.ParseDuration(v); err != nil || *f.dst <= 0 {
				return c, fmt.Errorf("config: %s must be a duration like 90s", f.name)
			}
		}
	}
	return c, nil
}

// CheckPublicURL refuses a public URL (SOIS_PUBLIC_URL, serve
// --public-url) that callers could not use: the card, the OAuth metadata,
// the console's links and /mcp's host check are built from it, so
// "node.example.com" or "ftp://…" would publish broken addresses. Empty
// is fine (http://<listen>).
func CheckPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q must start with https:// (or http://), e.g. https://node.example.com", s)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host", s)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return fmt.Errorf("%q must be a base URL, without user, query or fragment", s)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// withDefaults fills unset fields.
func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://./data/sois.db"
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.NodeName == "" {
		c.NodeName = "soisnode"
	}
	if c.MaxAgentBody == 0 {
		c.MaxAgentBody = httpapi.MaxAgentBody
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = httpapi.DefaultMaxFileSize
	}
	if c.Workers == 0 {
		c.Workers = 8
	}
	if c.TurnTimeout == 0 {
		c.TurnTimeout = 2 * time.Minute
	}
	if c.MaxSteps == 0 {
		c.MaxSteps = 10
	}
	if c.RescueAfter == 0 {
		c.RescueAfter = c.TurnTimeout + 2*time.Minute
	}
	if c.ShutdownWait == 0 {
		c.ShutdownWait = 30 * time.Second
	}
	if c.MaxBacklog == 0 {
		c.MaxBacklog = httpapi.DefaultMaxBacklog
	}
	if c.MaxQueuedPerKey == 0 {
		c.MaxQueuedPerKey = httpapi.DefaultMaxQueuedPerKey
	}
	return c
}

// ShutdownWaitOrDefault is ShutdownWait, or its default when unset.
func (c Config) ShutdownWaitOrDefault() time.Duration { return c.withDefaults().ShutdownWait }

// BaseURL is the URL callers use: PublicURL, or the listen address's (listenURL).
func (c Config) BaseURL() string {
	c = c.withDefaults()
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	u, _ := listenURL(c.Listen)
	return u
}

// listenURL is the URL of a listen address that callers on this machine
// can use: http://host:port, with 127.0.0.1 for an address that listens
// on every interface (":8080", "0.0.0.0:8080", "[::]:8080"), which names
// no host a client can reach (the card, OAuth metadata and printed curl
// read "http://:8080" or "http://[::]:8080" otherwise). everywhere
// reports that case: callers elsewhere need SOIS_PUBLIC_URL.
func listenURL(addr string) (u string, everywhere bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr, false
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host, everywhere = "127.0.0.1", true
	}
	return "http://" + net.JoinHostPort(host, port), everywhere
}
