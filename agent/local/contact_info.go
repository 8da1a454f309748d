package local

import "strings"

// contactInfo: "What's John Smith's email?", "Where is Luis based?" —
// one detail of one contact.
type contactInfo struct {
	who   contactRef
	field string // a contacts_create argument: email, phone, title…
}

func (c contactInfo) pronoun() string { return c.who.pron }

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
