package local

import "strings"

// contactInfo: "What's John Smith's email?", "Where is Luis based?" —
// one detail of one contact.
type contactInfo struct {
	who   contactRef
	field string // a contacts_create argument: email, phone, title…
}

func (c contactInfo) pronoun() string { return c.who.pron }

var (
	reInfoPossessive = re(`^(?:what(?:'s|\s+is|\s+are)|(?:give|get|show|tell)(?:\s+me)?|find|look\s+up)\s+(?:the\s+)?(.+?)(?:'s|')\s+(` + fieldWords + `)$`)
	reInfoOf         = re(`^(?:what(?:'s|\s+is|\s+are)|(?:give|get|show|tell)(?:\s+me)?|find|look\s+up)\s+(?:the\s+)?(` + fieldWords + `)\s+(?:of|for)\s+(.+)$`)
	reInfoWhere      = re(`^where\s+(?:is|does)\s+(.+?)\s+(based|located|live|from|work)$`)
	reInfoCompany    = re(`^(?:which|what)\s+company\s+(?:does|is)\s+(.+?)\s+(?:work\s+(?:for|at)|with|at|from|in)$`)
	reInfoTitle      = re(`^what\s+(?:does|is)\s+(.+?)(?:'s)?\s+(?:do|job|role|position)$`)
)

// parseContactInfo recognises a question about one contact's detail.
func parseContactInfo(s string) (intent, bool) {
	who, field := "", ""
	if m := reInfoPossessive.FindStringSubmatch(s); m != nil {
		who, field = m[1], fieldKey(m[2])
	} else if m := reInfoOf.FindStringSubmatch(s); m != nil {
		who, field = m[2], fieldKey(m[1])
	} else if m := reInfoWhere.FindStringSubmatch(s); m != nil {
		who, field = m[1], "city"
		if strings.EqualFold(m[2], "work") {
			field = "company"
		}
	} else if m := reInfoCompany.FindStringSubmatch(s); m != nil {
		who, field = m[1], "company"
	} else if m := reInfoTitle.FindStringSubmatch(s); m != nil {
		who, field = m[1], "title"
	} else {
		return nil, false
	}
	ref, ok := refOf(who)
	if !ok || field == "name" {
		return nil, false
	}
	return contactInfo{who: ref, field: field}, true
}

func (c contactInfo) needs() []string {
	if c.who.pron != "" {
		return nil
	}
	return []string{"contacts_search"}
}

func (c contactInfo) run(r *runner) bool {
	if c.who.name != "" && r.tools["org_members"] {
		// A colleague's email is asked like a contact's: when no contact
		// has the name, the members are looked up.
		res, ok := r.exec(mk("contacts_search", "name", c.who.name))
		if !ok {
			return false
		}
		if res[0].failed() {
			return cont(r.lookupFailed(quoted(c.who.name), res[0]))
		}
		cands := contactCands(res[0].data.list("contacts"))
		if len(namedBy(c.who.name, cands)) == 0 {
			return r.memberInstead(c.who.name)
		}
		ct, fl := r.resolveOne(kContact, c.who.name, cands, "")
		if fl != proceed {
			return cont(fl)
		}
		return c.answer(r, ct)
	}
	ct, fl := r.oneContact(c.who, "")
	if fl != proceed {
		return cont(fl)
	}
	return c.answer(r, ct)
}

// answer says the asked detail of ct.
func (c contactInfo) answer(r *runner, ct obj) bool {
	name := contactName(ct)
	v := ct.str(c.field)
	if c.field == "tags" {
		v = strings.Join(ct.strs("tags"), ", ")
	}
	if v == "" {
		r.say("%s has no %s set.", name, c.field)
		return true
	}
	is := "is"
	if c.field == "tags" {
		is = "are"
	}
	r.say("%s's %s %s %s.", name, c.field, is, v)
	return true
}
