package money

import "testing"

// FuzzParse: no amount string panics Parse; what it accepts is not
// negative and reads back to the same value from String and Short.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"5", "0.25", "0.000412", "12.50", "9223372036853", "9223372036854.775807",
		"", ".5", "5.", "-1", "+1", "1e3", "1,000", " 1", "0.0000001", "١٢", "00012.000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		if m < 0 {
			t.Fatalf("Parse(%q) = %d, negative", s, m)
		}
		for _, back := range []string{m.String(), m.Short()} {
			if again, err := Parse(back); err != nil || again != m {
				t.Fatalf("Parse(%q) = %d, but Parse(%q) = %d, %v", s, m, back, again, err)
			}
		}
	})
}
