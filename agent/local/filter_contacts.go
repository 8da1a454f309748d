package local

import (
	"fmt"
	"strings"
)

// contactFilter is what a contact search or bulk delete narrows on.
type contactFilter struct {
	query, name, email, company, city, tag string
	// from is "from X": searched as a city first, then as a company
	// ("contacts from London", "contacts from Acme").
	from string
}

// kv are the contacts_search arguments of the filter (without from).
func (f contactFilter) kv() []any {
	return []any{"query", f.query, "name", f.name, "email", f.email, "company", f.company, "city", f.city, "tag", f.tag}
}

// describe phrases the filter for a reply: `at Acme in London`.
func (f contactFilter) describe() string {
	var p []string
	if f.name != "" {
		p = append(p, fmt.Sprintf("named %q", f.name))
	}
	if f.query != "" {
		p = append(p, fmt.Sprintf("matching %q", f.query))
	}
	if f.email != "" {
		p = append(p, "with email "+f.email)
	}
	if f.company != "" {
		p = append(p, "at "+f.company)
	}
	if f.from != "" {
		p = append(p, "from "+f.from)
	}
	if f.city != "" {
		p = append(p, "in "+f.city)
	}
	if f.tag != "" {
		p = append(p, "tagged "+f.tag)
	}
	return strings.Join(p, " ")
}

var (
	reFilterMarker = re(`(?:^|\s+)(from|at|of|working\s+(?:at|for)|who\s+works?\s+(?:at|for)|works?\s+(?:at|for)|based\s+in|located\s+in|living\s+in|who\s+lives?\s+in|in|tagged(?:\s+(?:with|as))?|with\s+(?:the\s+)?tag|named|called|with\s+(?:the\s+)?name|whose\s+name\s+is|with\s+(?:the\s+)?e-?mail(?:\s+address)?|whose\s+e-?mail\s+is|matching|containing|about|like|for)\s+`)
	reFilterLead   = re(`^(?:(?:that|who|which)\s+(?:are|is)\s+)`)
)

// parseFilter reads what follows "contacts": "from London", "at Acme in
// Paris", "tagged vip", "named Jane".
func parseFilter(rest string) (contactFilter, *parseError) {
	var f contactFilter
	rest = reFilterLead.ReplaceAllString(strings.TrimSpace(rest), "")
	lead, pieces := splitMarkers(rest, reFilterMarker)
	var kept []markerPiece
	seen := map[string]bool{}
	for i, p := range pieces {
		k := filterKind(p.marker)
		if len(kept) > 0 && (seen[k] || (p.marker == "of" && i > 0)) {
			absorb(kept, p)
			continue
		}
		seen[k] = true
		kept = append(kept, p)
	}
	if lead = unquote(lead); lead != "" {
		if reEmail.MatchString(lead) {
			f.email = lead
		} else {
			f.query = lead
		}
	}
	for _, p := range kept {
		v := unquote(p.value)
		if v == "" {
			return f, refuse("nothing follows %q in the contact filter", p.marker)
		}
		switch filterKind(p.marker) {
		case "from":
			f.from = v
		case "company":
			f.company = v
		case "city":
			f.city = v
		case "tag":
			f.tag = v
		case "name":
			f.name = v
		case "email":
			if !reEmail.MatchString(v) {
				return f, refuse("%q does not look like an email address", v)
			}
			f.email = v
		default:
			f.query = v
		}
	}
	// With a city or company named too, "from" is the other one.
	switch {
	case f.from != "" && f.city != "" && f.company == "":
		f.company, f.from = f.from, ""
	case f.from != "" && f.company != "" && f.city == "":
		f.city, f.from = f.from, ""
	}
	return f, nil
}

func filterKind(m string) string {
	switch {
	case m == "from":
		return "from"
	case strings.HasPrefix(m, "tag") || strings.Contains(m, " tag"):
		return "tag"
	case strings.Contains(m, "mail"):
		return "email"
	case m == "named" || m == "called" || strings.Contains(m, "name"):
		return "name"
	case m == "matching" || m == "containing" || m == "about" || m == "like" || m == "for":
		return "query"
	case m == "in" || strings.HasSuffix(m, " in"):
		return "city"
	}
	return "company"
}
