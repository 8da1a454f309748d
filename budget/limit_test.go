package budget

import (
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
)

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in   string
		want money.Micro
		ok   bool
	}{
		{"5", 5 * money.Dollar, true},
		{"12.50", 12_500_000, true},
		{"0.000001", 1, true},
		{"0", 0, true},
		{" $5.25 ", 5_250_000, true},
		{"-5", 0, false},
		{"-0.01", 0, false},
		{"+5", 0, false},
		{"0.0000001", 0, false}, // more than six decimals
		{"1e3", 0, false},
		{"1,000", 0, false},
		{"5.", 0, false},
		{".5", 0, false},
		{"", 0, false},
		{"NaN", 0, false},
		{"$", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseLimit(tt.in)
		if tt.ok {
			if err != nil || got != tt.want {
				t.Errorf("ParseLimit(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !errs.Is(err, errs.Invalid) {
			t.Errorf("ParseLimit(%q) = %d, %v; want an errs.Invalid error", tt.in, got, err)
		}
	}
}
