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

func TestValidID(t *testing.T) {
	for _, c := range []struct {
		id   string
		want bool
	}{
		{store.NewID(), true},
		{"01JD7X3K9Q6M2B5V8N4R0T1W2Y", true},
		{"", false},
		{"zzz", false},
		{"01JD7X3K9Q6M2B5V8N4R0T1W2", false},   // 25 characters
		{"01JD7X3K9Q6M2B5V8N4R0T1W2YY", false}, // 27
		{"01JD7X3K9Q6M2B5V8N4R0T1W2U", false},  // U is not Crockford base32
		{"81JD7X3K9Q6M2B5V8N4R0T1W2Y", false},  // past the largest time
	} {
		if got := store.ValidID(c.id); got != c.want {
			t.Errorf("ValidID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}
