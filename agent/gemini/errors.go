package gemini

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/genai"

	"github.com/soisnode/soisnode/agent"
)

// classify turns an SDK error into the agent's vocabulary: the caller's own
// cancellation as is, transient failures as *agent.RetryableError, anything
// else as a plain error with the provider's message and never the key.
func (p *Provider) classify(ctx context.Context, err error, c *captured) error {
	if ctx.Err() != nil {
		return fmt.Errorf("gemini: %w", ctx.Err())
	}
	var apiErr genai.APIError
	if errors.As(err, &apiErr) {
		status, header := c.get()
		if apiErr.Code != 0 {
			status = apiErr.Code
		}
		msg := agent.Scrub(strings.TrimSpace(apiErr.Message), p.apiKey)
		if msg == "" {
			msg = http.StatusText(status)
		}
		if apiErr.Status != "" {
			msg = apiErr.Status + ": " + msg
		}
		if agent.RetryableStatus(status) {
			after := agent.ParseRetryAfter(header.Get("Retry-After"), p.now())
			if after == 0 {
				after = retryInfo(apiErr.Details)
			}
			return &agent.RetryableError{Status: status, After: after, Err: fmt.Errorf("gemini: %s", msg)}
		}
		return fmt.Errorf("gemini: HTTP %d: %s", status, msg)
	}
	msg := agent.Scrub(err.Error(), p.apiKey)
	if agent.Transient(err) {
		return &agent.RetryableError{Err: fmt.Errorf("gemini: %s", msg)}
	}
	return fmt.Errorf("gemini: %s", msg)
}

// retryInfo finds google.rpc.RetryInfo's retryDelay (a protobuf Duration
// in JSON, e.g. "37s" or "1.5s") among an error's details.
func retryInfo(details []map[string]any) time.Duration {
	for _, d := range details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.RetryInfo") {
			continue
		}
		s, _ := d["retryDelay"].(string)
		if dur, err := time.ParseDuration(s); err == nil && dur > 0 {
			return dur
		}
	}
	return 0
}

// captured holds the status and headers of the response to one Generate;
// the SDK's APIError keeps neither the headers nor Retry-After.
type captured struct {
	mu     sync.Mutex
	status int
	header http.Header
}

func (c *captured) set(status int, h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.header = status, h
}

func (c *captured) get() (int, http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.header == nil {
		return c.status, http.Header{}
	}
	return c.status, c.header
}

type captureKey struct{}

func withCapture(ctx context.Context, c *captured) context.Context {
	return context.WithValue(ctx, captureKey{}, c)
}

// headerCapture is the RoundTripper that fills the request's captured.
type headerCapture struct{ next http.RoundTripper }

// RoundTrip sends req and records the response status and headers.
func (t headerCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if c, ok := req.Context().Value(captureKey{}).(*captured); ok && resp != nil {
		c.set(resp.StatusCode, resp.Header.Clone())
	}
	return resp, err
}
