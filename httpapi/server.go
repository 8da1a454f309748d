package httpapi

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Timeouts bound how long a client may hold a connection of the node's
// HTTP server without making progress (docs/operating.md, "HTTP
// timeouts"). Zero fields take the defaults.
type Timeouts struct {
	// ReadHeader bounds reading a request's line and headers, from its
	// first byte: a client that trickles them (slow loris) is cut off.
	// Default 10 s.
	ReadHeader time.Duration
	// Read bounds reading a whole request, headers and body, from its
	// first byte. It ends when the body has been read: a long poll or a
	// stream that follows is not bounded by it. Default 5 min (a
	// DefaultMaxFileSize upload at about 90 KB/s).
	Read time.Duration
	// Write bounds each write of a response: every write must reach the
	// client within Write of the one before (a rolling deadline), so a
	// client that stops reading is cut off, while a long poll (?wait=), an
	// event stream or a large download of any length goes on as long as
	// the client reads. Default 60 s.
	Write time.Duration
	// Idle bounds a kept-alive connection waiting for its next request.
	// Default 2 min.
	Idle time.Duration
}

// The defaults of Timeouts.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 5 * time.Minute
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
)

func (t Timeouts) withDefaults() Timeouts {
	if t.ReadHeader <= 0 {
		t.ReadHeader = DefaultReadHeaderTimeout
	}
	if t.Read <= 0 {
		t.Read = DefaultReadTimeout
	}
	if t.Write <= 0 {
		t.Write = DefaultWriteTimeout
	}
	if t.Idle <= 0 {
		t.Idle = DefaultIdleTimeout
	}
	return t
}

// NewServer is the node's HTTP server for h with the timeouts t.
//
// net/http's own WriteTimeout is not used: it is one deadline for the
// handler's whole run and its response, which would cut every long poll
// and stream longer than it. The write deadline is set per write instead
// (WriteDeadlines). ReadTimeout is safe for long requests: net/http clears
// the read deadline once a request's body has been read.
func NewServer(h http.Handler, t Timeouts) *http.Server {
	t = t.withDefaults()
	return &http.Server{
		Handler:           WriteDeadlines(h, t.Write),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
	}
}

// WriteDeadlines gives each write of h's responses a deadline of step
// from that write (a rolling deadline, set through
// http.ResponseController): a response may take as long as it needs, but
// a write that the client does not take within step fails and the
// connection is closed. To keep the cost of a stream of small writes low,
// the deadline is moved only once less than half of step is left, so a
// write has between step/2 and step.
func WriteDeadlines(h http.Handler, step time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), step: step}
		// A fresh deadline for this request (a kept-alive connection keeps
		// the last one), also for a "100 Continue" sent on reading the body.
		dw.extend(true)
		defer dw.extend(true) // the response's last bytes leave after h returns
		h.ServeHTTP(dw, r)
	})
}

// deadlineWriter moves the connection's write deadline before each write.
type deadlineWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	step  time.Duration
	until atomic.Int64 // the deadline set, in Unix nanoseconds
}

// extend sets the write deadline to now + step, when less than step/2 is
// left or always when force.
func (w *deadlineWriter) extend(force bool) {
	now := time.Now()
	if !force && time.Unix(0, w.until.Load()).Sub(now) > w.step/2 {
		return
	}
	until := now.Add(w.step)
	w.until.Store(until.UnixNano())
	_ = w.rc.SetWriteDeadline(until) // not supported (a test's recorder): no deadline
}

// WriteHeader implements http.ResponseWriter.
func (w *deadlineWriter) WriteHeader(code int) {
	w.extend(false)
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *deadlineWriter) Write(b []byte) (int, error) {
	w.extend(false)
	return w.ResponseWriter.Write(b)
}

// Flush sends what is buffered (event streams, the federation endpoint's
// early 202).
func (w *deadlineWriter) Flush() {
	w.extend(false)
	_ = w.rc.Flush()
}

// FlushError is Flush with its error (http.ResponseController uses it).
func (w *deadlineWriter) FlushError() error {
	w.extend(false)
	return w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
