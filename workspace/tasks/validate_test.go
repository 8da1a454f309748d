package tasks

import (
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
)

func TestNormalize(t *testing.T) {
	ok := fields{Title: "Call Jane", Status: Open}
	with := func(f func(*fields)) fields { c := ok; f(&c); return c }
	tests := []struct {
		name string
		in   fields
		want string // substring of the error; "" = valid
	}{
		{"minimal", ok, ""},
		{"full", fields{Title: " Call Jane ", Description: "line one\nline two\ttabbed", Status: InProgress, Due: "2024-02-29", ContactID: "01J"}, ""},
		{"no title", with(func(f *fields) { f.Title = " " }), "title is required"},
		{"long title", with(func(f *fields) { f.Title = strings.Repeat("t", MaxTitle+1) }), "title is too long"},
		{"control in title", with(func(f *fields) { f.Title = "Call\x00Jane" }), "title must not contain control characters"},
		{"newline in title", with(func(f *fields) { f.Title = "Call\nJane" }), "control characters"},
		{"escape in description", with(func(f *fields) { f.Description = "x\x1b[2J" }), "description must not contain"},
		{"bad status", with(func(f *fields) { f.Status = "closed" }), "status must be"},
		{"empty status", with(func(f *fields) { f.Status = "" }), "status must be"},
		{"bad date", with(func(f *fields) { f.Due = "2025-02-30" }), "due must be a date"},
		{"not leap", with(func(f *fields) { f.Due = "2023-02-29" }), "due must be a date"},
		{"short date", with(func(f *fields) { f.Due = "2025-3-1" }), "due must be a date"},
		{"words", with(func(f *fields) { f.Due = "tomorrow" }), "due must be a date"},
		{"control in contact id", with(func(f *fields) { f.ContactID = "c\x00" }), "contact_id must not contain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := normalize(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("normalize: %v", err)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestFilterCheck(t *testing.T) {
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{}, ""},
		{Filter{Status: Done, DueFrom: "2025-01-01", DueTo: "2025-01-01"}, ""},
		{Filter{Status: "later"}, "status must be"},
		{Filter{DueFrom: "2025-13-01"}, "due_from must be a date"},
		{Filter{DueTo: "soon"}, "due_to must be a date"},
		{Filter{DueFrom: "2025-02-01", DueTo: "2025-01-01"}, "is after due_to"},
		{Filter{Query: "a\x00"}, "query must not contain"},
		{Filter{ContactID: "c\n1"}, "contact_id must not contain"},
	}
	for _, tt := range tests {
		err := tt.f.check()
		if tt.want == "" && err != nil || tt.want != "" && (!errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("check(%+v) = %v, want %q", tt.f, err, tt.want)
		}
	}
}
