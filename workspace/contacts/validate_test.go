package contacts

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

func TestNormalize(t *testing.T) {
	ok := Fields{Name: "Jane Doe"}
	with := func(f func(*Fields)) Fields { c := ok; f(&c); return c }
	many := make([]string, 21)
	for i := range many {
		many[i] = "t" + strings.Repeat("x", i)
	}
	tests := []struct {
		name string
		in   Fields
		want string // substring of the error; "" = valid
	}{
		{"minimal", ok, ""},
		{"full", Fields{Name: " Jane Doe ", Email: "Jane@Acme.com", Phone: "+1 (555) 010-2030 ext. 12", Company: "Acme",
			Title: "CEO", City: "Zürich", Tags: []string{"vip", "investor"}, Notes: "met at expo\nlikes tea"}, ""},
		{"no name", Fields{}, "name is required"},
		{"blank name", with(func(f *Fields) { f.Name = "  \t " }), "name is required"},
		{"long name", with(func(f *Fields) { f.Name = strings.Repeat("é", 201) }), "name is too long"},
		{"name 200", with(func(f *Fields) { f.Name = strings.Repeat("é", 200) }), ""},
		{"control in name", with(func(f *Fields) { f.Name = "Jane\x00Doe" }), "name must not contain control characters"},
		{"newline in name", with(func(f *Fields) { f.Name = "Jane\nDoe" }), "control characters"},
		{"escape in company", with(func(f *Fields) { f.Company = "Acme\x1b[31m" }), "company must not contain"},
		{"del in city", with(func(f *Fields) { f.City = "Par\x7fis" }), "city must not contain"},
		{"nul in notes", with(func(f *Fields) { f.Notes = "a\x00b" }), "notes must not contain"},
		{"line separator in title", with(func(f *Fields) { f.Title = "CEO\u2028CTO" }), "title must not contain"},
		{"bad utf8", with(func(f *Fields) { f.Title = "\xff" }), "not valid UTF-8"},
		{"bad email", with(func(f *Fields) { f.Email = "not-an-email" }), "not a valid address"},
		{"display name email", with(func(f *Fields) { f.Email = "Jane <jane@acme.com>" }), "not a valid address"},
		{"crlf email", with(func(f *Fields) { f.Email = "jane@acme.com\r\nBcc: x@y.z" }), "control characters"},
		{"two emails", with(func(f *Fields) { f.Email = "a@b.c, d@e.f" }), "not a valid address"},
		{"phone letters", with(func(f *Fields) { f.Phone = "call me" }), "not a phone number"},
		{"phone short", with(func(f *Fields) { f.Phone = "12" }), "not a phone number"},
		{"phone ext", with(func(f *Fields) { f.Phone = "555-0100 x42" }), ""},
		{"too many tags", with(func(f *Fields) { f.Tags = many }), "too many tags"},
		{"duplicate tags fold", with(func(f *Fields) { f.Tags = append(many[:20:20], "T") }), ""},
		{"long tag", with(func(f *Fields) { f.Tags = []string{strings.Repeat("x", 51)} }), "too long"},
		{"empty tag", with(func(f *Fields) { f.Tags = []string{" "} }), "must not be empty"},
		{"control tag", with(func(f *Fields) { f.Tags = []string{"a\tb"} }), "control characters"},
		{"long notes", with(func(f *Fields) { f.Notes = strings.Repeat("n", MaxNotes+1) }), "notes is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalize(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("normalize: %v", err)
				}
				if got.Name != strings.TrimSpace(tt.in.Name) || got.Tags == nil {
					t.Fatalf("got %+v", got)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestNormalizeTagsDedupes(t *testing.T) {
	got, err := normalizeTags([]string{" VIP", "vip", "Investor"})
	if err != nil || strings.Join(got, ",") != "VIP,Investor" {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestLabel(t *testing.T) {
	for _, tt := range []struct {
		c    Contact
		want string
	}{
		{Contact{Name: "Jane Doe", Title: "CEO", Company: "Acme Corp"}, "Jane Doe (CEO, Acme Corp)"},
		{Contact{Name: "Jane Doe", Company: "Acme Corp"}, "Jane Doe (Acme Corp)"},
		{Contact{Name: "Jane Doe"}, "Jane Doe"},
	} {
		if got := tt.c.Label(); got != tt.want {
			t.Errorf("Label() = %q, want %q", got, tt.want)
		}
	}
}

func TestCursorRejectsGarbage(t *testing.T) {
	var c cursor
	for _, s := range []string{"!!!", "bm90IGpzb24", store.EncodeCursor(42)} {
		if err := store.DecodeCursor(s, &c); !errs.Is(err, errs.Invalid) {
			t.Errorf("store.DecodeCursor(%q) = %v, want Invalid", s, err)
		}
	}
}
