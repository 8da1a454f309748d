package httpapi_test

import (
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/workspace"
)

func requireOverloaded(t *testing.T, r *httptest.ResponseRecorder, detail string) {
	t.Helper()
	if r.Code != 503 || r.Header().Get("Retry-After") == "" ||
		!strings.HasPrefix(r.Header().Get("Content-Type"), "application/problem+json") ||
		!strings.Contains(r.Body.String(), httpapi.OverloadType) || !strings.Contains(r.Body.String(), detail) {
		t.Fatalf("want 503 overloaded with Retry-After naming %q, got %d %v %s", detail, r.Code, r.Header(), r.Body)
	}
}

// scrape renders the backlog's series as /metrics shows them.
func scrape(t *testing.T, api *httpapitest.API) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(api.Server.Backlog())
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// TestBacklogLimit: past SOIS_MAX_BACKLOG queued turns, POST /api/agent
// answers 503 with Retry-After and takes nothing; /readyz and the metrics
// say so; an idempotent replay still gets its original answer. (No
// worker runs here: every accepted turn stays queued.)
func TestBacklogLimit(t *testing.T) {
	eachAPI(t, httpapitest.Options{Config: httpapi.Config{MaxBacklog: 3}}, func(t *testing.T, api *httpapitest.API) {
		c := api.Workspace(t, workspace.Owner, access.KeyParams{})
		first := send(api, c, map[string]any{"message": "queued 1"}, "Idempotency-Key: k1")
		if first.Code != 202 {
			t.Fatalf("queued 1: %d %s", first.Code, first.Body)
		}
		for _, m := range []string{"queued 2", "queued 3"} {
			if r := send(api, c, map[string]any{"message": m}); r.Code != 202 {
				t.Fatalf("%s: %d %s", m, r.Code, r.Body)
			}
		}
		before := rows(t, api.DB)
		requireOverloaded(t, send(api, c, map[string]any{"message": "one too many"}), "3 turns are queued")
		if after := rows(t, api.DB); after != before {
			t.Fatalf("a refused message wrote rows: before %s after %s", before, after)
		}
		replay := send(api, c, map[string]any{"message": "queued 1"}, "Idempotency-Key: k1")
		if replay.Code != 202 || replay.Body.String() != first.Body.String() {
			t.Fatalf("replay while overloaded: %d %s, want the original %s", replay.Code, replay.Body, first.Body)
		}
		ready := api.Get("/readyz")
		if ready.Code != 503 || ready.Header().Get("Retry-After") == "" || !strings.Contains(ready.Body.String(), `"overloaded"`) || !strings.Contains(ready.Body.String(), `"queued_turns":3`) {
			t.Fatalf("/readyz = %d %s", ready.Code, ready.Body)
		}
		metrics := scrape(t, api)
		for _, want := range []string{"sois_queue_queued_turns 3", "sois_queue_overloaded 1", `sois_queue_refused_total{reason="backlog"} 1`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %q:\n%s", want, metrics)
			}
		}
	})
}

// TestBacklogPerKeyCap: one key at its cap of queued turns is refused
// while another key's messages are still taken.
func TestBacklogPerKeyCap(t *testing.T) {
	eachAPI(t, httpapitest.Options{Config: httpapi.Config{MaxQueuedPerKey: 2}}, func(t *testing.T, api *httpapitest.API) {
		flood := api.Workspace(t, workspace.Owner, access.KeyParams{})
		other := api.Workspace(t, workspace.Owner, access.KeyParams{})
		for _, m := range []string{"queued 1", "queued 2"} {
			if r := send(api, flood, map[string]any{"message": m}); r.Code != 202 {
				t.Fatalf("%s: %d %s", m, r.Code, r.Body)
			}
		}
		requireOverloaded(t, send(api, flood, map[string]any{"message": "flood"}), "limit per key is 2")
		if r := send(api, other, map[string]any{"message": "mine"}); r.Code != 202 {
			t.Fatalf("another key was refused: %d %s", r.Code, r.Body)
		}
		if ready := api.Get("/readyz"); ready.Code != 200 || !strings.Contains(ready.Body.String(), `"ready"`) {
			t.Fatalf("one key at its cap is not a node overload: /readyz = %d %s", ready.Code, ready.Body)
		}
		if metrics := scrape(t, api); !strings.Contains(metrics, `sois_queue_refused_total{reason="key"} 1`) {
			t.Errorf("metrics lack the per-key refusal:\n%s", metrics)
		}
	})
}

// TestBacklogAgeLimit: with SOIS_MAX_QUEUE_AGE, a queued turn older than
// the limit makes the node refuse new ones.
func TestBacklogAgeLimit(t *testing.T) {
	var offset atomic.Int64 // how far the server's clock is ahead of time.Now
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	api := httpapitest.New(t, httpapitest.Options{Config: httpapi.Config{MaxQueueAge: time.Minute}, Now: clock})
	c := api.Workspace(t, workspace.Owner, access.KeyParams{})
	if r := send(api, c, map[string]any{"message": "waits"}); r.Code != 202 {
		t.Fatalf("queued: %d %s", r.Code, r.Body)
	}
	if r := send(api, c, map[string]any{"message": "still fine"}); r.Code != 202 {
		t.Fatalf("young backlog refused: %d %s", r.Code, r.Body)
	}
	offset.Store(int64(2 * time.Minute))
	requireOverloaded(t, send(api, c, map[string]any{"message": "late"}), "oldest queued turn has waited 2m")
}
