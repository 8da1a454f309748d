package agent

import (
	"errors"
	"fmt"
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
