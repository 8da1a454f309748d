package node

import (
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestScrapeWithoutDatabase: a scrape while the database is gone (closed
// during shutdown) still answers 200 with the series that need no
// database; only the database-backed ones are missing.
func TestScrapeWithoutDatabase(t *testing.T) {
	db, err := store.Open(t.Context(), storetest.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	m := newMetrics()
	backlog := httpapi.New(httpapi.Deps{DB: db, Config: httpapi.Config{MaxBacklog: 10, MaxQueuedPerKey: 10}}).Backlog()
	m.reg.MustRegister(backlog, deliveryBacklog{db: db, now: time.Now})
	d := newDomainMetrics(m.reg, nil)
	d.turnCanceled()

	get := func() (int, string) {
		rec := httptest.NewRecorder()
		m.handler(slog.New(slog.DiscardHandler)).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	code, body := get()
	if code != 200 || !strings.Contains(body, "sois_webhook_dead_deliveries 0") || !strings.Contains(body, "sois_queue_queued_turns 0") {
		t.Fatalf("open database: %d %s", code, body)
	}
	db.Close()
	code, body = get()
	if code != 200 {
		t.Fatalf("scrape with the database closed = %d %s", code, body)
	}
	if !strings.Contains(body, `sois_turns_total{status="canceled"} 1`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("the series that need no database are missing:\n%s", body)
	}
	if strings.Contains(body, "sois_webhook_dead_deliveries") || strings.Contains(body, "sois_queue_queued_turns") {
		t.Errorf("database-backed series served without a database:\n%s", body)
	}
}

// TestTurnOverheadObserved: a turn's own overhead is the clock at its
// committed outcome minus its acceptance minus its model calls' time, at
// injected clock values; a turn not run in one go, or whose finish never
// committed, observes nothing, and a model time longer than the turn
// (clocks disagreeing) observes zero, never a negative time.
func TestTurnOverheadObserved(t *testing.T) {
	accepted := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		commitAt  time.Duration // after acceptance
		model     time.Duration
		timed     bool
		commit    bool
		wantCount uint64
		wantSum   float64
	}{
		{"one model call", 1500 * time.Millisecond, 1200 * time.Millisecond, true, true, 1, 0.3},
		{"no model time", 2 * time.Millisecond, 0, true, true, 1, 0.002},
		{"model longer than the turn", time.Second, 2 * time.Second, true, true, 1, 0},
		{"resumed turn", time.Second, 100 * time.Millisecond, false, true, 0, 0},
		{"finish rolled back", time.Second, 100 * time.Millisecond, true, false, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			now := accepted.Add(c.commitAt)
			d := newDomainMetrics(prometheus.NewRegistry(), func() time.Time { return now })
			d.turnFinishing("conv_1", conversation.Turn{Turn: 1, Status: conversation.Completed, CreatedAt: accepted}, c.model, c.timed)
			if c.commit {
				d.turnCommitted("conv_1")
			}
			var m dto.Metric
			if err := d.turnOverhead.Write(&m); err != nil {
				t.Fatal(err)
			}
			h := m.GetHistogram()
			if h.GetSampleCount() != c.wantCount || math.Abs(h.GetSampleSum()-c.wantSum) > 1e-9 {
				t.Fatalf("observed %d turns summing %v s, want %d summing %v s", h.GetSampleCount(), h.GetSampleSum(), c.wantCount, c.wantSum)
			}
		})
	}
}
