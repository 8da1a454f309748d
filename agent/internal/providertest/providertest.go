// Package providertest holds the checks every agent.Provider's tests share
// (gemini, openai): concurrent use, how failures are classified, and JSON
// comparison for the bodies their fakes record.
package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
)

// UserRequest is a request with a system prompt and one user message.
func UserRequest(text string) agent.Request {
	return agent.Request{System: "You are a test.", Messages: []agent.Message{{Role: agent.RoleUser, Text: text}}}
}

// JSONEqual compares JSON values exactly, numbers included.
func JSONEqual(got, want string) bool {
	canon := func(s string) (string, bool) {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return "", false
		}
		out, _ := json.Marshal(v)
		return string(out), true
	}
	a, ok1 := canon(got)
	b, ok2 := canon(want)
	return ok1 && ok2 && a == b
}

// ConcurrentUse sends 16 requests through p at once; the fake behind p must
// answer each with "echo " and the request's user message.
func ConcurrentUse(t *testing.T, p agent.Provider) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := fmt.Sprintf("m%d", i)
			resp, err := p.Generate(context.Background(), UserRequest(in))
			if err == nil && resp.Message.Text != "echo "+in {
				err = fmt.Errorf("reply %q for %q", resp.Message.Text, in)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// WantRetryable checks that err is an *agent.RetryableError with status and
// after, and that the fake answered exactly one call (the SDK's own retries
// are off).
func WantRetryable(t *testing.T, err error, status int, after time.Duration, calls int) {
	t.Helper()
	r, ok := agent.IsRetryable(err)
	if !ok {
		t.Fatalf("err = %v, want RetryableError", err)
	}
	if r.Status != status || r.After != after {
		t.Errorf("RetryableError{Status: %d, After: %v}, want {%d, %v}", r.Status, r.After, status, after)
	}
	if calls != 1 {
		t.Errorf("calls = %d, want 1 (the SDK must not retry)", calls)
	}
}

// WantPlainError checks that err is a plain error, not a retryable one,
// whose message carries want (the provider's own words) and never secret
// (the API key).
func WantPlainError(t *testing.T, err error, want, secret string) {
	t.Helper()
	if err == nil {
		t.Errorf("err = nil, want a plain error containing %q", want)
		return
	}
	if _, ok := agent.IsRetryable(err); ok || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want a plain error containing %q", err, want)
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Errorf("error leaks the key: %v", err)
	}
}

// NetworkAndContextErrors checks that refused, whose server is closed,
// fails with a RetryableError of status 0, and that live, called with a
// canceled context, returns context.Canceled and not a retryable error.
func NetworkAndContextErrors(t *testing.T, refused, live agent.Provider) {
	t.Helper()
	_, err := refused.Generate(context.Background(), UserRequest("x"))
	if r, ok := agent.IsRetryable(err); !ok || r.Status != 0 {
		t.Errorf("connection refused: err = %v, want RetryableError with status 0", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = live.Generate(ctx, UserRequest("x"))
	if _, ok := agent.IsRetryable(err); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v, want context.Canceled, not retryable", err)
	}
}
