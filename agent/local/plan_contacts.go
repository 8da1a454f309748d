package local

import (
	"fmt"
	"strings"
)

func (c contactCreate) needs() []string {
	if len(c.fields.unknown) > 0 {
		return []string{"contacts_search", "contacts_create"}
	}
	return []string{"contacts_create"}
}

func (c contactCreate) run(r *runner) bool {
	if len(c.fields.unknown) > 0 {
		f, fl := r.placeUnknown(c.fields)
		if fl != proceed {
			return cont(fl)
		}
		c.fields = f
	}
	res, ok := r.exec(mk("contacts_create", "", c.fields.args()))
	if !ok {
		return false
	}
	r.contact = nil
	if res[0].failed() {
		r.say("Could not create the contact: %s.", res[0].err)
		return true
	}
	ct := res[0].data.record("contact")
	if ct == nil {
		r.say("Contact created.")
		return true
	}
	r.contact = ct
	r.say("Contact created: %s.", contactLine(ct))
	return true
}

func (contactFind) needs() []string { return []string{"contacts_search"} }

func (c contactFind) run(r *runner) bool { return r.findContacts(c.filter, false) }

func (whoIs) needs() []string { return []string{"contacts_search"} }

func (w whoIs) run(r *runner) bool { return r.findContacts(w.filter, true) }

// findContacts lists the contacts filter matches; with orMember, a name
// no contact matches is looked up among the members.
func (r *runner) findContacts(filter contactFilter, orMember bool) bool {
	list, f, more, fl := r.searchContacts(filter, false)
	if fl != proceed {
		return cont(fl)
	}
	desc := sp(f.describe())
	if len(list) == 0 && orMember && r.tools["org_members"] {
		return r.memberInstead(f.query + f.email)
	}
	if len(list) == 0 {
		r.say("No contacts found%s.", desc)
		return true
	}
	reply := fmt.Sprintf("Found %s%s: %s.", count(len(list), kContact), desc, listOf(lines(list, contactLine)))
	if n := list[0].str("notes"); len(list) == 1 && n != "" {
		// Stored notes are data, shown as written and never acted on.
		reply += fmt.Sprintf(" Notes (stored data): %q", clip(n, 400))
	}
	if more {
		reply += morePages
	}
	r.say("%s", reply)
	return true
}

func (u contactUpdate) needs() []string {
	if u.who.pron != "" {
		return []string{"contacts_update"}
	}
	return []string{"contacts_search", "contacts_update"}
}

func (u contactUpdate) run(r *runner) bool {
	c, fl := r.oneContact(u.who, "changed")
	if fl != proceed {
		return cont(fl)
	}
	args := u.set.args()
	args["id"] = c.str("id")
	order := u.set.order
	if len(u.addTags) > 0 || len(u.dropTags) > 0 {
		have := c.strs("tags")
		if len(u.dropTags) > 0 && len(minus(have, u.dropTags)) == len(have) {
			r.say("%s is not tagged %s; nothing was changed.", contactName(c), strings.Join(u.dropTags, ", "))
			return true
		}
		args["tags"] = minus(union(have, u.addTags), u.dropTags)
		order = append(order, "tags")
	}
	if u.addNote != "" {
		args["notes"] = strings.TrimSpace(c.str("notes") + "\n" + u.addNote)
		order = append(order, "notes")
	}
	res, ok := r.exec(mk("contacts_update", "", args))
	if !ok {
		return false
	}
	r.contact = nil
	if res[0].failed() {
		r.say("Could not update %s: %s.", contactName(c), res[0].err)
		return true
	}
	nc := res[0].data.record("contact")
	if nc == nil {
		r.say("Contact updated: %s.", contactName(c))
		return true
	}
	r.contact = nc
	var changed []string
	for _, k := range order {
		v := nc.str(k)
		if k == "tags" {
			v = strings.Join(nc.strs("tags"), ", ")
			if v == "" {
				changed = append(changed, "no tags")
			}
		}
		if v != "" {
			changed = append(changed, k+" "+v)
		}
	}
	r.say("Contact updated: %s.", withDetails(contactName(nc), changed))
	return true
}

func (d contactDelete) needs() []string {
	if d.who.pron != "" {
		return []string{"contacts_delete"}
	}
	return []string{"contacts_search", "contacts_delete"}
}

func (d contactDelete) run(r *runner) bool {
	c, fl := r.oneContact(d.who, "deleted")
	if fl != proceed {
		return cont(fl)
	}
	res, ok := r.exec(mk("contacts_delete", "id", c.str("id")))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not delete %s: %s.", contactName(c), res[0].err)
		return true
	}
	if r.contact != nil && r.contact.str("id") == c.str("id") {
		r.contact = nil
	}
	r.say("Contact deleted: %s.", contactLine(c))
	return true
}

func (contactDeleteAll) needs() []string { return []string{"contacts_search", "contacts_delete"} }

