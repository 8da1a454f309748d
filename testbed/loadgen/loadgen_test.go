package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/loadgen"
)

// TestRunCountsAnswersAndErrors: every request the server answered as
// expected is counted, every other one is an error; open loop sends at
// most rate × duration requests.
func TestRunCountsAnswersAndErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if n.Add(1)%5 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":"queued"}`))
	}))
	defer srv.Close()
	h := http.Header{"X-Api-Key": {"k"}}
	r, err := loadgen.Run(context.Background(), loadgen.Config{URL: srv.URL, Header: h, Conns: 4, Duration: 300 * time.Millisecond, Expect: 202, Contains: []byte("queued")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Errors == 0 || int64(r.Requests+r.Errors) != n.Load() || r.FirstError == "" || r.P50 <= 0 {
		t.Fatalf("closed loop: %+v after %d requests", r, n.Load())
	}
	n.Store(0)
	r, err = loadgen.Run(context.Background(), loadgen.Config{URL: srv.URL, Header: h, Conns: 4, Duration: 500 * time.Millisecond, Rate: 40})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got > 20 || got == 0 || int64(r.Requests+r.Errors) != got || r.Offered != 40 {
		t.Fatalf("open loop at 40/s for 0.5 s sent %d: %+v", got, r)
	}
}
