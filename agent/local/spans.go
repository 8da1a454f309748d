package local

import (
	"regexp"
	"strings"
)

// Recognisers: the typed things in a clause, found before any frame is
// tried. A span is one recognised value with its kind and position; the
// frames fill their slots from spans instead of each family re-reading
// the text with its own pattern.

// spanKind is what a span holds.
type spanKind int

const (
	spanEmail    spanKind = iota + 1 // an email address
	spanPhone                        // a phone number in any national format
	spanDate                         // a date or relative date, val is YYYY-MM-DD
	spanQuoted                       // a quoted string, val is its inside
	spanMoney                        // an amount of money, val as written
	spanField                        // a field cue word, val is the field key
	spanKindNoun                     // a record kind: contact, task, file, folder, team, department, member
)

// span is one recognised value.
type span struct {
	kind       spanKind
	start, end int    // byte offsets in the clause
	text, val  string // as written; the canonical value
}

var (
	reSpanEmail  = regexp.MustCompile(`[^\s@,;<>()"']+@[^\s@,;<>()"']+\.[A-Za-z]{2,}`)
	reSpanPhone  = regexp.MustCompile(`\+?\(?\d[\d ().\-/]{4,}\d`)
	reSpanQuoted = regexp.MustCompile(`"[^"]+"|(?:^|\s)'[^']+'(?:\s|$)`)
	reSpanMoney  = re(`(?:[$€£]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:dollars|euros?|pounds|usd|eur|gbp)\b)`)
	reSpanDate   = re(`\b(?:` + dateExpr + `)\b`)
	reSpanField  = re(`\b(?:` + fieldWords + `|number|address|job|notes)\b`)
	reSpanKind   = re(`\b(contacts?|leads?|clients?|customers?|tasks?|to-?dos?|files?|documents?|folders?|teams?|departments?|members?|colleagues?)\b`)
)

// recognise finds the typed spans of s. Dates are kept only when they
// read as a date on cal; phones only when they hold at least 5 digits.
func recognise(s string, cal calendar) []span {
	var out []span
	add := func(k spanKind, rx *regexp.Regexp, val func(string) (string, bool)) {
		for _, l := range rx.FindAllStringIndex(s, -1) {
			t := strings.TrimSpace(s[l[0]:l[1]])
			if v, ok := val(t); ok {
				out = append(out, span{kind: k, start: l[0], end: l[1], text: t, val: v})
			}
		}
	}
	same := func(t string) (string, bool) { return t, true }
	add(spanEmail, reSpanEmail, same)
	add(spanPhone, reSpanPhone, func(t string) (string, bool) { return t, looksLikePhone(t) })
	add(spanQuoted, reSpanQuoted, func(t string) (string, bool) { return unquote(t), true })
	add(spanMoney, reSpanMoney, same)
	add(spanDate, reSpanDate, func(t string) (string, bool) {
		d, err := parseDate(t, cal)
		return d, err == nil
	})
	add(spanField, reSpanField, func(t string) (string, bool) { return fieldKey(t), true })
	add(spanKindNoun, reSpanKind, func(t string) (string, bool) { return kindOf(t), true })
	return out
}

// kindOf maps a record noun onto its kind.
func kindOf(w string) string {
	w = strings.TrimSuffix(strings.ToLower(w), "s")
	switch w {
	case "lead", "client", "customer":
		return "contact"
	case "todo", "to-do":
		return "task"
	case "document":
		return "file"
	case "colleague":
		return "member"
	}
	return w
}

// first is the first span of kind k, if any.
func first(spans []span, k spanKind) (span, bool) {
	for _, sp := range spans {
		if sp.kind == k {
			return sp, true
		}
	}
	return span{}, false
}
