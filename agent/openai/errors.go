package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/soisnode/soisnode/agent"
)

// classify turns an SDK error into the agent's vocabulary: the caller's own
// cancellation as is, transient failures as *agent.RetryableError, anything
// else as a plain error with the provider's message and never the key.
func (p *Provider) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("openai: %w", ctx.Err())
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		status := apiErr.StatusCode
		msg := agent.Scrub(strings.TrimSpace(apiErr.Message), p.apiKey)
		if msg == "" {
			msg = http.StatusText(status)
		}
		if apiErr.Code != "" {
			msg = apiErr.Code + ": " + msg
		}
		if agent.RetryableStatus(status) && apiErr.Code != "insufficient_quota" {
			var h http.Header
			if apiErr.Response != nil {
				h = apiErr.Response.Header
			}
			return &agent.RetryableError{Status: status, After: retryAfter(h, p.now()), Err: fmt.Errorf("openai: %s", msg)}
		}
		return fmt.Errorf("openai: HTTP %d: %s", status, msg)
	}
	msg := agent.Scrub(err.Error(), p.apiKey)
	if agent.Transient(err) {
		return &agent.RetryableError{Err: fmt.Errorf("openai: %s", msg)}
	}
	return fmt.Errorf("openai: %s", msg)
}

// retryAfter reads OpenAI's retry-after-ms (milliseconds) or the standard
// Retry-After (agent.ParseRetryAfter), preferring the former. Values that
// are not positive, unparsable or over agent.MaxRetryAfter are ignored.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms <= float64(agent.MaxRetryAfter/time.Millisecond) {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	return agent.ParseRetryAfter(h.Get("Retry-After"), now)
}
