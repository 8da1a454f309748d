package local

import (
	"strings"
)

// The gazetteer: names the workspace already holds. A bare detail in a
// new contact ("Ada Byrne, Hooli, Dublin") is placed by looking it up
// among the contacts' companies and cities, so a company is known as a
// company once any contact has it. Common world cities are known
// without a lookup hit. A value that is both, or neither, is not
// guessed: nothing is written and the reply says how to write it.

// placeUnknown looks up each unknown detail of f and sets it as a company
// or a city.
func (r *runner) placeUnknown(f contactFields) (contactFields, flow) {
	calls := make([]call, 0, 2*len(f.unknown))
	for _, v := range f.unknown {
		calls = append(calls, mk("contacts_search", "company", v, "limit", 20), mk("contacts_search", "city", v, "limit", 20))
	}
	res, ok := r.exec(calls...)
	if !ok {
		return f, halt
	}
	for i, v := range f.unknown {
		company := hasValue(res[2*i], "company", v)
		city := hasValue(res[2*i+1], "city", v) || knownCities[strings.ToLower(v)]
		key := ""
		switch {
		case company && !city:
			key = "company"
		case city && !company:
			key = "city"
		}
		if key == "" {
			r.say("%s", cantYet(unplaced(v)))
			return f, skip
		}
		if err := f.set(key, v); err != nil {
			r.say("%s", err.reply())
			return f, skip
		}
	}
	f.unknown = nil
	return f, proceed
}

func unplaced(v string) string {
	return "I could not tell what " + quoted(v) + " is in the contact details (write e.g. \"at Acme Corp\", \"in Berlin\", \"title CEO\" or \"phone +1 555 0100\")"
}

// hasValue reports whether a contacts_search result holds a contact whose
// key equals v (case-insensitively).
func hasValue(res result, key, v string) bool {
	if res.failed() {
		return false
	}
	for _, c := range res.data.list("contacts") {
		if strings.EqualFold(strings.TrimSpace(c.str(key)), v) {
			return true
		}
	}
	return false
}

// knownCities are cities a new contact may name without "in".
var knownCities = wordSetLines(`
amsterdam athens atlanta auckland austin bangalore bangkok barcelona beijing belfast berlin bogota
bologna bordeaux boston brisbane bristol brussels bucharest budapest buenos aires cairo calgary
cape town cardiff chicago copenhagen dallas delhi denver dubai dublin edinburgh florence frankfurt
geneva glasgow hamburg helsinki hong kong houston istanbul jakarta johannesburg kyiv kiev krakow lagos
leeds lima lisbon liverpool london los angeles lyon madrid manchester marseille melbourne mexico city
miami milan montreal moscow mumbai munich nairobi naples new york nice osaka oslo ottawa paris perth
philadelphia porto prague reykjavik riga rome rotterdam san francisco santiago sao paulo seattle seoul
seville shanghai singapore sofia stockholm stuttgart sydney taipei tallinn tel aviv tokyo toronto
turin valencia vancouver vienna vilnius warsaw washington wellington zurich abuja accra lyon`)

// wordSetLines is like wordSet, but also holds the two-word names of the
// list ("new york", "hong kong").
func wordSetLines(s string) map[string]bool {
	out := wordSet(s)
	w := strings.Fields(s)
	for i := 0; i+1 < len(w); i++ {
		out[w[i]+" "+w[i+1]] = true
	}
	return out
}
