package webhook

import (
	"net/http"
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	s := DefaultSchedule
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
		5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}
	var total time.Duration
	for i, base := range want {
		failures := i + 1
		mid, ok := s.Next(failures, 0, 0.5)
		if !ok || mid != base {
			t.Fatalf("failure %d: %v %v, want %v", failures, mid, ok, base)
		}
		lo, _ := s.Next(failures, 0, 0)
		hi, _ := s.Next(failures, 0, 0.999999)
		if lo != time.Duration(float64(base)*0.9) || hi <= lo || hi > time.Duration(float64(base)*1.1) {
			t.Fatalf("failure %d: jitter range [%v, %v] for %v", failures, lo, hi, base)
		}
		total += lo
	}
	if total < 24*time.Hour {
		t.Fatalf("schedule spans %v even at its shortest, want at least 24 h", total)
	}
	if _, ok := s.Next(len(want)+1, 0, 0.5); ok {
		t.Fatal("attempt after the last delay scheduled")
	}
	if _, ok := s.Next(0, 0, 0.5); ok {
		t.Fatal("zero failures scheduled")
	}
	if s.MaxAttempts() != 10 {
		t.Fatalf("MaxAttempts = %d", s.MaxAttempts())
	}
}

func TestScheduleRetryAfter(t *testing.T) {
	s := DefaultSchedule
	tests := []struct {
		name       string
		failures   int
		retryAfter time.Duration
		want       time.Duration
	}{
		{"longer wins", 1, time.Minute, time.Minute},
		{"shorter ignored", 3, time.Minute, 30 * time.Minute},
		{"capped", 1, 72 * time.Hour, 24 * time.Hour},
		{"none", 2, 0, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Next(tt.failures, tt.retryAfter, 0.5)
			if !ok || got != tt.want {
				t.Fatalf("Next = %v %v, want %v", got, ok, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Wed, 02 Jan 2030 03:10:05 GMT", 6 * time.Minute},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"99999999999999", 100 * 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.v, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