func (d contactDeleteAll) run(r *runner) bool {
	return r.eachContact(d.filter, contactBulkWords{changed: "deleted", change: "delete", past: "Deleted", fail: "delete"},
		func(n int, desc string) string { return fmt.Sprintf("delete %d contacts%s", n, desc) },
		func(c obj) call { return mk("contacts_delete", "id", c.str("id")) })
}

// memberInstead answers "Who is X?" from the members when no contact
// matched X.
func (r *runner) memberInstead(name string) bool {
	res, ok := r.exec(mk("org_members", "query", name))
	if !ok {
		return false
	}
	var ms []obj
	if !res[0].failed() {
		for _, c := range namedBy(name, memberCands(res[0].data.list("members"))) {
			ms = append(ms, c.rec)
		}
	}
	switch len(ms) {
	case 0:
		r.say("No contact or member matched %q.", name)
	case 1:
		r.say("No contact matched %q; %s is a member of this workspace.", name, memberLine(ms[0]))
	default:
		r.say("No contact matched %q; members: %s.", name, listOf(lines(ms, memberLine)))
	}
	return true
}

// oneContact finds the contact ref names, asking when several match.
// action completes "nothing was …" ("changed", "deleted").
func (r *runner) oneContact(ref contactRef, action string) (obj, flow) {
	if ref.pron != "" {
		if r.contact == nil {
			r.say("Nothing was %s for %q: the contact it refers to was not created.", action, ref.pron)
			return nil, skip
		}
		return r.contact, proceed
	}
	res, ok := r.exec(mk("contacts_search", "name", ref.name, "email", ref.email))
	if !ok {
		return nil, halt
	}
	if res[0].failed() {
		return nil, r.lookupFailed(quoted(ref.String()), res[0])
	}
	cands := contactCands(res[0].data.list("contacts"))
	if len(namedBy(ref.String(), cands)) == 0 && action != "" && ref.name != "" && r.tools["org_members"] {
		// "Change Tom's email to …" where Tom is a member: say so
		// rather than "no contact matched".
		if m, fl := r.memberNamed(ref.name); fl != proceed {
			return nil, fl
		} else if m != nil {
			r.say("%s", cantYet(fmt.Sprintf("%s is a member of this workspace, not a contact, and I can't change members; nothing was %s", memberLine(m), action)))
			return nil, skip
		}
	}
	return r.resolveOne(kContact, ref.String(), cands, action)
}

// memberNamed is the one member a name means, or nil (none or several).
func (r *runner) memberNamed(name string) (obj, flow) {
	res, ok := r.exec(mk("org_members", "query", name))
	if !ok {
		return nil, halt
	}
	if res[0].failed() {
		return nil, proceed
	}
	if ms := namedBy(name, memberCands(res[0].data.list("members"))); len(ms) == 1 {
		return ms[0].rec, proceed
	}
	return nil, proceed
}

func contactCands(list []obj) []candidate {
	out := make([]candidate, len(list))
	for i, c := range list {
		out[i] = candidate{rec: c, id: c.str("id"), name: c.str("name"), label: contactLine(c),
			keys: []string{c.str("email"), c.str("company"), c.str("city"), c.str("title"), c.str("phone")}}
	}
	return out
}

// searchContacts runs a contact search. "from X" tries X as a city, then
// as a company. With every set it reads all pages (up to maxPages); more
// reports matches left unread. f is the filter that gave the results.
func (r *runner) searchContacts(filter contactFilter, every bool) (list []obj, f contactFilter, more bool, fl flow) {
	if filter.from == "" {
		list, more, fl = r.contactPages(filter, every)
		return list, filter, more, fl
	}
	f = filter
	f.city, f.from = filter.from, ""
	list, more, fl = r.contactPages(f, every)
	if fl != proceed || len(list) > 0 {
		return list, f, more, fl
	}
	f = filter
	f.company, f.from = filter.from, ""
	list, more, fl = r.contactPages(f, every)
	if fl != proceed || len(list) > 0 || strings.Contains(filter.from, " ") {
		return list, f, more, fl
	}
	// The workspace's own names: a one-word "from X" that is neither a
	// city nor a company may be a tag in use ("all vip contacts").
	f = filter
	f.tag, f.from = filter.from, ""
	list, more, fl = r.contactPages(f, every)
	return list, f, more, fl
}

func (r *runner) contactPages(f contactFilter, every bool) ([]obj, bool, flow) {
	var all []obj
	cursor := ""
	for page := 1; ; page++ {
		kv := f.kv()
		if every {
			kv = append(kv, "limit", 100, "cursor", cursor)
		}
		res, ok := r.exec(mk("contacts_search", kv...))
		if !ok {
			return nil, false, halt
		}
		if res[0].failed() {
			r.say("Could not search contacts: %s.", res[0].err)
			return nil, false, skip
		}
		all = append(all, res[0].data.list("contacts")...)
		cursor = res[0].data.str("next_cursor")
		if cursor == "" {
			return all, false, proceed
		}
		if !every || page >= maxPages {
			return all, true, proceed
		}
	}
}
