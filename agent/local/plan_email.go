package local

import (
	"fmt"
	"strings"
)

func (e emailSend) needs() []string {
	out := []string{"email_send"}
	for _, t := range e.to {
		if t.name != "" {
			out = append(out, "contacts_search")
			break
		}
	}
	if e.attach != "" {
		out = append(out, "files_search")
	}
	return out
}

// addressee is a resolved recipient.
type addressee struct {
	addr    string
	display string // "John Smith <john@example.com>" or the address
	first   string // first name, for the greeting; empty for bare addresses
}

func (e emailSend) run(r *runner) bool {
	// Look every named recipient and the file up at once.
	var calls []call
	for _, t := range e.to {
		if t.name != "" {
			calls = append(calls, mk("contacts_search", "name", t.name))
		}
	}
	if e.attach != "" {
		calls = append(calls, mk("files_search", "query", e.attach))
	}
	res, ok := r.exec(calls...)
	if !ok {
		return false
	}
	var to []addressee
	next := 0
	for _, t := range e.to {
		var a addressee
		fl := proceed
		switch {
		case t.addr != "":
			a = addressee{addr: t.addr, display: t.addr}
		case t.pron != "":
			a, fl = r.pronounAddressee(t.pron)
		default:
			x := res[next]
			next++
			if x.failed() {
				return cont(r.lookupFailed("the contact "+quoted(t.name), x))
			}
			a, fl = r.addresseeFor(t.name, x.data.list("contacts"))
		}
		if fl != proceed {
			return cont(fl)
		}
		to = append(to, a)
	}
	var file obj
	if e.attach != "" {
		x := res[next]
		if x.failed() {
			return cont(r.lookupFailed("the file "+quoted(e.attach), x))
		}
		var files []obj
		for _, f := range x.data.list("files") {
			if !isFolder(f) {
				files = append(files, f)
			}
		}
		f, fl := r.resolveOne(kFile, e.attach, fileCands(files), "sent")
		if fl != proceed {
			return cont(fl)
		}
		file = f
	}
	subject, body := e.subject, e.body
	if body == "" && file != nil {
		body = greeting(to) + "Please find the " + e.attach + " attached."
	}
	if body == "" {
		ans, ok := r.ask(fmt.Sprintf("What should the email to %s say?", displays(to)))
		if !ok {
			return false
		}
		// The answer is the email's text, kept as written.
		if body = sentence(unquote(strings.Join(strings.Fields(quoteFixer.Replace(ans)), " "))); body == "" {
			r.say("The email was not sent: it has no text.")
			return true
		}
		if subject == "" {
			subject = subjectFrom(body)
		}
	}
	addrs := make([]string, len(to))
	for i, a := range to {
		addrs[i] = a.addr
	}
	var attachments []string
	if file != nil {
		attachments = []string{file.str("id")}
	}
	out, ok := r.exec(mk("email_send", "to", addrs, "subject", subject, "body", body, "attachments", attachments))
	if !ok {
		return false
	}
	r.emailSent(out[0], displays(to), subject, file)
	return true
}

// emailSent reports the email's real status: only "sent" means sent.
func (r *runner) emailSent(res result, to, subject string, file obj) {
	if res.failed() {
		r.say("Could not send the email to %s: %s.", to, res.err)
		return
	}
	em := res.data.record("email")
	status := em.str("status")
	reason := "no reason was given"
	if _, why, ok := strings.Cut(status, ":"); ok && strings.TrimSpace(why) != "" {
		reason = strings.TrimSpace(why)
	}
	what := fmt.Sprintf("to %s, subject %q", to, subject)
	switch {
	case status == "sent":
		attached := ""
		if file != nil {
			attached = ", with " + fileName(file) + " attached"
		}
		r.say("Email sent to %s: %q%s.", to, subject, attached)
	case strings.HasPrefix(status, "not_sent"):
		r.say("The email was not sent: %s. It is kept in the outbox (%s).", reason, what)
	case strings.HasPrefix(status, "failed"):
		r.say("The email could not be sent: %s (%s).", reason, what)
	case status == "":
		r.say("The email was recorded, but the workspace did not say whether it was sent (%s).", what)
	default:
		r.say("The email has status %q; it has not been confirmed as sent (%s).", status, what)
	}
}

// addresseeFor resolves a name to an email address: a contact, or when
// no contact matches (and the caller may read the org chart) a member.
func (r *runner) addresseeFor(name string, contacts []obj) (addressee, flow) {
	cands, k := namedBy(name, contactCands(contacts)), kContact
	if len(cands) == 0 && r.tools["org_members"] {
		res, ok := r.exec(mk("org_members", "query", name))
		if !ok {
			return addressee{}, halt
		}
		if !res[0].failed() {
			cands, k = namedBy(name, memberCands(res[0].data.list("members"))), kMember
		}
	}
	if len(cands) == 0 {
		r.say("No contact matched %q; the email was not sent.", name)
		return addressee{}, skip
	}
	rec, fl := r.resolveOne(k, name, cands, "sent")
	if fl != proceed {
		return addressee{}, fl
	}
	return r.checked(addresseeOf(rec))
}

