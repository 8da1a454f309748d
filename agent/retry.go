package agent

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RetryableError is a provider failure that a later attempt may fix
// (HTTP 429, 5xx, a dropped connection). After is the provider's hint of
// how long to wait, or zero.
type RetryableError struct {
	Status int
	After  time.Duration
	Err    error
}

func (e *RetryableError) Error() string {
	return fmt.Sprintf("provider unavailable (status %d): %v", e.Status, e.Err)
}

func (e *RetryableError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is a RetryableError and returns it.
func IsRetryable(err error) (*RetryableError, bool) {
	var r *RetryableError
	ok := errors.As(err, &r)
	return r, ok
}

// RetryableStatus reports whether an HTTP status is one a later attempt may
// fix: 408, 429, 500, 502, 503 or 504.
func RetryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Transient reports a network-level failure: no answer (a *url.Error or a
// net.Error), or a cut-off one (io.ErrUnexpectedEOF).
func Transient(err error) bool {
	var uerr *url.Error
	var nerr net.Error
	return errors.As(err, &uerr) || errors.As(err, &nerr) || errors.Is(err, io.ErrUnexpectedEOF)
}

// MaxRetryAfter is the longest delay a provider's hint may ask for; a
// longer one is ignored rather than waited for.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter parses a Retry-After header value: delay-seconds (a
// fraction allowed) or an HTTP date, relative to now. Values that are
// empty, not positive, unparsable, in the past or over MaxRetryAfter are
// ignored: the result is zero.
func ParseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(value, 64); err == nil {
		if s <= 0 || s > MaxRetryAfter.Seconds() {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(value); err == nil && t.After(now) && t.Sub(now) <= MaxRetryAfter {
		return t.Sub(now)
	}
	return 0
}

// Scrub removes every occurrence of secret (a provider's API key) from s,
// for error messages that may echo the request.
func Scrub(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}
