// Package money is the one representation of US dollars in soisnode:
// integer micro-dollars in code and storage, decimal strings on the wire.
// Floats never touch money.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Micro is an amount of US dollars in millionths of a dollar.
type Micro int64

// Dollar is one US dollar.
const Dollar Micro = 1_000_000

// ErrInvalid reports a string that is not a plain decimal dollar amount.
var ErrInvalid = errors.New("money: invalid amount")

// Parse reads a decimal dollar amount such as "5", "0.25" or "0.000412".
// At most six decimal places are accepted; signs, exponents, spaces and
// thousands separators are not.
func Parse(s string) (Micro, error) {
	if s == "" || len(s) > 24 {
		return 0, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > 6 || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q (want a decimal like 12.50, at most 6 decimals)", ErrInvalid, s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/int64(Dollar)-1 {
		return 0, fmt.Errorf("%w: %q is too large", ErrInvalid, s)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	return Micro(w)*Dollar + Micro(f), nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats m as a decimal dollar string with six decimals, e.g. "0.000412".
func (m Micro) String() string {
	sign := ""
	// Work in uint64 so the most negative value negates without overflow.
	v := uint64(m)
	if m < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%06d", sign, v/uint64(Dollar), v%uint64(Dollar))
}

// Short formats m with trailing zeros trimmed to at least two decimals, e.g. "5.00", "0.0004".
func (m Micro) Short() string {
	s := m.String()
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 3 {
		s = s[:len(s)-1]
	}
	return s
}
