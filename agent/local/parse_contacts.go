package local

import (
	"strings"
	"unicode"
)

// Contact intents.
type (
	// contactCreate: "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com".
	contactCreate struct{ fields contactFields }
	// contactFind: "Find all contacts from London", "find Jane".
	contactFind struct{ filter contactFilter }
	// whoIs: "Who is Maria Garcia?" — a contact search that, when no
	// contact matches, looks the name up among the members.
	whoIs struct{ filter contactFilter }
	// contactUpdate: "Update Jane Doe's phone to +44 20 7946 0000".
	contactUpdate struct {
		who               contactRef
		set               contactFields
		addTags, dropTags []string
		addNote           string // appended to the contact's notes
	}
	// contactDelete: "Delete the contact Jane Doe".
	contactDelete struct{ who contactRef }
	// contactDeleteAll: "Delete all contacts from Acme" (confirmed above 5).
	contactDeleteAll struct{ filter contactFilter }
)

// contactRef is how a request names one contact.
type contactRef struct {
	name, email string
	pron        string // "her", "him"…: the contact this request just created
}

func (c contactRef) String() string {
	switch {
	case c.email != "":
		return c.email
	case c.pron != "":
		return c.pron
	}
	return c.name
}

func (u contactUpdate) pronoun() string { return u.who.pron }
func (d contactDelete) pronoun() string { return d.who.pron }

// refOf reads a contact reference: a name, an email or a pronoun.
func refOf(s string) (contactRef, bool) {
	s = unquote(reContactWord.ReplaceAllString(strings.TrimSpace(s), ""))
	switch {
	case rePronoun.MatchString(s):
		return contactRef{pron: strings.ToLower(s)}, true
	case reEmail.MatchString(s):
		return contactRef{email: s}, true
	case validName(s):
		return contactRef{name: s}, true
	}
	return contactRef{}, false
}

var reContactWord = re(`^(?:the\s+)?contact\s+(?:for\s+|named\s+|called\s+)?`)

var (
	reFieldValue = re(`^(` + fieldWords + `)\s*(?::|=|\s+is|\s+to)?\s+(.+)$`)
	reFileExt    = re(`\.[a-z0-9]{1,5}$`)
)

// singular is a tag word without its plural "s": "customers" → "customer".
func singular(w string) string {
	w = strings.ToLower(w)
	if strings.HasSuffix(w, "s") {
		return w[:len(w)-1]
	}
	return w
}

func startsUpper(s string) bool {
	w := strings.Fields(s)
	if len(w) == 0 || notNameWords[strings.ToLower(w[0])] {
		return false
	}
	for _, r := range w[0] {
		return unicode.IsUpper(r)
	}
	return false
}
