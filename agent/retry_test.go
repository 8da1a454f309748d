package agent_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
)

func TestRetryableStatus(t *testing.T) {
	tests := []struct {
		status int
		want   bool
	}{
		{0, false},
		{200, false},
		{400, false},
		{401, false},
		{403, false},
		{404, false},
		{408, true},
		{409, false},
		{429, true},
		{500, true},
		{501, false},
		{502, true},
		{503, true},
		{504, true},
		{505, false},
	}
	for _, tt := range tests {
		if got := agent.RetryableStatus(tt.status); got != tt.want {
			t.Errorf("RetryableStatus(%d) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestTransient(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("boom"), false},
		{"url error", &url.Error{Op: "Post", URL: "http://x", Err: errors.New("boom")}, true},
		{"net error", refused, true},
		{"wrapped net error", fmt.Errorf("sdk: %w", refused), true},
		{"cut-off body", io.ErrUnexpectedEOF, true},
		{"wrapped cut-off body", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{"clean EOF", io.EOF, false},
		{"canceled", context.Canceled, false},
		{"deadline (a net.Error)", context.DeadlineExceeded, true},
	}
	for _, tt := range tests {
		if got := agent.Transient(tt.err); got != tt.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"   ", 0},
		{"7", 7 * time.Second},
		{" 1.5 ", 1500 * time.Millisecond},
		{"0.25", 250 * time.Millisecond},
		{"0", 0},
		{"-3", 0},
		{"86400", agent.MaxRetryAfter}, // a day: the most honoured
		{"86401", 0},                   // over a day: ignored
		{"999999", 0},
		{"+Inf", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(agent.MaxRetryAfter).Format(http.TimeFormat), agent.MaxRetryAfter},
		{now.Add(agent.MaxRetryAfter + time.Second).Format(http.TimeFormat), 0},
		{now.Format(http.TimeFormat), 0},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(time.Minute).Format(time.RFC850), time.Minute}, // obsolete RFC 850 date
		{now.Add(time.Minute).Format(time.ANSIC), time.Minute},  // asctime date
		{now.Add(time.Minute).Format(time.RFC3339), 0},          // not an HTTP date
	}
	for _, tt := range tests {
		if got := agent.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		s, secret, want string
	}{
		{"no key here", "sk-123", "no key here"},
		{"bad key sk-123", "sk-123", "bad key [redacted]"},
		{"sk-123 and again sk-123", "sk-123", "[redacted] and again [redacted]"},
		{`{"key":"sk-123"}`, "sk-123", `{"key":"[redacted]"}`},
		{"anything", "", "anything"},
		{"", "sk-123", ""},
	}
	for _, tt := range tests {
		if got := agent.Scrub(tt.s, tt.secret); got != tt.want {
			t.Errorf("Scrub(%q, %q) = %q, want %q", tt.s, tt.secret, got, tt.want)
		}
	}
}
