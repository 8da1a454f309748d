// Package clip shortens text to a size limit: the one truncation helper
// of the node (error texts stored or logged, peers' turns and summaries,
// extension descriptions). A cut is marked with "…" and never splits a
// UTF-8 sequence.
package clip

import "unicode/utf8"

// Mark ends a shortened text.
const Mark = "…"

// Bytes returns s when it is at most n bytes long; otherwise its longest
// prefix that, with Mark, fits in n bytes and ends on a rune boundary,
// followed by Mark. A limit too small for Mark cuts to n bytes unmarked.
func Bytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < len(Mark) {
		return prefix(s, max(n, 0))
	}
	return prefix(s, n-len(Mark)) + Mark
}

// Runes returns s when it has at most n runes; otherwise its first n-1
// runes followed by Mark.
func Runes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + Mark
}

// prefix is s's longest prefix of at most n bytes that ends on a rune
// boundary.
func prefix(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
