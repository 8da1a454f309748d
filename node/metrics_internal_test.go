package node

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	d := newDomainMetrics(m.reg)
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
