package local

import (
	"regexp"
	"strings"

	"github.com/soisnode/soisnode/agent/local/recognise"
)

// Recognisers: the typed things in a clause, found before any frame is
// tried. The shared ones (emails, phones, quoted strings, money, field
// cue words, record kinds) live in agent/local/recognise, which the
// offline negotiation uses too; dates are added here because reading
// them needs today's date. The frames fill their slots from these spans
// instead of each family re-reading the text with its own pattern.

// spanKind is what a span holds.
type spanKind = recognise.Kind

// The kinds of span: the shared ones, and dates.
const (
	spanEmail    = recognise.Email
	spanPhone    = recognise.Phone
	spanQuoted   = recognise.Quoted
	spanMoney    = recognise.Money
	spanField    = recognise.Field
	spanKindNoun = recognise.KindNoun
	spanDate     = recognise.KindNoun + 100 // a date or relative date, val is YYYY-MM-DD
)

// span is one recognised value.
type span struct {
	kind       spanKind
	start, end int    // byte offsets in the clause
	text, val  string // as written; the canonical value
}

var reSpanDate = re(`\b(?:` + dateExpr + `)\b`)

// spansOf finds the typed spans of s. Dates are kept only when they read
// as a date on cal.
func spansOf(s string, cal calendar) []span {
	var out []span
	for _, sp := range recognise.Spans(s) {
		out = append(out, span{kind: sp.Kind, start: sp.Start, end: sp.End, text: sp.Text, val: sp.Value})
	}
	for _, l := range reSpanDate.FindAllStringIndex(s, -1) {
		t := strings.TrimSpace(s[l[0]:l[1]])
		if d, err := parseDate(t, cal); err == nil {
			out = append(out, span{kind: spanDate, start: l[0], end: l[1], text: t, val: d})
		}
	}
	return out
}

// kindOf maps a record noun onto its kind.
func kindOf(w string) string { return recognise.RecordKind(w) }

// reSpanKind is a record-kind noun.
var reSpanKind = regexp.MustCompile(`(?i)^(?:contacts?|leads?|clients?|customers?|people|tasks?|to-?dos?|files?|documents?|folders?|teams?|departments?|members?|colleagues?|staff|employees?)$`)

// first is the first span of kind k, if any.
func first(spans []span, k spanKind) (span, bool) {
	for _, sp := range spans {
		if sp.kind == k {
			return sp, true
		}
	}
	return span{}, false
}
