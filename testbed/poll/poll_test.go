package poll_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/poll"
)

// TestUntil: a condition another goroutine makes true is seen; one that
// never holds gives false once the deadline has passed, not before.
func TestUntil(t *testing.T) {
	var flag atomic.Bool
	go func() {
		for i := 0; i < 1000; i++ { // some work before the flag is set
			_ = i * i
		}
		flag.Store(true)
	}()
	if !poll.Until(10*time.Second, flag.Load) {
		t.Fatal("Until did not see the flag")
	}
	asks := 0
	start := time.Now()
	if poll.Until(30*time.Millisecond, func() bool { asks++; return false }) {
		t.Fatal("Until reported a condition that never held")
	}
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Fatalf("Until gave up after %v, before its deadline", took)
	}
	if asks < 2 {
		t.Fatalf("Until asked %d times, want it to ask again before giving up", asks)
	}
}

// TestWait: Wait fails the test, naming what it waited for, when the
// condition never holds.
func TestWait(t *testing.T) {
	ft := &fakeT{}
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine that calls it
		defer close(done)
		poll.Wait(ft, 10*time.Millisecond, "the moon", func() bool { return false })
	}()
	<-done
	if !ft.failed || ft.msg != "timed out after 10ms waiting for the moon" {
		t.Fatalf("failed %v, message %q", ft.failed, ft.msg)
	}
	poll.Wait(t, time.Second, "a true condition", func() bool { return true })
}

// fakeT records a Fatalf and ends its goroutine as testing.T does.
type fakeT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
