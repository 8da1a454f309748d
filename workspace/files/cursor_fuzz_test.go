package files

import "testing"

// FuzzCursor: no cursor passed to files_list panics the decoder, and what
// it accepts names an entry and re-encodes to the same position.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{cursor{Kind: "folder", Name: "Reports", ID: "fld_1"}.encode(), cursor{Kind: "file", Name: "a\u0000b.txt", ID: "f"}.encode(),
		"", "e30", "eyJpIjoiIn0", "eyJpIjoxfQ", "not base64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			return
		}
		if c.ID == "" {
			t.Fatalf("decodeCursor(%q) accepted an empty id", s)
		}
		if again, err := decodeCursor(c.encode()); err != nil || again != c {
			t.Fatalf("cursor %q = %+v re-encodes to %+v, %v", s, c, again, err)
		}
	})
}
