package testbed_test

import (
	"os"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/testbed"
)

// TestParseWrk reads a real `wrk --latency` output (wrk 4.1.0).
func TestParseWrk(t *testing.T) {
	out, err := os.ReadFile("testdata/wrk-latency.txt")
	if err != nil {
		t.Fatal(err)
	}
	r, err := testbed.ParseWrk(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 363 || r.Errors != 0 || r.P50 != 15.58 || r.P90 != 108.36 || r.P99 != 263.79 || r.Seconds != 1.02 {
		t.Fatalf("parsed %+v", r)
	}
	bad := "  100 requests in 1.00s, 1KB read\n  Non-2xx or 3xx responses: 7\n"
	if r, err := testbed.ParseWrk(bad); err != nil || r.Errors != 7 || r.Requests != 93 {
		t.Fatalf("with non-2xx answers: %+v, %v", r, err)
	}
	if _, err := testbed.ParseWrk("wrk: connection refused"); err == nil {
		t.Fatal("no error for output without a request count")
	}
}

// TestPlotSVG draws a plot with every series and a panel without data.
func TestPlotSVG(t *testing.T) {
	var b strings.Builder
	err := testbed.PlotSVG(&b, "t <1>", []testbed.Panel{
		{Title: "a", Series: []testbed.Series{{Name: "p50", Points: []testbed.Point{{X: 10, Y: 1.5}, {X: 20, Y: 300}}}, {Name: "p99", Points: []testbed.Point{{X: 10, Y: 4}}}}},
		{Title: "empty"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{"<svg", "</svg>", "t &lt;1&gt;", ">p50<", ">p99<", "empty: no data", "<polyline"} {
		if !strings.Contains(s, want) {
			t.Fatalf("plot lacks %q:\n%s", want, s)
		}
	}
}