func (r *runner) pronounAddressee(pron string) (addressee, flow) {
	if r.contact == nil {
		r.say("The email was not sent: the contact %q refers to was not created.", pron)
		return addressee{}, skip
	}
	return r.checked(addresseeOf(r.contact))
}

// checked says why a record without an address cannot be emailed.
func (r *runner) checked(a addressee, fl flow) (addressee, flow) {
	if fl == skip {
		r.say("The email was not sent: %s has no email address.", a.display)
	}
	return a, fl
}

// addresseeOf reads a contact's or member's address; flow is skip when
// it has none (display then holds the name).
func addresseeOf(rec obj) (addressee, flow) {
	name := rec.str("name")
	addr := rec.str("email")
	if addr == "" {
		return addressee{display: contactName(rec)}, skip
	}
	a := addressee{addr: addr, display: addr}
	if name != "" {
		a.display = name + " <" + addr + ">"
		a.first = strings.Fields(name)[0]
	}
	return a, proceed
}

func displays(to []addressee) string {
	d := make([]string, len(to))
	for i, a := range to {
		d[i] = a.display
	}
	return strings.Join(d, ", ")
}

func greeting(to []addressee) string {
	if len(to) == 1 && to[0].first != "" {
		return "Hi " + to[0].first + ",\n\n"
	}
	return "Hello,\n\n"
}

func (f emailFind) needs() []string {
	if f.to.name != "" {
		return []string{"contacts_search", "email_search"}
	}
	return []string{"email_search"}
}

func (f emailFind) run(r *runner) bool {
	to, who := f.to.addr, f.to.addr
	switch {
	case f.to.pron != "":
		if r.contact == nil || r.contact.str("email") == "" {
			r.say("I could not tell whose emails to show: the contact %q refers to has no email address.", f.to.pron)
			return true
		}
		to, who = r.contact.str("email"), contactName(r.contact)
	case f.to.name != "":
		res, ok := r.exec(mk("contacts_search", "name", f.to.name))
		if !ok {
			return false
		}
		if res[0].failed() {
			return cont(r.lookupFailed("the contact "+quoted(f.to.name), res[0]))
		}
		cands := namedBy(f.to.name, contactCands(res[0].data.list("contacts")))
		if len(cands) == 0 {
			// Not a contact: let the email search match the text itself.
			to, who = f.to.name, f.to.name
			break
		}
		c, fl := r.resolveOne(kContact, f.to.name, cands, "")
		if fl != proceed {
			return cont(fl)
		}
		to, who = c.str("email"), contactName(c)
		if to == "" {
			r.say("%s has no email address, so no emails to them can be found.", who)
			return true
		}
	}
	res, ok := r.exec(mk("email_search", "to", to, "status", f.status, "query", f.query))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not search emails: %s.", res[0].err)
		return true
	}
	emails := res[0].data.list("emails")
	desc := "emails"
	switch f.status {
	case "not_sent":
		desc = "unsent emails"
	case "failed":
		desc = "failed emails"
	}
	if who != "" {
		desc += " to " + who
	}
	if f.query != "" {
		desc += " matching " + quoted(f.query)
	}
	if len(emails) == 0 {
		r.say("No %s found.", desc)
		return true
	}
	if len(emails) == 1 {
		desc = strings.Replace(desc, "emails", "email", 1)
	}
	reply := fmt.Sprintf("Found %d %s: %s.", len(emails), desc, listOf(lines(emails, emailLine)))
	if res[0].data.str("next_cursor") != "" {
		reply += morePages
	}
	r.say("%s", reply)
	return true
}

// emailLine is `"Q1 report" (sent, to jane@acme.com, 2026-03-01T10:00:00Z)`.
func emailLine(e obj) string {
	subject := e.str("subject")
	if subject == "" {
		subject = "(no subject)"
	}
	var d []string
	if s := e.str("status"); s != "" {
		d = append(d, strings.ReplaceAll(s, "_", " "))
	}
	to := e.strs("to")
	if len(to) == 0 {
		to = e.strs("recipients")
	}
	if len(to) > 0 {
		d = append(d, "to "+strings.Join(to, ", "))
	}
	for _, k := range []string{"sent_at", "created_at", "date"} {
		if s := e.str(k); s != "" {
			d = append(d, s)
			break
		}
	}
	return withDetails(quoted(subject), d)
}
