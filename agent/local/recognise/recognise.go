// Package recognise holds what the local agent and its offline
// negotiation both use to read plain English: recognisers for typed
// spans (emails, phones, quoted strings, money, record kinds, field cue
// words) and the records-by-filter frame ("your contacts at Acme in
// Berlin", "open tasks assigned to Maria", "who is in the Platform
// team?"), with the reading of a short answer to a clarifying question.
// It is pure: no I/O, no clock; the same text always reads the same.
package recognise

import (
	"regexp"
	"strings"
)

// Kind is what a span holds.
type Kind int

// The kinds of span.
const (
	Email    Kind = iota + 1 // an email address
	Phone                    // a phone number in any national format
	Quoted                   // a quoted string; Value is its inside
	Money                    // an amount of money, as written
	Field                    // a field cue word; Value is the field key
	KindNoun                 // a record kind; Value is contact, task, file, folder, team, department or member
)

// Span is one recognised value in a text.
type Span struct {
	Kind       Kind
	Start, End int    // byte offsets
	Text       string // as written
	Value      string // canonical
}

// FieldWords are the cue words of contact fields, as a pattern.
const FieldWords = `phone\s+number|phone|mobile\s+number|mobile|telephone|tel|cell|e-?mail\s+address|e-?mail|job\s+title|title|role|position|company|employer|organi[sz]ation|city|location|town|notes?|name|tags`

func re(p string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + p) }

var (
	reEmail  = regexp.MustCompile(`[^\s@,;<>()"']+@[^\s@,;<>()"']+\.[A-Za-z]{2,}`)
	rePhone  = regexp.MustCompile(`\+?\(?\d[\d ().\-/]{4,}\d`)
	reQuoted = regexp.MustCompile(`"[^"]+"|(?:^|\s)'[^']+'(?:\s|$)`)
	reMoney  = re(`(?:[$€£]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:dollars|euros?|pounds|usd|eur|gbp)\b)`)
	reField  = re(`\b(?:` + FieldWords + `|number|address|job)\b`)
	reKind   = re(`\b(contacts?|leads?|clients?|customers?|people|tasks?|to-?dos?|files?|documents?|folders?|teams?|departments?|members?|colleagues?|staff|employees?)\b`)
)

// Spans finds the typed spans of s (dates are the local agent's: they
// need today's date).
func Spans(s string) []Span {
	var out []Span
	add := func(k Kind, rx *regexp.Regexp, val func(string) (string, bool)) {
		for _, l := range rx.FindAllStringIndex(s, -1) {
			t := strings.TrimSpace(s[l[0]:l[1]])
			if v, ok := val(t); ok {
				out = append(out, Span{Kind: k, Start: l[0], End: l[1], Text: t, Value: v})
			}
		}
	}
	same := func(t string) (string, bool) { return t, true }
	add(Email, reEmail, same)
	add(Phone, rePhone, func(t string) (string, bool) { return t, IsPhone(t) })
	add(Quoted, reQuoted, func(t string) (string, bool) { return Unquote(t), true })
	add(Money, reMoney, same)
	add(Field, reField, func(t string) (string, bool) { return FieldKey(t), true })
	add(KindNoun, reKind, func(t string) (string, bool) { return RecordKind(t), true })
	return out
}

// First is the first span of kind k in spans.
func First(spans []Span, k Kind) (Span, bool) {
	for _, sp := range spans {
		if sp.Kind == k {
			return sp, true
		}
	}
	return Span{}, false
}

var rePhoneShape = regexp.MustCompile(`^\+?[0-9(][0-9 ().\-/]*[0-9]$`)

// IsPhone reports whether s is a phone number: digits with the usual
// separators, at least 5 digits.
func IsPhone(s string) bool {
	if !rePhoneShape.MatchString(s) {
		return false
	}
	return strings.Count(s, "")-1-len(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, s)) >= 5
}

// Unquote trims s and removes one pair of surrounding quotes.
func Unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// FieldKey maps a field cue word onto its contacts argument.
func FieldKey(w string) string {
	w = strings.ToLower(strings.Join(strings.Fields(w), " "))
	switch {
	case strings.Contains(w, "mail"):
		return "email"
	case strings.HasPrefix(w, "phone"), strings.HasPrefix(w, "mobile"), w == "telephone", w == "tel", w == "cell", w == "number":
		return "phone"
	case strings.Contains(w, "title"), w == "role", w == "position", w == "job":
		return "title"
	case w == "company", w == "employer", strings.HasPrefix(w, "organi"):
		return "company"
	case w == "city", w == "location", w == "town", w == "address":
		return "city"
	case strings.HasPrefix(w, "note"):
		return "notes"
	}
	return w // name, tags
}

// RecordKind maps a record noun onto its kind.
func RecordKind(w string) string {
	w = strings.ToLower(w)
	switch w {
	case "people", "staff":
		if w == "people" {
			return "contact"
		}
		return "member"
	}
	w = strings.TrimSuffix(w, "s")
	switch w {
	case "lead", "client", "customer":
		return "contact"
	case "todo", "to-do":
		return "task"
	case "document":
		return "file"
	case "colleague", "employee":
		return "member"
	}
	return w
}
