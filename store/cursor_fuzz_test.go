package store

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

// FuzzDecodeAfter: no (created_at, id) cursor panics the decoder, none
// without an id is accepted, and what it accepts re-encodes to itself.
func FuzzDecodeAfter(f *testing.F) {
	for _, s := range []string{After{1700000000000000, "conv_01J"}.Cursor(), After{-1, "a|b"}.Cursor(), EncodeCursor(After{}), "", "bnVsbA", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := DecodeAfter(s)
		if err != nil {
			return
		}
		if a.ID == "" {
			t.Fatalf("DecodeAfter(%q) accepted an empty id", s)
		}
		if again, err := DecodeAfter(a.Cursor()); err != nil || again != a {
			t.Fatalf("cursor %q = %+v re-encodes to %+v, %v", s, a, again, err)
		}
	})
}
