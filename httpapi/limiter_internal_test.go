package httpapi

import (
	"fmt"
	"testing"
	"time"
)

// An IPv6 client holds a whole /64 (often more): counting failures per
// address would give it a fresh allowance for every address it picks, and
// let it flush the table of the addresses being tracked. Failures are
// counted per /64; IPv4 stays per address.
func TestFailLimiterCountsIPv6PerPrefix(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newFailLimiter(func() time.Time { return now })
	for i := range l.limit {
		ip := clientIP(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1))
		if !l.allow(ip) {
			t.Fatalf("refused after %d failures", i)
		}
		l.fail(ip)
	}
	if l.allow(clientIP("[2001:db8:1:2:ffff:ffff:ffff:ffff]:1")) {
		t.Fatal("another address of the same /64 is still allowed after the limit")
	}
	if !l.allow(clientIP("[2001:db8:1:3::1]:1")) {
		t.Fatal("a different /64 is refused")
	}
	for i := range l.limit {
		l.fail(clientIP(fmt.Sprintf("192.0.2.%d:80", i+1)))
	}
	if !l.allow(clientIP("192.0.2.200:80")) {
		t.Fatal("IPv4 addresses must be counted one by one")
	}
	if got, want := clientIP("[::ffff:192.0.2.7]:80"), "192.0.2.7"; got != want {
		t.Fatalf("IPv4-mapped address counted as %q, want %q", got, want)
	}
}
