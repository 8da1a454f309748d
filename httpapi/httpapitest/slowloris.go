package httpapitest

import (
	"io"
	"net"
	"testing"
	"time"
)

// SlowLoris opens a connection to addr and trickles a request's headers,
// one header line every tick, never ending them, until the server closes
// the connection. It returns how long the server took to close it, and
// fails t when the server still listens after within.
func SlowLoris(t testing.TB, addr string, tick, within time.Duration) time.Duration {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_, _ = io.Copy(io.Discard, conn) // returns when the server closes
	}()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n"); err != nil {
		t.Fatalf("write the request line: %v", err)
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	deadline := time.After(within)
	for {
		select {
		case <-closed:
			return time.Since(start)
		case <-deadline:
			t.Fatalf("the server still reads the trickled headers after %v", within)
			return 0
		case <-ticker.C:
			// A write error is the server closing: the reader sees it too.
			_, _ = io.WriteString(conn, "X-Trickle: a\r\n")
		}
	}
}
