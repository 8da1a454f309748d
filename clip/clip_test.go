package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exact", 5, "exact"},
		{"abcdefgh", 6, "abc…"},
		{"héllo", 4, "h…"},        // é is two bytes: "hé" + … is 6
		{"héllo world", 6, "hé…"}, // 3 + 3
		{"日本語テキスト", 8, "日…"},      // each rune is three bytes
		{"abcdef", 2, "ab"},       // too small for the mark
		{"abc", 0, ""},
	} {
		if got := Bytes(c.in, c.n); got != c.want {
			t.Errorf("Bytes(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestRunes(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"héllo", 5, "héllo"},
		{"héllo", 3, "hé…"},
		{"日本語テキスト", 4, "日本語…"},
		{"abc", 0, ""},
	} {
		if got := Runes(c.in, c.n); got != c.want {
			t.Errorf("Runes(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// FuzzBytes: whatever the text and limit, the result fits the limit, is
// valid UTF-8 when the text was, and is the text itself or a marked
// prefix of it.
func FuzzBytes(f *testing.F) {
	for _, s := range []string{"", "abc", "héllo", "日本語テキスト", "\xff\xfe"} {
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		got := Bytes(s, n)
		if len(got) > n && got != s {
			t.Fatalf("Bytes(%q, %d) = %q: %d bytes", s, n, got, len(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Bytes(%q, %d) = %q: not valid UTF-8", s, n, got)
		}
		if got != s && !strings.HasPrefix(s, strings.TrimSuffix(got, Mark)) {
			t.Fatalf("Bytes(%q, %d) = %q: not a prefix of the text", s, n, got)
		}
	})
}
