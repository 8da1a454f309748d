package workspace

import "testing"

// FuzzDecodeCursor: no cursor a caller passes to a paged tool panics the
// decoder, and what it accepts re-encodes to the same position.
func FuzzDecodeCursor(f *testing.F) {
	type pos struct {
		Name string `json:"n"`
		ID   string `json:"i"`
		At   int64  `json:"a"`
	}
	for _, s := range []string{EncodeCursor(pos{"Jane", "c_1", 17}), EncodeCursor(pos{}), "", "bnVsbA", "W10", "eyJhIjoiMSJ9", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p pos
		if DecodeCursor(s, &p) != nil {
			return
		}
		var again pos
		if err := DecodeCursor(EncodeCursor(p), &again); err != nil || again != p {
			t.Fatalf("cursor %q = %+v re-encodes to %+v, %v", s, p, again, err)
		}
	})
}
