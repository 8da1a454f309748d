package files

import (
	"path"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzUpload: no uploaded file name or content type panics the checks; a
// name that passes is one path element (no traversal, no separators, no
// control characters), and a content type that passes is stored in a form
// that passes again unchanged.
func FuzzUpload(f *testing.F) {
	for _, s := range [][2]string{{"report.pdf", ""}, {"../../etc/passwd", "text/plain"}, {"..", ""}, {"a\\b", ""},
		{" lead", "text/plain; charset=utf-8"}, {"ok.txt", "text/plain; charset=\"utf-8\"; x=\"a\r\nb\""},
		{"x\u202egnp.exe", "application/octet-stream"}, {"\xff.txt", ""}, {"noext", "TEXT/HTML; Charset=UTF-8"}, {"a.json", "bogus"}} {
		f.Add(s[0], s[1], []byte("%PDF-1.4"))
	}
	f.Fuzz(func(t *testing.T, name, given string, data []byte) {
		if ValidateName(name) == nil {
			if !utf8.ValidString(name) || name == "." || name == ".." || strings.ContainsAny(name, `/\`) ||
				strings.ContainsFunc(name, unicode.IsControl) || path.Base(name) != name || len(name) > MaxNameBytes {
				t.Fatalf("accepted file name %q", name)
			}
		}
		ct, err := contentTypeFor(name, given, data)
		if err != nil {
			return
		}
		if again, err := contentTypeFor(name, ct, data); err != nil || again != ct {
			t.Fatalf("content type %q stored as %q, which checks as %q, %v", given, ct, again, err)
		}
	})
}
