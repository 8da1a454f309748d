package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a failed delivery is tried again.
type Schedule struct {
	// Delays[i] is the wait after the (i+1)-th failed attempt; after
	// len(Delays)+1 attempts the delivery is dead-lettered.
	Delays []time.Duration
	// Jitter spreads each delay by ±Jitter (0.1 = ±10 %) so that a burst of
	// failures does not retry in lockstep.
	Jitter float64
	// MaxRetryAfter caps how long a receiver's Retry-After can postpone the
	// next attempt.
	MaxRetryAfter time.Duration
}

// DefaultSchedule tries at once, then after 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h, 14 h, 20 h and 24 h (ten attempts over about three days), ±10 %,
// honouring Retry-After up to 24 h.
var DefaultSchedule = Schedule{
	Delays: []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
		5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour},
	Jitter:        0.1,
	MaxRetryAfter: 24 * time.Hour,
}

// MaxAttempts is the number of attempts before a delivery is dead.
func (s Schedule) MaxAttempts() int { return len(s.Delays) + 1 }

// Next returns how long to wait after the failures-th consecutive failed
// attempt (1-based), or false when the schedule is exhausted. r is a random
// number in [0, 1) choosing the jitter. A Retry-After longer than the
// scheduled delay postpones the attempt, up to MaxRetryAfter; a shorter one
// does not bring it forward.
func (s Schedule) Next(failures int, retryAfter time.Duration, r float64) (time.Duration, bool) {
	if failures < 1 || failures > len(s.Delays) {
		return 0, false
	}
	base := s.Delays[failures-1]
	d := time.Duration(float64(base) * (1 - s.Jitter + 2*s.Jitter*r))
	if retryAfter > s.MaxRetryAfter {
		retryAfter = s.MaxRetryAfter
	}
	if retryAfter > d {
		d = retryAfter
	}
	return d, true
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (relative to now). Anything else, or a time in the past, is zero.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(100*365*24*time.Hour/time.Second) {
			n = int64(100 * 365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
