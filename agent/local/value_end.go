package local

import "strings"

// Value boundaries: a field value given without quotes ends where its
// clause ends. "Globex - please update that", "Chief Buyer, she told me
// yesterday" and "Osaka last month, can you update it" are the values
// Globex, Chief Buyer and Osaka; the rest is an aside about the request,
// and storing it would be a wrong write.

var (
	// reAside is an aside after a value: a dash, or a comma followed by
	// words that start a new remark rather than continue a name.
	reAside = re(`\s+[-–—]\s+.*$|\s*[,;]\s*(?:she|he|they|it|i|i'm|i've|we|you|can|could|would|will|please|pls|thanks|thank|cheers|that|that's|this|which|so|as\s+of|since|from|just|according|apparently|effective|starting|per)\b.*$`)
	// reTimeAside is a time said about the change, not part of the value.
	reTimeAside = re(`\s+(?:last|this|earlier\s+this|past)\s+(?:week|month|year|monday|tuesday|wednesday|thursday|friday|weekend)$|\s+(?:yesterday|today|recently|now|asap|from\s+today|as\s+of\s+today|as\s+of\s+now|effective\s+immediately|for\s+me|please|pls|thanks)$`)
)

// valueEnd cuts an unquoted field value at its natural end.
func valueEnd(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		return v
	}
	v = reAside.ReplaceAllString(v, "")
	for {
		w := reTimeAside.ReplaceAllString(v, "")
		if w == v {
			return strings.TrimSpace(v)
		}
		v = w
	}
}
