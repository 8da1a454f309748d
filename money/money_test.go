package money

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Micro
		bad  bool
	}{
		{"0", 0, false},
		{"5", 5_000_000, false},
		{"0.25", 250_000, false},
		{"0.000412", 412, false},
		{"1000.5", 1_000_500_000, false},
		{"", 0, true},
		{"-1", 0, true},
		{"1e3", 0, true},
		{"0.0000001", 0, true},
		{"1.", 0, true},
		{".5", 0, true},
		{" 1", 0, true},
		{"1,000", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q) err = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in          Micro
		want, short string
	}{
		{0, "0.000000", "0.00"},
		{412, "0.000412", "0.000412"},
		{5 * Dollar, "5.000000", "5.00"},
		{1_250_000, "1.250000", "1.25"},
		{-412, "-0.000412", "-0.000412"},
		{math.MinInt64, "-9223372036854.775808", "-9223372036854.775808"},
		{math.MaxInt64, "9223372036854.775807", "9223372036854.775807"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", tt.in, got, tt.want)
		}
		if got := tt.in.Short(); got != tt.short {
			t.Errorf("%d.Short() = %q, want %q", tt.in, got, tt.short)
		}
	}
}
