package files

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"report.pdf", true},
		{"Quarterly report (final).docx", true},
		{"übersicht – 2024.txt", true},
		{"...", true},
		{".hidden", true},
		{strings.Repeat("a", 255), true},
		{strings.Repeat("é", 127), true}, // 254 bytes
		{"", false},
		{strings.Repeat("a", 256), false},
		{strings.Repeat("é", 128), false}, // 256 bytes
		{".", false},
		{"..", false},
		{"../etc/passwd", false},
		{"a/b", false},
		{`a\b`, false},
		{`..\..\windows`, false},
		{"/", false},
		{"a\x00b", false},
		{"line\nbreak", false},
		{"cr\rlf", false},
		{"tab\tname", false},
		{"del\x7f", false},
		{"c1\u0085", false},
		{" leading", false},
		{"trailing ", false},
		{"  ", false},
		{"bad\xffutf8", false},
	}
	for _, tt := range tests {
		err := ValidateName(tt.name)
		if tt.ok && err != nil {
			t.Errorf("ValidateName(%q) = %v, want ok", tt.name, err)
		}
		if !tt.ok && !errs.Is(err, errs.Invalid) {
			t.Errorf("ValidateName(%q) = %v, want Invalid", tt.name, err)
		}
	}
}

func TestContentTypeFor(t *testing.T) {
	tests := []struct{ name, given, data, want string }{
		{"a.txt", "", "hello", "text/plain; charset=utf-8"},
		{"a.json", "", "{}", "application/json"},
		{"noext", "", "%PDF-1.4", "application/pdf"},
		{"a.bin", "Text/Plain; Charset=UTF-8", "x", "text/plain; charset=UTF-8"},
	}
	for _, tt := range tests {
		got, err := contentTypeFor(tt.name, tt.given, []byte(tt.data))
		if err != nil || got != tt.want {
			t.Errorf("contentTypeFor(%q, %q) = %q, %v; want %q", tt.name, tt.given, got, err, tt.want)
		}
	}
	for _, bad := range []string{"text/plain\r\nX-Evil: 1", "not a type", "/"} {
		if _, err := contentTypeFor("a", bad, nil); !errs.Is(err, errs.Invalid) {
			t.Errorf("contentTypeFor(%q) = %v, want Invalid", bad, err)
		}
	}
}
