// Package openai is the agent.Provider for OpenAI's chat completions API
// and the servers that speak it (Ollama, vLLM, LiteLLM, …), built on
// github.com/openai/openai-go/v3.
//
// The SDK sends the request and maps failures to its error type; the
// request's JSON is encoded and the response decoded here (request.go,
// response.go), which costs a zero-latency turn a fraction of the SDK's
// reflective encoding.
//
// One Generate is exactly one HTTP request: the SDK's retries are turned off
// so the agent loop alone decides when to retry (on *agent.RetryableError).
// The SDK's environment defaults (OPENAI_API_KEY, OPENAI_BASE_URL, …) are not
// read: a key meant for OpenAI is never sent to another base URL.
package openai

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/soisnode/soisnode/agent"
)

// DefaultBaseURL is OpenAI's API endpoint.
const DefaultBaseURL = "https://api.openai.com/v1"

// DefaultModel is the model used when neither Config.Model nor the request
// names one.
const DefaultModel = "gpt-4.1-mini"

// Config configures a Provider.
type Config struct {
	// APIKey is sent as a bearer token; empty sends none (Ollama, vLLM).
	APIKey string
	// BaseURL is the API root including the version path, e.g.
	// "http://localhost:11434/v1"; "" means DefaultBaseURL.
	BaseURL string
	// Model is the default model; "" means DefaultModel.
	Model string
	// HTTPClient sends the requests; nil means a fresh http.Client with no
	// timeout (the caller's context bounds each call).
	HTTPClient *http.Client
	// LegacyMaxTokens sends the output limit as "max_tokens" instead of
	// "max_completion_tokens", for older OpenAI-compatible servers that
	// ignore the newer field. OpenAI's reasoning models (o-series, gpt-5)
	// reject "max_tokens", so leave it off for OpenAI itself.
	LegacyMaxTokens bool
}

// Provider calls a chat completions endpoint. It is safe for concurrent use.
type Provider struct {
	client openai.Client // Options only: sends the request (Execute)
	model  string
	apiKey string // only to scrub it from error messages
	legacy bool
	now    func() time.Time // for Retry-After dates
}

var _ agent.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It performs no network I/O.
func New(cfg Config) *Provider {
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: transport()}
	}
	opts := []option.RequestOption{
		option.WithBaseURL(base),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	return &Provider{
		// A Client with these options only, not openai.NewClient: that
		// would add the OPENAI_* environment defaults.
		client: openai.Client{Options: opts},
		model:  model,
		apiKey: cfg.APIKey,
		legacy: cfg.LegacyMaxTokens,
		now:    time.Now,
	}
}

// Name returns "openai".
func (p *Provider) Name() string { return "openai" }

// Model returns the default model.
func (p *Provider) Model() string { return p.model }

// Generate performs one chat completion. Failures a retry may fix (HTTP
// 408, 429, 500, 502, 503, 504 and network errors) are *agent.RetryableError
// with the server's retry-after-ms or Retry-After delay; a 429 for exhausted
// quota (insufficient_quota) is not retryable. When the server answered but
// with no usable choice, the Response carries the Usage alongside the error
// so the call can still be charged.
func (p *Provider) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	model := req.Model
	if model == "" {
		model = p.model
	}
	body, err := p.body(model, req)
	if err != nil {
		return agent.Response{}, err
	}
	var raw []byte
	if err := p.client.Post(ctx, "chat/completions", body, &raw); err != nil {
		return agent.Response{}, p.classify(ctx, err)
	}
	c, err := decode(raw)
	if err != nil {
		return agent.Response{}, err
	}
	return fromCompletion(c, model)
}

// maxIdlePerHost is how many idle connections to the model server the
// default client keeps: one per turn running at once, up to the node's
// workers and more (net/http's default of 2 made most concurrent calls
// open a new connection).
const maxIdlePerHost = 64

// transport is the default client's: net/http's default transport (its
// proxy settings, timeouts and HTTP/2) keeping maxIdlePerHost idle
// connections per host.
func transport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t = t.Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, maxIdlePerHost)
	t.MaxIdleConnsPerHost = maxIdlePerHost
	return t
}
