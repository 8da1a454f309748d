package local

import (
	"path"
	"strings"
)

// The gazetteer: names the workspace already holds — contacts, the
// companies and cities in its contacts, members, teams, departments,
// files, folders and task titles — looked up through the tools at plan
// time, so it grows with the data. A bare detail in a new contact ("Ada
// Byrne, Hooli, Dublin") is placed by looking it up among the contacts'
// companies and cities, so a company is known as a company once any
// contact has it; common world cities are known without a lookup hit.
// "Who is in Berlin?" is the contacts in Berlin when no team or
// department has that name; "Move Kenji to Kyoto" moves a contact when
// no file or folder is named Kenji. A value that is both, or neither,
// is not guessed: nothing is written and the reply says how to write it.

// nameKind is a kind of name the workspace holds.
type nameKind int

// The kinds of name the gazetteer looks up.
const (
	nameCompany    nameKind = iota // a company some contact works at
	nameCity                       // a city some contact is in
	nameContact                    // a contact's name (its words start the contact's)
	nameMember                     // a member's full or first name
	nameTeam                       // a team's name
	nameDepartment                 // a department's name
	nameFolder                     // a folder's name
	nameFile                       // a file's name, with or without its extension
	nameTask                       // a task's title
)

// gazetteer is what the workspace's own names say about one value: the
// kinds of name it is.
type gazetteer map[nameKind]bool

// lookup asks the workspace, in one step, which of kinds v is a name
// of: the gazetteer grows with the data, so a company is known as a
// company once any contact has it. A kind whose tool the caller may
// not use is not looked up (and so is not known).
func (r *runner) lookup(v string, kinds ...nameKind) (gazetteer, flow) {
	var calls []call
	var asked []nameKind
	for _, k := range kinds {
		c := gazetteerCall(k, v)
		if !r.tools[c.tool] {
			continue
		}
		calls = append(calls, c)
		asked = append(asked, k)
	}
	res, ok := r.exec(calls...)
	if !ok {
		return nil, halt
	}
	g := gazetteer{}
	for i, k := range asked {
		g[k] = holds(k, res[i], v)
	}
	return g, proceed
}

// gazetteerCall is the tool call that lists the names of kind k like v.
func gazetteerCall(k nameKind, v string) call {
	switch k {
	case nameCompany:
		return mk("contacts_search", "company", v, "limit", 20)
	case nameCity:
		return mk("contacts_search", "city", v, "limit", 20)
	case nameContact:
		return mk("contacts_search", "query", v, "limit", 20)
	case nameMember:
		return mk("org_members", "query", v)
	case nameTeam:
		return mk("org_teams")
	case nameDepartment:
		return mk("org_departments")
	case nameFolder, nameFile:
		return mk("files_search", "query", v)
	}
	return mk("tasks_search", "query", v, "limit", 20)
}

// holds reports whether a lookup's result holds v as a name of kind k.
func holds(k nameKind, res result, v string) bool {
	if res.failed() {
		return false
	}
	same := func(name string) bool { return fold(name) == fold(v) }
	switch k {
	case nameCompany:
		return hasValue(res, "company", v)
	case nameCity:
		return hasValue(res, "city", v)
	case nameContact:
		for _, c := range res.data.list("contacts") {
			if containsWords(words(c.str("name")), words(v)) {
				return true
			}
		}
	case nameMember:
		for _, m := range res.data.list("members") {
			if n := memberName(m); same(n) || same(firstWord(n)) {
				return true
			}
		}
	case nameTeam, nameDepartment:
		key := "teams"
		if k == nameDepartment {
			key = "departments"
		}
		for _, u := range res.data.list(key) {
			if same(unitName(u)) {
				return true
			}
		}
	case nameFolder, nameFile:
		for _, f := range fileItems(res.data) {
			n := fileName(f)
			if isFolder(f) == (k == nameFolder) && (same(n) || same(strings.TrimSuffix(n, path.Ext(n)))) {
				return true
			}
		}
	case nameTask:
		for _, t := range res.data.list("tasks") {
			if same(t.str("title")) {
				return true
			}
		}
	}
	return false
}

func firstWord(s string) string {
	if w := strings.Fields(s); len(w) > 0 {
		return w[0]
	}
	return ""
}

// placeUnknown looks up each unknown detail of f and sets it as a company
// or a city.
func (r *runner) placeUnknown(f contactFields) (contactFields, flow) {
	calls := make([]call, 0, 2*len(f.unknown))
	for _, v := range f.unknown {
		calls = append(calls, gazetteerCall(nameCompany, v), gazetteerCall(nameCity, v))
	}
	res, ok := r.exec(calls...)
	if !ok {
		return f, halt
	}
	for i, v := range f.unknown {
		company := holds(nameCompany, res[2*i], v)
		city := holds(nameCity, res[2*i+1], v) || knownCities[strings.ToLower(v)]
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
