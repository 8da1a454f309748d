package testbed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	wrong := "  100 requests in 1.00s, 1KB read\n  Non-2xx or 3xx responses: 2\nUnexpected answers: 5\n"
	if r, err := testbed.ParseWrk(wrong); err != nil || r.Errors != 7 || r.Requests != 93 || r.FirstError == "" {
		t.Fatalf("with unexpected answers: %+v, %v", r, err)
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

// TestWrkChecksAnswers runs wrk (installed by .ci/run) with a checked
// spec (CheckInWrk) against a server whose every third answer has the
// wrong body and every fifth the wrong 2xx status: wrk's Lua hook counts
// them, and a server answering right gets none.
func TestWrkChecksAnswers(t *testing.T) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Fatal("wrk is not installed (Debian package wrk; .ci/run installs it)")
	}
	var n, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if r.URL.Path == "/good" {
			_, _ = w.Write([]byte(`{"state":"TASK_STATE_SUBMITTED"}`))
			return
		}
		switch {
		case i%3 == 0:
			bad.Add(1)
			_, _ = w.Write([]byte(`{"state":"TASK_STATE_FAILED"}`))
		case i%5 == 0:
			bad.Add(1)
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"state":"TASK_STATE_SUBMITTED"}`))
		default:
			_, _ = w.Write([]byte(`{"state":"TASK_STATE_SUBMITTED"}`))
		}
	}))
	defer srv.Close()
	g := testbed.Generator{Wrk: wrk}
	s := testbed.Spec{URL: srv.URL + "/good", Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"a":"b \"c\""}`),
		Conns: 2, Duration: time.Second, Expect: http.StatusOK, Contains: `"TASK_STATE_SUBMITTED"`, CheckInWrk: true}
	if g.Name(s) != "wrk" {
		t.Fatalf("a checked spec with CheckInWrk runs on %s", g.Name(s))
	}
	if s.CheckInWrk = false; g.Name(s) != "loadgen" {
		t.Fatal("a checked spec without CheckInWrk runs on wrk")
	}
	s.CheckInWrk = true
	r, err := g.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Errors != 0 {
		t.Fatalf("right answers: %+v", r)
	}
	n.Store(0)
	s.URL = srv.URL + "/mixed"
	r, err = g.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	// wrk may end with requests in flight whose answers it never reads.
	if got, sent := int64(r.Errors), bad.Load(); got == 0 || got > sent || got < sent-int64(s.Conns) {
		t.Fatalf("wrk counted %d wrong answers, the server sent %d (%+v)", got, sent, r)
	}
}
