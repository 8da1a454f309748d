package extensions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/poll"
)

func TestCacheSharesOneFetch(t *testing.T) {
	now := time.Unix(0, 0)
	c := newCache[int](10, func() time.Time { return now })
	var fetches atomic.Int64
	release := make(chan struct{})
	fetch := func() (int, error) {
		fetches.Add(1)
		<-release
		return 42, nil
	}
	ttl := func(error) time.Duration { return time.Minute }
	var wg sync.WaitGroup
	results := make([]int, 8)
	started := make(chan struct{}, 8)
	for i := range results {
		wg.Go(func() {
			started <- struct{}{}
			results[i], _ = c.get(context.Background(), "k", fetch, ttl)
		})
	}
	for range results {
		<-started
	}
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		// Late starters may find the value already cached; never more than one fetch.
		t.Fatalf("fetched %d times", n)
	}
	for _, r := range results {
		if r != 42 {
			t.Fatalf("results = %v", results)
		}
	}
}

func TestCacheExpiryAndErrors(t *testing.T) {
	now := time.Unix(0, 0)
	c := newCache[string](10, func() time.Time { return now })
	calls := 0
	fail := true
	fetch := func() (string, error) {
		calls++
		if fail {
			return "", errors.New("down")
		}
		return "up", nil
	}
	ttl := func(err error) time.Duration {
		if err != nil {
			return 10 * time.Second
		}
		return time.Minute
	}
	ctx := context.Background()
	if _, err := c.get(ctx, "x", fetch, ttl); err == nil {
		t.Fatal("want error")
	}
	fail = false
	if _, err := c.get(ctx, "x", fetch, ttl); err == nil || calls != 1 {
		t.Fatalf("error not kept for its TTL: %v, %d calls", err, calls)
	}
	now = now.Add(11 * time.Second)
	if v, err := c.get(ctx, "x", fetch, ttl); err != nil || v != "up" || calls != 2 {
		t.Fatalf("after error TTL: %q %v %d", v, err, calls)
	}
	c.forget("x")
	if _, _ = c.get(ctx, "x", fetch, ttl); calls != 3 {
		t.Fatalf("forget did not refetch: %d", calls)
	}
}

func TestCacheIsBounded(t *testing.T) {
	now := time.Unix(0, 0)
	c := newCache[int](3, func() time.Time { return now })
	for i := range 10 {
		now = now.Add(time.Second)
		c.put(fmt.Sprint(i), i, nil, time.Minute)
	}
	if c.len() != 3 {
		t.Fatalf("len = %d, want 3", c.len())
	}
	// The newest survive.
	v, _ := c.get(context.Background(), "9", func() (int, error) { return -1, nil }, func(error) time.Duration { return time.Minute })
	if v != 9 {
		t.Fatalf("newest evicted: %d", v)
	}
}

func TestScrub(t *testing.T) {
	raw := "https://bob:s3cret@ext.example/mcp/abcdefghijkl?token=tok3n&x=1"
	for _, msg := range []string{
		`Post "` + raw + `": dial tcp: connection reset`,
		`Post "https://bob:***@ext.example/mcp/abcdefghijkl?token=tok3n&x=1": EOF`,
		`server said: bad token tok3n for bob (s3cret) at /mcp/abcdefghijkl`,
		`broken: token%3Dtok3n`,
	} {
		got := scrub(msg, raw)
		for _, secret := range []string{"s3cret", "tok3n", "abcdefghijkl", "bob"} {
			if strings.Contains(got, secret) {
				t.Errorf("scrub(%q) = %q keeps %q", msg, got, secret)
			}
		}
	}
}

func TestCacheServesStaleWhileRefreshing(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(0, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newCache[string](10, clock)
	c.put("ws", "old", nil, time.Minute)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()

	release := make(chan struct{})
	var fetches atomic.Int64
	fetch := func() (string, error) {
		fetches.Add(1)
		<-release // the database is busy: the callers below must not wait
		return "new", nil
	}
	ttl := func(error) time.Duration { return time.Minute }
	for range 3 {
		if v, err := c.getOrStale(context.Background(), "ws", fetch, ttl); v != "old" || err != nil {
			t.Fatalf("getOrStale = %q, %v; want the stale value at once", v, err)
		}
	}
	close(release)
	poll.Wait(t, 5*time.Second, "the background refresh to land", func() bool {
		v, _ := c.getOrStale(context.Background(), "ws", fetch, ttl)
		return v == "new"
	})
	if n := fetches.Load(); n != 1 {
		t.Fatalf("refreshed %d times, want 1", n)
	}

	// Nothing cached yet: the caller waits for the fetch.
	if v, _ := c.getOrStale(context.Background(), "other", func() (string, error) { return "fresh", nil }, ttl); v != "fresh" {
		t.Fatalf("miss = %q", v)
	}
}
