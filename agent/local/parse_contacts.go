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

// contactNoun are the words a request may use for a new contact.
const contactNoun = `(?:contact|lead|client|customer|prospect)`

// delVerb are the verbs of a delete request.
const delVerb = `(?:delete|remove|erase|get\s+rid\s+of)`

var (
	reContactCreate = re(`^(?:create|add|make|save|register|record|new)\s+(?:a\s+|an\s+)?(?:new\s+)?` + contactNoun + `(?:\s+(?:for|named|called|with\s+(?:the\s+)?name))?\s*[:,\-–]?\s+(.+)$`)
	reContactBare   = re(`^(?:create|add|make|new|save|register)\s+(?:a\s+|an\s+)?(?:new\s+)?` + contactNoun + `$`)
	reContactAddTo  = re(`^(?:add|save|put)\s+(.+?)\s*,?\s+(?:to\s+(?:my\s+|the\s+|our\s+)?(?:contacts(?:\s+list)?|address\s+book|crm)|as\s+(?:a\s+|an\s+)?(?:new\s+)?` + contactNoun + `)(?:\s*[,:;]\s*(.+))?$`)
	reAddName       = re(`^add\s+(.+)$`)
	reDeleteAll     = re(`^` + delVerb + `\s+(?:all\s+(?:of\s+)?(?:the\s+|my\s+|our\s+)?|every\s+|the\s+|my\s+)?contacts\b\s*(.*)$`)
	reDeleteOne     = re(`^` + delVerb + `\s+(?:the\s+)?contact\s+(?:named\s+|called\s+)?(.+)$`)
	reDeleteFrom    = re(`^` + delVerb + `\s+(.+?)\s+from\s+(?:my\s+|the\s+|our\s+)?(?:contacts|address\s+book|crm)$`)
	reDeleteBare    = re(`^` + delVerb + `\s+(.+)$`)
	reContactList   = re(`^(?:find|search(?:\s+for)?|look\s+up|lookup|look\s+for|show(?:\s+me)?|list|get|display|give\s+me|who\s+are)\s+(?:all\s+(?:of\s+)?|every\s+)?(?:the\s+|my\s+|our\s+)?contacts?\b\s*(.*)$`)
	reContactWho    = re(`^(?:who\s+do\s+we\s+(?:know|have)|(?:show|list|find|get|give)(?:\s+me)?\s+(?:everyone|everybody|anyone|anybody|people)|(?:which|what)\s+contacts\s+(?:do\s+we\s+have|are)|do\s+we\s+(?:have|know)\s+(?:a\s+|any\s+)?(?:contacts?|someone|anyone|anybody|people)|(?:are\s+there\s+)?any\s+contacts|how\s+many\s+contacts(?:\s+(?:do\s+we\s+have|are\s+there|have\s+we\s+got))?)\b\s*(.*)$`)
	reContactTagged = re(`^(?:show|list|find|get|display|who\s+are)\s+(?:me\s+)?(?:all\s+(?:of\s+)?)?(?:our\s+|the\s+|my\s+)?(customers|prospects|leads|partners|clients|vips|suppliers|vendors)\b\s*(.*)$`)
	reWhoIsWhere    = re(`^who(?:'s|\s+is|\s+are)\s+((?:tagged|at|from|based\s+in|located\s+in)\s+.+)$`)
	reWhoWorksAt    = re(`^who\s+works\s+(?:at|for)\s+(.+)$`)
	reWhoIsPerson   = re(`^who(?:'s|\s+is)\s+(.+)$`)
	reShowPerson    = re(`^(?:show|get|give|pull\s+up|open|display)(?:\s+me)?\s+(?:the\s+)?(?:contact\s+(?:details|info|information|card|record)\s+(?:for|of)\s+)?(.+?)(?:(?:'s|')\s+(?:contact\s+)?(?:details|info|information|card|record|profile))?$`)
	reClearField    = re(`^(?:remove|delete|clear|erase|blank)\s+(?:the\s+)?(.+?)(?:'s|')\s+(` + fieldWords + `)$`)
	reFindAny       = re(`^(?:find|search\s+for|search|look\s+up|lookup|look\s+for)\s+(.+)$`)
	reFieldValue    = re(`^(` + fieldWords + `)\s*(?::|=|\s+is|\s+to)?\s+(.+)$`)
	reFileExt       = re(`\.[a-z0-9]{1,5}$`)
)

// parseContact recognises contact requests.
func parseContact(s string, _ calendar) (intent, bool, *parseError) {
	if m := reContactCreate.FindStringSubmatch(s); m != nil {
		f, err := parseContactDetails(m[1])
		return contactCreate{fields: f}, true, err
	}
	if reContactBare.MatchString(s) {
		return nil, true, refuse("a new contact needs at least a name, e.g. \"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com\"")
	}
	if m := reContactAddTo.FindStringSubmatch(s); m != nil {
		details := m[1]
		if m[2] != "" {
			details += ", " + m[2] // "Add Omar as a new contact, works at Globex"
		}
		f, err := parseContactDetails(details)
		return contactCreate{fields: f}, true, err
	}
	if m := reClearField.FindStringSubmatch(s); m != nil {
		return nil, true, refuse("I can't clear a contact's %s yet; set a new value instead", fieldKey(m[2]))
	}
	if it, ok, err := parseContactUpdate(s); ok || err != nil {
		return it, ok, err
	}
	if m := reDeleteAll.FindStringSubmatch(s); m != nil {
		f, err := parseFilter(m[1])
		return contactDeleteAll{filter: f}, true, err
	}
	for _, rx := range []*regexp.Regexp{reDeleteOne, reDeleteFrom} {
		if m := rx.FindStringSubmatch(s); m != nil {
			who, ok := refOf(m[1])
			if !ok {
				return nil, true, refuse("I could not tell which contact %q is; give the full name or the email", m[1])
			}
			return contactDelete{who: who}, true, nil
		}
	}
	if m := reDeleteBare.FindStringSubmatch(s); m != nil {
		// "Delete Kenji Tanaka": only a name or an email is a contact.
		if who, ok := refOf(m[1]); ok && who.pron == "" && !reFileExt.MatchString(m[1]) || ok && who.email != "" {
			return contactDelete{who: who}, true, nil
		}
		return nil, false, nil
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
	if m := reAddName.FindStringSubmatch(s); m != nil && startsUpper(m[1]) {
		// "Add Bob Smith from Initech": weaker than "create a contact",
		// so details that do not parse mean "not understood".
		if f, err := parseContactDetails(m[1]); err == nil {
			return contactCreate{fields: f}, true, nil
		}
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
