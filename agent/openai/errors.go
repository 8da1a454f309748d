package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/soisnode/soisnode/agent"
)

// retryable are the HTTP statuses a later attempt may fix.
var retryable = map[int]bool{408: true, 429: true, 500: true, 502: true, 503: true, 504: true}

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
		msg := scrub(strings.TrimSpace(apiErr.Message), p.apiKey)
		if msg == "" {
			msg = http.StatusText(status)
		}
		if apiErr.Code != "" {
			msg = apiErr.Code + ": " + msg
		}
		if retryable[status] && apiErr.Code != "insufficient_quota" {
			var h http.Header
			if apiErr.Response != nil {
				h = apiErr.Response.Header
			}
			return &agent.RetryableError{Status: status, After: retryAfter(h, p.now()), Err: fmt.Errorf("openai: %s", msg)}
		}
		return fmt.Errorf("openai: HTTP %d: %s", status, msg)
	}
	msg := scrub(err.Error(), p.apiKey)
	if transient(err) {
		return &agent.RetryableError{Err: fmt.Errorf("openai: %s", msg)}
	}
	return fmt.Errorf("openai: %s", msg)
}

// transient reports a network-level failure: no answer, or a cut-off one.
func transient(err error) bool {
	var uerr *url.Error
	var nerr net.Error
	return errors.As(err, &uerr) || errors.As(err, &nerr) || errors.Is(err, io.ErrUnexpectedEOF)
}

// retryAfter reads OpenAI's retry-after-ms (milliseconds) or the standard
// Retry-After (delay-seconds or an HTTP date), preferring the former.
// Values that are negative, unparsable or over a day are ignored.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	const maxDelay = 24 * time.Hour
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms <= float64(maxDelay/time.Millisecond) {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || s > maxDelay.Seconds() {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) && t.Sub(now) <= maxDelay {
		return t.Sub(now)
	}
	return 0
}
