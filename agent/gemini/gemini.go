// Package gemini is the agent.Provider for Google's Gemini API
// (generateContent with function calling), built on google.golang.org/genai.
//
// One Generate is exactly one HTTP request: the SDK's retries and its
// automatic continuation are turned off, so the agent loop alone decides
// when to retry (on *agent.RetryableError) and every request it makes is one
// priced, reserved model call.
package gemini

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/soisnode/soisnode/agent"
)

// DefaultModel is the model used when neither Config.Model nor the request
// names one.
const DefaultModel = "gemini-2.5-flash"

// Config configures a Provider.
type Config struct {
	// APIKey is the Gemini API key (GEMINI_API_KEY). Required: the SDK's own
	// fallback to GOOGLE_API_KEY is deliberately not used.
	APIKey string
	// Model is the default model; "" means DefaultModel.
	Model string
	// BaseURL overrides the endpoint, e.g. a test server or a proxy. When
	// empty the SDK decides: GOOGLE_GEMINI_BASE_URL if set, otherwise
	// https://generativelanguage.googleapis.com/.
	BaseURL string
	// HTTPClient sends the requests; nil means a fresh http.Client with no
	// timeout (the caller's context bounds each call). It is not modified.
	HTTPClient *http.Client
}

// Provider calls the Gemini API. It is safe for concurrent use.
type Provider struct {
	client *genai.Client
	model  string
	apiKey string           // only to scrub it from error messages
	now    func() time.Time // for Retry-After dates
}

var _ agent.Provider = (*Provider)(nil)

// New returns a Provider for cfg. It performs no network I/O.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("gemini: an API key is required")
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	hc.Transport = headerCapture{next: hc.Transport}
	one := int32(1)
	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:     cfg.APIKey,
		Backend:    genai.BackendGeminiAPI,
		HTTPClient: hc,
		HTTPOptions: genai.HTTPOptions{
			BaseURL:      cfg.BaseURL,
			RetryOptions: &genai.HTTPRetryOptions{Attempts: &one},
		},
	})
	if err != nil {
		// The SDK's errors print the whole ClientConfig, key included.
		return nil, errors.New("gemini: " + agent.Scrub(err.Error(), cfg.APIKey))
	}
	return &Provider{client: client, model: model, apiKey: cfg.APIKey, now: time.Now}, nil
}

// Name returns "gemini".
func (p *Provider) Name() string { return "gemini" }

// Model returns the default model.
func (p *Provider) Model() string { return p.model }

// Generate performs one generateContent call. Failures a retry may fix
// (HTTP 408, 429, 500, 502, 503, 504 and network errors) are
// *agent.RetryableError with the server's Retry-After or RetryInfo delay.
// When the model answered but produced nothing usable (a blocked prompt, a
// safety stop, a malformed function call) the returned Response carries the
// Usage alongside the error, so the call can still be charged.
func (p *Provider) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	model := req.Model
	if model == "" {
		model = p.model
	}
	contents, err := toContents(req.Messages, needsSignature(model))
	if err != nil {
		return agent.Response{}, err
	}
	off := false
	cfg := &genai.GenerateContentConfig{
		Tools:                 toTools(req.Tools),
		AutomaticContinuation: &off,
	}
	if req.System != "" {
		cfg.SystemInstruction = &genai.Content{Role: genai.RoleUser, Parts: []*genai.Part{{Text: req.System}}}
	}
	if req.MaxOutputTokens > 0 {
		cfg.MaxOutputTokens = int32(min(req.MaxOutputTokens, 1<<31-1))
	}
	capt := &captured{}
	resp, err := p.client.Models.GenerateContent(withCapture(ctx, capt), model, contents, cfg)
	if err != nil {
		return agent.Response{}, p.classify(ctx, err, capt)
	}
	return fromResponse(resp, model)
}

// needsSignature reports whether model validates thought signatures on
// replayed function calls (Gemini 3 and later do; 1.x, 2.x and Gemma do not).
func needsSignature(model string) bool {
	m := strings.TrimPrefix(strings.ToLower(model), "models/")
	for _, old := range []string{"gemini-1", "gemini-2", "gemma"} {
		if strings.HasPrefix(m, old) {
			return false
		}
	}
	return true
}
