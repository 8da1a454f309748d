// Package errs defines the small, append-only set of error kinds that
// soisnode's packages use to tell callers what went wrong. The HTTP layer
// maps kinds to statuses in exactly one table (httpapi/problem.go); anything
// without a kind is an internal error, logged in full and never shown.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the caller.
type Kind int

// Kinds. Append only: the values are not stored, but tests match on them.
const (
	Internal      Kind = iota // a bug or an outage; never the caller's fault
	Invalid                   // malformed or semantically invalid input (400 / 422)
	Unauthorized              // missing or wrong credentials (401)
	Forbidden                 // authenticated but not allowed (403)
	NotFound                  // no such thing, or not visible to this workspace (404)
	Conflict                  // state conflict, e.g. a turn is still running (409)
	TooLarge                  // body or upload over the limit (413)
	Unprocessable             // well-formed but unacceptable, e.g. reused idempotency key (422)
	BudgetSpent               // a budget has no money left (402)
	RateLimited               // abuse protection (429)
	Unavailable               // a dependency is down; the caller may retry (503)
	Malformed                 // syntactically broken input (400)
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", Unauthorized: "unauthorized",
	Forbidden: "forbidden", NotFound: "not_found", Conflict: "conflict",
	TooLarge: "too_large", Unprocessable: "unprocessable", BudgetSpent: "budget_spent",
	RateLimited: "rate_limited", Unavailable: "unavailable", Malformed: "malformed",
}

func (k Kind) String() string { return kindNames[k] }

// Error is an error with a kind and a message safe to show the caller.
type Error struct {
	Kind    Kind
	Message string         // shown to the caller; never holds secrets or internals
	Detail  map[string]any // optional machine-readable extras for the problem body
	Err     error          // the underlying cause, logged but not shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of kind k with a caller-safe message.
func E(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an error of kind k that keeps err as its hidden cause.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: err}
}

// With returns a copy of e carrying extra problem fields.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Detail = make(map[string]any, len(e.Detail)+1)
	for k, v := range e.Detail {
		c.Detail[k] = v
	}
	c.Detail[key] = value
	return &c
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err has kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Message returns the caller-safe message of err, or a generic one.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Message
	}
	return "internal error"
}

// ErrShutdown is the cause with which a stopping process cancels the work
// it could not finish within its grace period (context.WithCancelCause).
// Work cut off with this cause is not failed: it is left in a durable,
// resumable state and handed to another process (or the restarted one).
var ErrShutdown = errors.New("the node is shutting down")
