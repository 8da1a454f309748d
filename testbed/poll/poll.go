// Package poll waits, in tests, until a condition that asynchronous work
// makes true holds: it asks again with a short, growing pause, and gives
// up at a deadline. It is the one shared form of "poll the database (or a
// counter, or an API) with a deadline"; a test never sleeps a fixed time
// hoping the work is done. It imports only the standard library, so any
// package's tests may use it without an import cycle.
package poll

import (
	"testing"
	"time"
)

// The pause between two asks starts at minPause and doubles up to
// maxPause: a counter a goroutine bumps in microseconds is seen at once,
// a database or an HTTP API is not asked more than 20 times a second.
const (
	minPause = time.Millisecond
	maxPause = 50 * time.Millisecond
)

// Until asks cond until it returns true (then true) or within has passed
// (then false, after one last ask). It never fails a test, so a handler
// running outside the test's goroutine may use it.
func Until(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	pause := minPause
	for !cond() {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		timer := time.NewTimer(min(pause, left))
		<-timer.C
		pause = min(2*pause, maxPause)
	}
	return true
}

// Wait is Until that fails t (t.Fatalf, naming what was awaited) when
// within passes before cond holds. Call it from the test's goroutine.
func Wait(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Until(within, cond) {
		t.Fatalf("timed out after %v waiting for %s", within, what)
	}
}
