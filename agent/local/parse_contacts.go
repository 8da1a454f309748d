package local

import (
	"regexp"
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
	reContactList   = re(`^(?:find|search(?:\s+for)?|look\s+up|lookup|look\s+for|show(?:\s+me)?|list|get|display|give\s+me|who\s+are)\s+(?:all\s+(?:of\s+)?|every\s+)?(?:the\s+|my\s+|our\s+)?contacts?\b\s*(.*)$`)
	reContactWho    = re(`^(?:who\s+do\s+we\s+(?:know|have)|(?:show|list|find|get|give)(?:\s+me)?\s+(?:everyone|everybody|anyone|anybody|people)|(?:which|what)\s+contacts\s+(?:do\s+we\s+have|are)|do\s+we\s+(?:have|know)\s+(?:a\s+|any\s+)?(?:contacts?|someone|anyone|anybody|people)|(?:are\s+there\s+)?any\s+contacts|how\s+many\s+contacts(?:\s+(?:do\s+we\s+have|are\s+there|have\s+we\s+got))?)\b\s*(.*)$`)
	reContactTagged = re(`^(?:show|list|find|get|display|who\s+are)\s+(?:me\s+)?(?:all\s+(?:of\s+)?)?(?:our\s+|the\s+|my\s+)?(customers|prospects|leads|partners|clients|vips|suppliers|vendors)\b\s*(.*)$`)
	reWhoIsWhere    = re(`^who(?:'s|\s+is|\s+are)\s+((?:tagged|at|from|based\s+in|located\s+in)\s+.+)$`)
	reWhoWorksAt    = re(`^who\s+works\s+(?:at|for)\s+(.+)$`)
	reWhoIsPerson   = re(`^who(?:'s|\s+is)\s+(.+)$`)
	reShowPerson    = re(`^(?:show|get|give|pull\s+up|open|display)(?:\s+me)?\s+(?:the\s+)?(?:contact\s+(?:details|info|information|card|record)\s+(?:for|of)\s+)?(.+?)(?:(?:'s|')\s+(?:contact\s+)?(?:details|info|information|card|record|profile))?$`)
	reFindAny       = re(`^(?:find|search\s+for|search|look\s+up|lookup|look\s+for)\s+(.+)$`)
	reFieldValue    = re(`^(` + fieldWords + `)\s*(?::|=|\s+is|\s+to)?\s+(.+)$`)
	reFileExt       = re(`\.[a-z0-9]{1,5}$`)
)

// parseContact recognises contact requests: the contact frames
// (frames_contacts.go) for creating, changing and deleting one contact,
// then the searches.
func parseContact(s string, cal calendar) (intent, bool, *parseError) {
	if it, ok, err := pickCueFrame(contactFrames, s, cal); ok {
		return it, true, err
	}
	for _, rx := range []*regexp.Regexp{reContactList, reContactWho, reWhoIsWhere} {
		if m := rx.FindStringSubmatch(s); m != nil {
			f, err := parseFilter(m[1])
			return contactFind{filter: f}, true, err
		}
	}
	if m := reContactTagged.FindStringSubmatch(s); m != nil {
		f, err := parseFilter(m[2])
		if err == nil && f.tag != "" {
			return nil, true, refuse("give one tag to list contacts by")
		}
		f.tag = singular(m[1])
		return contactFind{filter: f}, true, err
	}
	if it, ok := parseContactInfo(s); ok {
		return it, true, nil
	}
	if m := reShowPerson.FindStringSubmatch(s); m != nil {
		// "Show me John Smith": a person's name or email, nothing else.
		if ref, ok := refOf(m[1]); ok && ref.pron == "" && (ref.email != "" || startsUpper(ref.name)) {
			return contactFind{filter: contactFilter{query: ref.name, email: ref.email}}, true, nil
		}
	}
	if m := reWhoIsPerson.FindStringSubmatch(s); m != nil {
		// "Who is Maria Garcia?": a contact, or failing that a member.
		if ref, ok := refOf(m[1]); ok && ref.pron == "" {
			return whoIs{filter: contactFilter{query: ref.name, email: ref.email}}, true, nil
		}
	}
	if m := reWhoWorksAt.FindStringSubmatch(s); m != nil {
		return contactFind{filter: contactFilter{company: unquote(m[1])}}, true, nil
	}
	if m := reFindAny.FindStringSubmatch(s); m != nil {
		v := unquote(m[1])
		switch {
		case reEmail.MatchString(v):
			return contactFind{filter: contactFilter{email: v}}, true, nil
		case validName(v):
			return contactFind{filter: contactFilter{query: v}}, true, nil
		}
		return nil, false, nil
	}
	return nil, false, nil
}

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
