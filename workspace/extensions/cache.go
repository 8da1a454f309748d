package extensions

import (
	"context"
	"sync"
	"time"
)

// cache is a small, bounded map of values that expire. Concurrent misses on
// one key share a single fetch, so a slow or dead extension is asked once,
// not once per caller.
type cache[V any] struct {
	mu  sync.Mutex
	max int
	now func() time.Time
	m   map[string]*slot[V]
}

// slot holds one value; its fields are written once, before ready closes
// (except refreshing, which c.mu guards).
type slot[V any] struct {
	ready      chan struct{}
	val        V
	err        error
	expires    time.Time
	refreshing bool
}

func newCache[V any](max int, now func() time.Time) *cache[V] {
	return &cache[V]{max: max, now: now, m: map[string]*slot[V]{}}
}

// get returns key's value, calling fetch when it is missing or expired.
// ttl says how long a fetched value (or error) is kept. fetch runs with its
// own context: its result is shared, so one caller giving up must not spoil
// it for the others. A caller whose ctx ends stops waiting.
func (c *cache[V]) get(ctx context.Context, key string, fetch func() (V, error), ttl func(error) time.Duration) (V, error) {
	c.mu.Lock()
	s := c.m[key]
	if s != nil {
		select {
		case <-s.ready:
			if c.now().Before(s.expires) {
				c.mu.Unlock()
				return s.val, s.err
			}
			s = nil
		default: // another caller is fetching it: wait below
		}
	}
	if s == nil {
		s = &slot[V]{ready: make(chan struct{})}
		c.insertLocked(key, s)
		c.mu.Unlock()
		func() {
			defer close(s.ready)
			s.val, s.err = fetch()
			s.expires = c.now().Add(ttl(s.err))
		}()
		return s.val, s.err
	}
	c.mu.Unlock()
	select {
	case <-s.ready:
		return s.val, s.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// getOrStale is get, except that a value that has expired (and was not an
// error) is returned at once while a single background fetch replaces it.
// Callers that may hold the database's only connection (a SQLite
// transaction) then do not wait on a query that needs that connection.
func (c *cache[V]) getOrStale(ctx context.Context, key string, fetch func() (V, error), ttl func(error) time.Duration) (V, error) {
	c.mu.Lock()
	if s := c.m[key]; s != nil {
		select {
		case <-s.ready:
			if s.err == nil && !c.now().Before(s.expires) {
				if !s.refreshing {
					s.refreshing = true
					go func() {
						v, err := fetch()
						if err == nil {
							c.put(key, v, nil, ttl(nil))
							return
						}
						c.mu.Lock()
						s.refreshing = false
						c.mu.Unlock()
					}()
				}
				c.mu.Unlock()
				return s.val, nil
			}
		default:
		}
	}
	c.mu.Unlock()
	return c.get(ctx, key, fetch, ttl)
}

// put stores a value as if it had just been fetched.
func (c *cache[V]) put(key string, val V, err error, ttl time.Duration) {
	s := &slot[V]{ready: make(chan struct{}), val: val, err: err, expires: c.now().Add(ttl)}
	close(s.ready)
	c.mu.Lock()
	c.insertLocked(key, s)
	c.mu.Unlock()
}

// forget drops key, so the next get fetches it again.
func (c *cache[V]) forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// insertLocked stores s under key, first making room: expired entries go,
// then the ones closest to expiry (in-flight entries count as expired; their
// waiters keep their own pointer).
func (c *cache[V]) insertLocked(key string, s *slot[V]) {
	if _, replace := c.m[key]; !replace && len(c.m) >= c.max {
		now := c.now()
		for k, old := range c.m {
			if expiry(old).Before(now) {
				delete(c.m, k)
			}
		}
		for len(c.m) >= c.max {
			var oldest string
			var at time.Time
			for k, old := range c.m {
				if exp := expiry(old); oldest == "" || exp.Before(at) {
					oldest, at = k, exp
				}
			}
			delete(c.m, oldest)
		}
	}
	c.m[key] = s
}

// expiry is when s expires; zero while it is still being fetched (reading
// expires before ready closes would race with the fetch).
func expiry[V any](s *slot[V]) time.Time {
	select {
	case <-s.ready:
		return s.expires
	default:
		return time.Time{}
	}
}

// len reports how many entries the cache holds, for tests.
func (c *cache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
