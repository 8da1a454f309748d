// Package loadgen is a small HTTP load generator for the external-process
// benchmarks (docs/benchmarks.md), used when wrk is not installed and for
// the open-loop sweeps wrk cannot do: closed loop (a fixed number of
// connections, each sending its next request when the previous answer
// arrives) or open loop (requests started at a fixed rate, each timed from
// when it was due, so a server that falls behind shows its queueing delay
// rather than hiding it: no coordinated omission).
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one load run.
type Config struct {
	URL      string
	Method   string      // default POST
	Header   http.Header // sent with every request
	Body     []byte
	Conns    int           // closed loop: connections; open loop: at most this many requests in flight
	Duration time.Duration // how long to send
	Rate     float64       // requests per second; 0: closed loop
	Expect   int           // the status every answer must have; 0: any 2xx
	Contains []byte        // when set, every answer's body must contain it
}

// Result is what a run achieved. Latencies are in milliseconds.
type Result struct {
	Generator  string  `json:"generator"`
	Requests   int     `json:"requests"` // answered as expected
	Errors     int     `json:"errors"`   // transport errors, other statuses or bodies
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	Offered    float64 `json:"offered_rps,omitempty"` // the open loop's rate
	RPS        float64 `json:"rps"`                   // answered as expected, per second
	P50        float64 `json:"p50_ms"`
	P90        float64 `json:"p90_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
}

// Run sends load as cfg says and measures it.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Conns < 1 {
		cfg.Conns = 1
	}
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	if cfg.Duration <= 0 {
		return Result{}, fmt.Errorf("loadgen: duration must be positive")
	}
	client := &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			Proxy: nil, MaxIdleConns: cfg.Conns * 2, MaxIdleConnsPerHost: cfg.Conns * 2,
			MaxConnsPerHost: cfg.Conns, IdleConnTimeout: time.Minute,
		},
	}
	defer client.CloseIdleConnections()
	r := &recorder{lat: make([]time.Duration, 0, 1<<16)}
	start := time.Now()
	end := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	if cfg.Rate <= 0 {
		for range cfg.Conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) && ctx.Err() == nil {
					t := time.Now()
					r.record(t, one(ctx, client, cfg))
				}
			}()
		}
	} else {
		due := make(chan time.Time, cfg.Conns)
		for range cfg.Conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for t := range due {
					r.record(t, one(ctx, client, cfg))
				}
			}()
		}
		interval := time.Duration(float64(time.Second) / cfg.Rate)
		for i := 0; ; i++ {
			t := start.Add(time.Duration(i) * interval)
			if !t.Before(end) || ctx.Err() != nil {
				break
			}
			if d := time.Until(t); d > 0 {
				time.Sleep(d)
			}
			due <- t // blocks while every worker is busy; the request's clock already runs
		}
		close(due)
	}
	wg.Wait()
	res := r.result(time.Since(start))
	res.Generator = "loadgen"
	res.Offered = cfg.Rate
	return res, nil
}

// one sends one request and checks the answer.
func one(ctx context.Context, client *http.Client, cfg Config) error {
	req, err := http.NewRequestWithContext(ctx, cfg.Method, cfg.URL, bytes.NewReader(cfg.Body))
	if err != nil {
		return err
	}
	for k, v := range cfg.Header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	ok := resp.StatusCode/100 == 2
	if cfg.Expect != 0 {
		ok = resp.StatusCode == cfg.Expect
	}
	if !ok || (cfg.Contains != nil && !bytes.Contains(body, cfg.Contains)) {
		return fmt.Errorf("%s %s = %d %.200s", cfg.Method, cfg.URL, resp.StatusCode, body)
	}
	return nil
}

// recorder collects latencies and errors from the workers.
type recorder struct {
	mu       sync.Mutex
	lat      []time.Duration
	errors   atomic.Int64
	firstErr atomic.Value
}

func (r *recorder) record(start time.Time, err error) {
	d := time.Since(start)
	if err != nil {
		r.errors.Add(1)
		r.firstErr.CompareAndSwap(nil, err.Error())
		return
	}
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

func (r *recorder) result(elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.lat)
	res := Result{Requests: len(r.lat), Errors: int(r.errors.Load()), Seconds: elapsed.Seconds()}
	if s, ok := r.firstErr.Load().(string); ok {
		res.FirstError = s
	}
	if elapsed > 0 {
		res.RPS = float64(len(r.lat)) / elapsed.Seconds()
	}
	res.P50, res.P90, res.P99 = Percentile(r.lat, 0.50), Percentile(r.lat, 0.90), Percentile(r.lat, 0.99)
	if n := len(r.lat); n > 0 {
		res.Max = ms(r.lat[n-1])
	}
	return res
}

// Percentile is the q-quantile of sorted latencies, in milliseconds.
func Percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return ms(sorted[int(q*float64(len(sorted)-1))])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
