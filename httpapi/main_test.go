package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// problem checks that r is a problem+json answer with status want and a
// detail, and returns its detail.
func problem(t *testing.T, r *httptest.ResponseRecorder, want int) string {
	t.Helper()
	if r.Code != want || !strings.HasPrefix(r.Header().Get("Content-Type"), "application/problem+json") {
		t.Fatalf("got %d %s %s, want a %d problem+json", r.Code, r.Header().Get("Content-Type"), r.Body, want)
	}
	var p struct {
		Status        int
		Title, Detail string
	}
	if err := json.Unmarshal(r.Body.Bytes(), &p); err != nil || p.Status != want || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem body %s: %v", r.Body, err)
	}
	return p.Detail
}

// decode reads r's JSON body into v.
func decode(t *testing.T, r *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body.Bytes(), v); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
}

// count runs a count(*) query.
func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rows counts what accepting a message writes.
func rows(t *testing.T, db *store.DB) string {
	t.Helper()
	var out []string
	for _, table := range []string{"conversations", "turns", "idempotency_keys", "river_job"} {
		out = append(out, fmt.Sprintf("%s=%d", table, count(t, db, "SELECT count(*) FROM "+table)))
	}
	return strings.Join(out, " ")
}
