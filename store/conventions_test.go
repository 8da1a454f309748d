package store_test

import (
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
)

// A stored time reads back as the same instant in UTC; the zero time is
// stored as 0, a column's "none".
func TestMicros(t *testing.T) {
	at := time.Date(2026, 3, 4, 9, 30, 15, 123456000, time.FixedZone("CET", 3600))
	if got := store.Time(store.Micros(at)); !got.Equal(at) || got.Location() != time.UTC {
		t.Fatalf("Time(Micros(%v)) = %v", at, got)
	}
	if got := store.Micros(time.Time{}); got != 0 {
		t.Fatalf("Micros(zero) = %d, want 0", got)
	}
	if got := store.Micros(time.UnixMicro(0)); got != 0 {
		t.Fatalf("Micros(the epoch) = %d", got)
	}
}
