package httpapitest

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// SlowLoris opens a connection to addr and trickles a request's headers,
// one header line every tick, never ending them, until the server closes
// the connection. It fails t when the server still reads after within,
// and returns what the server sent before closing (nothing, when it closed
// on its header timeout rather than answering an error).
func SlowLoris(t testing.TB, addr string, tick, within time.Duration) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	closed := make(chan struct{})
	var reply bytes.Buffer
	go func() {
		defer close(closed)
		_, _ = io.Copy(&reply, conn) // returns when the server closes
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
			return reply.Bytes()
		case <-deadline:
			t.Fatalf("the server still reads the trickled headers after %v", within)
			return nil
		case <-ticker.C:
			// A write error is the server closing: the reader sees it too.
			_, _ = io.WriteString(conn, "X-Trickle: a\r\n")
		}
	}
}
