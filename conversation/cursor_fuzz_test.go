package conversation

import "testing"

// FuzzCursor: no page cursor a caller sends panics the decoder, and what it
// accepts re-encodes to a cursor naming the same position.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{encodeCursor(1700000000000000, "conv_01J"), encodeCursor(-1, "a|b"), encodeCursor(0, "x"),
		"", "!!!", "MTIzfA", "fA", "OTIyMzM3MjAzNjg1NDc3NTgwOHx4", "IDEyIHx4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, id, ok := decodeCursor(s)
		if !ok {
			return
		}
		if id == "" {
			t.Fatalf("decodeCursor(%q) accepted an empty id", s)
		}
		at2, id2, ok2 := decodeCursor(encodeCursor(at, id))
		if !ok2 || at2 != at || id2 != id {
			t.Fatalf("cursor %q = (%d, %q) re-encodes to (%d, %q, %v)", s, at, id, at2, id2, ok2)
		}
	})
}
