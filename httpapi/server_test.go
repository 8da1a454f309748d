package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
)

// serve runs httpapi.NewServer(h, t) on a loopback port until the test ends
// and returns its address.
func serve(t *testing.T, h http.Handler, tm httpapi.Timeouts) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.NewServer(h, tm)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

func TestServerDefaults(t *testing.T) {
	srv := httpapi.NewServer(http.NotFoundHandler(), httpapi.Timeouts{})
	if srv.ReadHeaderTimeout != httpapi.DefaultReadHeaderTimeout || srv.ReadTimeout != httpapi.DefaultReadTimeout ||
		srv.IdleTimeout != httpapi.DefaultIdleTimeout {
		t.Errorf("timeouts: header %v, read %v, idle %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
	// One deadline for a whole response would cut long polls and streams.
	if srv.WriteTimeout != 0 {
		t.Errorf("WriteTimeout %v: the write deadline is per write", srv.WriteTimeout)
	}
}

// A client that trickles its headers is cut off by ReadHeader (closed
// without an answer), and no handler runs.
func TestSlowLorisHeadersAreCutOff(t *testing.T) {
	var served atomic.Int64
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }),
		httpapi.Timeouts{ReadHeader: 300 * time.Millisecond})
	if reply := httpapitest.SlowLoris(t, addr, 50*time.Millisecond, 10*time.Second); len(reply) != 0 {
		t.Errorf("the server answered %q; want the connection closed on the header timeout", reply)
	}
	if served.Load() != 0 {
		t.Errorf("a handler ran for a request whose headers never ended")
	}
}

// A body trickled slower than Read allows fails the handler's read with a
// timeout.
func TestSlowBodyIsCutOff(t *testing.T) {
	readErr := make(chan error, 1)
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}), httpapi.Timeouts{Read: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\n", addr)
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-readErr:
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("reading the trickled body: %v, want a timeout", err)
			}
			return
		case <-deadline:
			t.Fatal("the handler still reads the trickled body after 10s")
		case <-ticker.C:
			_, _ = conn.Write([]byte("x"))
		}
	}
}

// A client that stops reading the response has the handler's write fail
// after the write step.
func TestStalledReaderIsCutOff(t *testing.T) {
	writeErr := make(chan error, 1)
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 1<<20)
		for range 512 { // far more than the sockets' buffers hold
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}), httpapi.Timeouts{Write: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(conn, "GET /download HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	select {
	case err := <-writeErr:
		if err == nil {
			t.Fatal("512 MiB were written to a client that reads nothing")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the handler still writes to a client that reads nothing")
	}
}

// What lasts longer than every timeout but makes progress is not cut: a
// long poll (GET, and POST with a body) held past Read and Write, and an
// event stream whose gaps and whole length pass them.
func TestLongResponsesOutliveTheTimeouts(t *testing.T) {
	// A step long enough that a loaded machine's scheduling delays do not
	// reach it between a deadline's move and its write.
	const step = 500 * time.Millisecond
	hold := 3 * step
	mux := http.NewServeMux()
	poll := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case <-time.After(hold): // the long poll's wait
		case <-r.Context().Done():
			http.Error(w, "canceled", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "done %s", body)
	}
	mux.HandleFunc("GET /poll", poll)
	mux.HandleFunc("POST /poll", poll)
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 8 {
			gap := step / 2
			if i == 4 {
				gap = hold // an idle stretch longer than every timeout
			}
			select {
			case <-time.After(gap):
			case <-r.Context().Done():
				return
			}
			fmt.Fprintf(w, "data: %d\n\n", i)
			http.NewResponseController(w).Flush()
		}
	})
	addr := serve(t, mux, httpapi.Timeouts{ReadHeader: step, Read: step, Write: step, Idle: step})
	base := "http://" + addr

	for _, body := range []string{"", "message"} { // GET, and POST with a body
		method := map[bool]string{true: "GET", false: "POST"}[body == ""]
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(method, base+"/poll", strings.NewReader(body))
			if body == "" {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if b, err := io.ReadAll(resp.Body); err != nil || resp.StatusCode != http.StatusOK || string(b) != "done "+body {
				t.Fatalf("%s /poll = %d %q %v", method, resp.StatusCode, b, err)
			}
		})
	}
	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/stream", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var events []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data: ") {
				events = append(events, strings.TrimPrefix(line, "data: "))
			}
		}
		if err := sc.Err(); err != nil || strings.Join(events, ",") != "0,1,2,3,4,5,6,7" {
			t.Fatalf("stream: %v (%v)", events, err)
		}
	})
}
