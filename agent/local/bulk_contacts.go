package local

import (
	"fmt"
	"strings"
)

// contactUpdateAll: "Tag every contact at Globex as key-account", "Move
// all our Umbrella contacts to Valencia" — one change to every contact a
// filter matches. It always asks first, with the count and the names,
// and changes nothing unless the answer is yes.
type contactUpdateAll struct {
	filter   contactFilter
	addTags  []string
	dropTags []string // "untag every contact in London as customer"
	city     string
}

func (contactUpdateAll) needs() []string { return []string{"contacts_search", "contacts_update"} }

// change phrases the change: `tag … as vip`, `move … to Paris`.
func (u contactUpdateAll) change(n int, desc string) string {
	if u.city != "" {
		return fmt.Sprintf("move %s%s to %s", count(n, kContact), desc, u.city)
	}
	if len(u.dropTags) > 0 {
		return fmt.Sprintf("remove the tag %s from %s%s", strings.Join(u.dropTags, ", "), count(n, kContact), desc)
	}
	return fmt.Sprintf("tag %s%s as %s", count(n, kContact), desc, strings.Join(u.addTags, ", "))
}

func (u contactUpdateAll) run(r *runner) bool {
	return r.eachContact(u.filter, contactBulkWords{changed: "changed", change: "change", past: "Updated", fail: "update"},
		func(n int, desc string) string { return u.change(n, desc) },
		func(c obj) call {
			args := map[string]any{"id": c.str("id")}
			if u.city != "" {
				args["city"] = u.city
			}
			if len(u.addTags) > 0 || len(u.dropTags) > 0 {
				args["tags"] = minus(union(c.strs("tags"), u.addTags), u.dropTags)
			}
			return mk("contacts_update", "", args)
		})
}

// contactBulkWords word a bulk contact change's replies: "nothing was
// changed", "send the request again to change the rest", "Updated 2
// contacts", "Could not update 1 contact".
type contactBulkWords struct{ changed, change, past, fail string }

// eachContact runs one change on every contact filter matches, asking
// first with the count and the names (what phrases the change).
func (r *runner) eachContact(filter contactFilter, w contactBulkWords, what func(n int, desc string) string, call func(obj) call) bool {
	list, f, more, fl := r.searchContacts(filter, true)
	if fl != proceed {
		return cont(fl)
	}
	desc := sp(f.describe())
	if len(list) == 0 {
		r.say("Found no contacts%s; nothing was %s.", desc, w.changed)
		return true
	}
	done, failed, fl := r.confirmEach(bulkChange{
		question:  fmt.Sprintf("This would %s: %s.", what(len(list), desc), namesOf(list, contactName, listShown)),
		cancelled: "Cancelled: no contacts were " + w.changed + ".",
		records:   list,
		name:      contactName,
		call:      call,
	})
	if fl != proceed {
		return fl == skip
	}
	r.sayBulk(w.past, w.fail, desc, kContact, done, failed, contactName)
	if more {
		r.say("More contacts matched than one request may look up; send the request again to %s the rest.", w.change)
	}
	return true
}

// emailAll: "Email all contacts at Hooli saying the office is closed" —
// one email to every contact a filter matches. It always asks first with
// the count and the names, and sends nothing unless the answer is yes.
type emailAll struct {
	filter        contactFilter
	subject, body string
}

// The bulk email's lexicon: "Email all contacts at Hooli saying …".
var (
	cueBulkEmail = lexCue("e-mail|email|mail|message|write_to|send_an_e-mail_to|send_an_email_to|send_a_message_to|send_an_message_to")
	cueSaying    = lexCue("saying")
)

// parseBulkEmail recognises an email to every contact a filter matches.
func parseBulkEmail(s string, _ calendar) (intent, bool, *parseError) {
	after, ok := opens(s, cueBulkEmail)
	if !ok {
		return nil, false, nil
	}
	mod, rest, ok := quantified(strings.TrimSpace(after))
	if !ok {
		return nil, false, nil
	}
	filter, body, ok := findCue(rest, cueSaying, 0)
	if !ok || strings.TrimSpace(body) == "" {
		return nil, false, nil
	}
	f, err := parseFilter(filter)
	if err != nil {
		return nil, true, err
	}
	if mod != "" && !bulkNotMods[strings.ToLower(mod)] {
		f.from = mod
	}
	if f.describe() == "" {
		return nil, true, refuse("I email many contacts at once only with a filter, e.g. \"Email all contacts at Acme saying …\"")
	}
	body = sentence(strings.TrimSpace(body))
	return emailAll{filter: f, subject: subjectFrom(body), body: body}, true, nil
}

func (emailAll) needs() []string { return []string{"contacts_search", "email_send"} }

func (e emailAll) run(r *runner) bool {
	list, f, more, fl := r.searchContacts(e.filter, true)
	if fl != proceed {
		return cont(fl)
	}
	desc := sp(f.describe())
	var to []string
	var shown, without []obj
	for _, c := range list {
		if a := c.str("email"); a != "" {
			to = append(to, a)
			shown = append(shown, c)
		} else {
			without = append(without, c)
		}
	}
	if len(to) == 0 {
		r.say("Found no contacts%s with an email address; nothing was sent.", desc)
		return true
	}
	if more {
		r.say("More contacts matched than one request may look up; nothing was sent. Narrow the filter.")
		return true
	}
	q := fmt.Sprintf("This would email %s%s: %s (subject %q).", count(len(to), kContact), desc, namesOf(shown, contactName, listShown), e.subject)
	if len(without) > 0 {
		q += fmt.Sprintf(" %s no email address: %s.", countHave(len(without)), namesOf(without, contactName, listShown))
	}
	ans, ok := r.ask(q + " Reply 'yes' to confirm.")
	if !ok {
		return false
	}
	if !isYes(ans) {
		r.say("Cancelled: no email was sent.")
		return true
	}
	res, ok := r.exec(mk("email_send", "to", to, "subject", e.subject, "body", e.body))
	if !ok {
		return false
	}
	r.emailSent(res[0], count(len(to), kContact)+desc, e.subject, nil)
	return true
}

// countHave is "1 has" or "3 have".
func countHave(n int) string {
	if n == 1 {
		return "1 has"
	}
	return fmt.Sprintf("%d have", n)
}
