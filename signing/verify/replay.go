package verify

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ReplayCache remembers verified signatures until they expire, so that a
// captured request cannot be replayed while its signature is still fresh.
// Receivers running several processes back it with a shared store (Redis
// SET NX with expiry, a database table with a unique key).
type ReplayCache interface {
	// Add records key until expires and reports whether it was new.
	Add(ctx context.Context, key string, expires time.Time) (bool, error)
}

// MemoryReplay is an in-process ReplayCache holding at most Max keys
// (default 100 000); when full it refuses new keys rather than forgetting
// live ones.
type MemoryReplay struct {
	Max int
	Now func() time.Time // clock; default time.Now

	mu   sync.Mutex
	seen map[string]time.Time
}

var _ ReplayCache = (*MemoryReplay)(nil)

// Add implements ReplayCache.
func (m *MemoryReplay) Add(_ context.Context, key string, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	if m.seen == nil {
		m.seen = make(map[string]time.Time)
	}
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	max := m.Max
	if max <= 0 {
		max = 100_000
	}
	if len(m.seen) >= max {
		for k, exp := range m.seen {
			if !now.Before(exp) {
				delete(m.seen, k)
			}
		}
		if len(m.seen) >= max {
			return false, errReplayFull
		}
	}
	m.seen[key] = expires
	return true, nil
}

var errReplayFull = errors.New("replay cache full")
