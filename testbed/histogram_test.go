package testbed_test

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/soisnode/soisnode/testbed"
)

// TestHistogramQuantile: quantiles interpolate linearly within the bucket
// the rank falls in (the first bucket from 0), a rank in +Inf gives the
// highest finite bound, and Sub leaves only what happened between two
// scrapes of a real exported histogram.
func TestHistogramQuantile(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "t_seconds", Help: "t", Buckets: []float64{.001, .002, .004}})
	reg.MustRegister(h)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	scrape := func() testbed.Histogram {
		t.Helper()
		got, err := testbed.ScrapeHistogram(srv.URL, "t_seconds")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for range 10 {
		h.Observe(.0035) // before: all in the (.002, .004] bucket
	}
	before := scrape()
	// 4 in (0, .001], 4 in (.001, .002], 2 in +Inf.
	for _, v := range []float64{.0005, .0005, .0005, .0005, .0015, .0015, .0015, .0015, 5, 5} {
		h.Observe(v)
	}
	after := scrape()
	d, err := after.Sub(before)
	if err != nil {
		t.Fatal(err)
	}
	if d.Count != 10 || math.Abs(d.Sum-10.008) > 1e-9 {
		t.Fatalf("difference: %+v", d)
	}
	for _, c := range []struct{ q, want float64 }{
		{0.2, .0005},  // rank 2 of 4 in the first bucket: half of [0, .001]
		{0.5, .00125}, // rank 5: one of 4 into (.001, .002]
		{0.8, .002},   // rank 8: the top of (.001, .002]
		{0.99, .004},  // in +Inf: the highest finite bound
	} {
		if got := d.Quantile(c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("q%v = %v, want %v", c.q, got, c.want)
		}
	}
	// Both scrapes' observations: 8 up to .002, 10 in (.002, .004]; rank
	// 10 is the second of those 10.
	if got := after.Quantile(0.5); math.Abs(got-.0024) > 1e-12 {
		t.Errorf("whole q0.5 = %v, want .0024", got)
	}
	if q := (testbed.Histogram{}).Quantile(0.5); !math.IsNaN(q) {
		t.Errorf("empty histogram q0.5 = %v, want NaN", q)
	}
	if _, err := testbed.ScrapeHistogram(srv.URL, "missing_seconds"); err == nil {
		t.Error("no error for a histogram not exported")
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer bad.Close()
	if _, err := testbed.ScrapeHistogram(bad.URL, "t_seconds"); err == nil {
		t.Error("no error for a 503")
	}
}
