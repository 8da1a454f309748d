package httpapi

import (
	"sync"
	"time"

	"github.com/soisnode/soisnode/errs"
)

var errTooMany = errs.E(errs.RateLimited, "too many failed authentication attempts; try again later")

// failLimiter is abuse protection: an address with too many failed
// authentications in a window is refused with 429 until the window ends.
// Memory is bounded: at most maxAddrs addresses are tracked.
type failLimiter struct {
	mu       sync.Mutex
	window   time.Duration
	limit    int
	maxAddrs int
	now      func() time.Time
	fails    map[string]*failCount
}

type failCount struct {
	n     int
	start time.Time
}

func newFailLimiter(now func() time.Time) *failLimiter {
	return &failLimiter{window: time.Minute, limit: 30, maxAddrs: 10000, now: now, fails: map[string]*failCount{}}
}

func (l *failLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.fails[addr]
	if !ok {
		return true
	}
	if l.now().Sub(c.start) > l.window {
		delete(l.fails, addr)
		return true
	}
	return c.n < l.limit
}

func (l *failLimiter) fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	c, ok := l.fails[addr]
	if !ok || now.Sub(c.start) > l.window {
		if len(l.fails) >= l.maxAddrs {
			for k, v := range l.fails { // drop expired entries, or make room
				if now.Sub(v.start) > l.window || len(l.fails) >= l.maxAddrs {
					delete(l.fails, k)
				}
			}
		}
		l.fails[addr] = &failCount{n: 1, start: now}
		return
	}
	c.n++
}
