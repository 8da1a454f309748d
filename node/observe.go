package node

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/soisnode/soisnode/httpapi"
)

// metrics are the node's Prometheus series, on a registry of its own (no
// global state), served at /metrics.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sois_http_request_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 30, 60},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry. ContinueOnError: a collector that cannot
// read the database (it is slow, or closed during shutdown) drops its own
// series, logged to log, never the whole scrape.
func (m *metrics) handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError, ErrorLog: scrapeLog{log}})
}

// scrapeLog is promhttp's error log on the node's logger.
type scrapeLog struct{ log *slog.Logger }

// Println implements promhttp.Logger.
func (l scrapeLog) Println(v ...any) { l.log.Warn("metrics: scrape", "err", fmt.Sprint(v...)) }

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps streaming responses (MCP) working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one structured line per request (never headers, so no
// secret reaches the log) and records metrics by route pattern.
func (n *Node) logRequests(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
			mux.ServeHTTP(httpapi.ProblemWriter(sw), r)
		} else {
			mux.ServeHTTP(sw, r)
		}
		d := time.Since(start)
		n.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		n.metrics.latency.WithLabelValues(route).Observe(d.Seconds())
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		}
		n.log.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration_ms", d.Milliseconds())
	})
}
