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
	// contactUpdate: "Update Jane Doe's phone to +44 20 7946 0000".
	contactUpdate struct {
		who     contactRef
		set     contactFields
		addTags []string
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
	reContactCreate = re(`^(?:create|add|make|save|register|record|new)\s+(?:a\s+|an\s+)?(?:new\s+)?contact(?:\s+(?:for|named|called|with\s+(?:the\s+)?name))?\s*[:,]?\s+(.+)$`)
	reContactBare   = re(`^(?:create|add|make|new)\s+(?:a\s+|an\s+)?(?:new\s+)?contact$`)
	reContactAddTo  = re(`^(?:add|save|put)\s+(.+?)\s+(?:to\s+(?:my\s+|the\s+|our\s+)?contacts|as\s+(?:a\s+)?(?:new\s+)?contact)$`)
	reAddName       = re(`^add\s+(.+)$`)
	reDeleteAll     = re(`^(?:delete|remove|erase)\s+(?:all\s+(?:of\s+)?(?:the\s+|my\s+|our\s+)?|every\s+|the\s+|my\s+)?contacts\b\s*(.*)$`)
	reDeleteOne     = re(`^(?:delete|remove|erase)\s+(?:the\s+)?contact\s+(.+)$`)
	reDeleteFrom    = re(`^(?:delete|remove|erase)\s+(.+?)\s+from\s+(?:my\s+|the\s+|our\s+)?contacts$`)
	reUpdPossessive = re(`^(?:update|change|set|edit|correct|fix|make)\s+(?:the\s+)?(.+?)(?:'s|')\s+(` + fieldWords + `)\s+(?:to|as|=|:|into)\s*(.+)$`)
	reUpdOf         = re(`^(?:update|change|set|edit|correct|fix)\s+(?:the\s+)?(` + fieldWords + `)\s+(?:of|for)\s+(.+?)\s+to\s+(.+)$`)
	reUpdPronoun    = re(`^(?:update|change|set|edit)\s+(his|her|their)\s+(` + fieldWords + `)\s+(?:to|as)\s+(.+)$`)
	reUpdIs         = re(`^(.+?)(?:'s|')\s+(?:new\s+)?(` + fieldWords + `)\s+is\s+(?:now\s+)?(.+)$`)
	reUpdMoved      = re(`^(.+?)\s+(?:has\s+)?(?:moved|relocated)\s+to\s+(.+)$`)
	reUpdWorks      = re(`^(.+?)\s+(?:now\s+works|works\s+now|has\s+joined|joined)\s+(?:at\s+|for\s+)?(.+)$`)
	reUpdIsNow      = re(`^(.+?)\s+is\s+now\s+(?:the\s+|a\s+|an\s+)?(.+)$`)
	reUpdContact    = re(`^(?:update|edit|change)\s+(?:the\s+)?contact\s+(.+?)\s*(?::|,|\s+with|\s+set(?:ting)?)\s+(.+)$`)
	reTagContact    = re(`^tag\s+(.+?)\s+(?:as|with)\s+(.+)$`)
	reContactList   = re(`^(?:find|search(?:\s+for)?|look\s+up|lookup|look\s+for|show(?:\s+me)?|list|get|display|give\s+me|who\s+are)\s+(?:all\s+(?:of\s+)?|every\s+)?(?:the\s+|my\s+|our\s+)?contacts?\b\s*(.*)$`)
	reWhoWorksAt    = re(`^who\s+works\s+(?:at|for)\s+(.+)$`)
	reFindAny       = re(`^(?:find|search\s+for|search|look\s+up|lookup|look\s+for)\s+(.+)$`)
	reFieldValue    = re(`^(` + fieldWords + `)\s*(?::|=|\s+is|\s+to)?\s+(.+)$`)
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
		f, err := parseContactDetails(m[1])
		return contactCreate{fields: f}, true, err
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
	if it, ok, err := parseContactUpdate(s); ok || err != nil {
		return it, ok, err
	}
	if m := reContactList.FindStringSubmatch(s); m != nil {
		f, err := parseFilter(m[1])
		return contactFind{filter: f}, true, err
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

// parseContactUpdate recognises changes to one contact.
func parseContactUpdate(s string) (intent, bool, *parseError) {
	target := func(who string, key, value string) (intent, bool, *parseError) {
		ref, ok := refOf(who)
		if !ok {
			return nil, false, nil
		}
		u := contactUpdate{who: ref}
		if err := u.set.set(key, value); err != nil {
			return nil, true, err
		}
		return u, true, nil
	}
	if m := reUpdPronoun.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdPossessive.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdOf.FindStringSubmatch(s); m != nil {
		return target(m[2], fieldKey(m[1]), m[3])
	}
	if m := reUpdContact.FindStringSubmatch(s); m != nil {
		ref, ok := refOf(m[1])
		if !ok {
			return nil, true, refuse("I could not tell which contact %q is; give the full name or the email", m[1])
		}
		u := contactUpdate{who: ref}
		for _, seg := range splitList(m[2]) {
			if fv := reFieldValue.FindStringSubmatch(seg); fv != nil {
				if err := u.set.set(fieldKey(fv[1]), fv[2]); err != nil {
					return nil, true, err
				}
			} else if err := u.set.segment(seg); err != nil {
				return nil, true, err
			}
		}
		return u, true, nil
	}
	if m := reTagContact.FindStringSubmatch(s); m != nil {
		if ref, ok := refOf(m[1]); ok {
			return contactUpdate{who: ref, addTags: splitList(m[2])}, true, nil
		}
	}
	if m := reUpdIs.FindStringSubmatch(s); m != nil {
		return target(m[1], fieldKey(m[2]), m[3])
	}
	if m := reUpdMoved.FindStringSubmatch(s); m != nil {
		return target(m[1], "city", m[2])
	}
	if m := reUpdWorks.FindStringSubmatch(s); m != nil {
		return target(m[1], "company", m[2])
	}
	if m := reUpdIsNow.FindStringSubmatch(s); m != nil {
		ref, ok := refOf(m[1])
		if !ok || ref.pron != "" {
			return nil, false, nil
		}
		u := contactUpdate{who: ref}
		if err := u.set.segment(m[2]); err != nil {
			return nil, true, err
		}
		return u, true, nil
	}
	return nil, false, nil
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
