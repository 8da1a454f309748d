package local

import (
	"regexp"
	"strings"
)

// Email intents.
type (
	// emailSend: "Email John the Q1 report", "Send an email to
	// jane@acme.com saying the meeting moved to 3pm".
	emailSend struct {
		to            []recipient
		subject, body string
		attach        string // a file to find and attach, as the request names it
	}
	// emailFind: "Show emails I sent to Jane".
	emailFind struct {
		to            recipient
		status, query string
	}
)

// recipient is how a request names who an email goes to.
type recipient struct {
	addr, name, pron string
}

func (e emailSend) pronoun() string {
	for _, t := range e.to {
		if t.pron != "" {
			return t.pron
		}
	}
	return ""
}

func (f emailFind) pronoun() string { return f.to.pron }

var (
	reTwoFiles      = re(`\s+and\s+the\s+`)
	reRe            = re(`\s+re:\s*`)
	reBodyMarker    = re(`\s+(?:saying|that\s+says|to\s+say|telling\s+(?:him|her|them)(?:\s+that)?|with\s+the\s+message|with\s+message|with\s+(?:the\s+)?(?:text|body)|(?:and|,)\s+(?:the\s+)?(?:message|body|text)(?:\s+is)?|that)\s+|:\s+`)
	reSubjectMarker = re(`\s+(?:with\s+(?:the\s+)?subject(?:\s+line)?|subject|about|regarding|titled|entitled|with\s+(?:the\s+)?title)\s+`)
	reAttachMarker  = re(`\s+(?:with\s+(?:the\s+)?(?:file|attachment|document)|attaching)\s+`)
	reThingTo       = re(`^(?:the\s+)?(?:file\s+|document\s+)?(.+?)\s+to\s+(.+)$`)
	reWhoThe        = re(`^(.+?)\s+the\s+(?:file\s+|document\s+)?(.+)$`)
	reRecipientSep  = regexp.MustCompile(`(?i)\s*,\s*|\s+and\s+`)
	reEmailStatus   = re(`(?:^|\s+)(?:that\s+|which\s+)?(?:were\s+|was\s+|have\s+)?(not\s+(?:been\s+)?sent|unsent|failed)\b`)
	reSentLead      = re(`^(?:(?:that|which)\s+)?(?:did\s+|have\s+)?(?:i|we)?\s*(?:have\s+)?(?:sent|send|e-?mailed|were\s+sent|went\s+out)\b\s*`)
	reEmailMarker   = re(`(?:^|\s+)(to|about|regarding|matching|containing|with\s+subject)\s+`)
)

// parseSend reads recipients, subject, body and attachment. mailVerb says
// the request said "email"; a bare "send" must carry a file or a body.
func parseSend(rest string, mailVerb bool) (intent, bool, *parseError) {
	var e emailSend
	head := reRe.ReplaceAllString(rest, " about ") // "Email John re: renewal"
	if loc := reBodyMarker.FindStringIndex(head); loc != nil {
		e.body, head = strings.TrimSpace(head[loc[1]:]), head[:loc[0]]
	}
	if loc := reSubjectMarker.FindStringIndex(head); loc != nil {
		e.subject, head = capFirst(unquote(head[loc[1]:])), head[:loc[0]]
	}
	if loc := reAttachMarker.FindStringIndex(head); loc != nil {
		e.attach, head = unquote(head[loc[1]:]), head[:loc[0]]
	}
	if e.attach == "" {
		if m := reWhoThe.FindStringSubmatch(head); m != nil {
			if to, ok := recipients(m[1]); ok {
				e.to, e.attach = to, unquote(m[2])
			}
		}
		if e.to == nil {
			if m := reThingTo.FindStringSubmatch(head); m != nil {
				if to, ok := recipients(m[2]); ok {
					e.to, e.attach = to, unquote(m[1])
				}
			}
		}
	}
	if e.to == nil {
		to, ok := recipients(head)
		if !ok {
			if !mailVerb {
				return nil, false, nil
			}
			return nil, true, refuse("I could not tell who %q is; give a name or an email address", strings.TrimSpace(head))
		}
		e.to = to
	}
	if hasWord(e.attach, ccWords) || hasWord(head, ccWords) {
		return nil, true, refuse("I can't copy (cc) anyone on an email; name every recipient instead (\"email Jane and Tom …\")")
	}
	e.attach = withoutFileNoun(e.attach)
	if f := strings.Fields(e.attach); len(f) > 0 && notFileWords[strings.ToLower(f[len(f)-1])] {
		// "Forward the last email to Tom", "send Priya's email to Maria":
		// an email or a contact's detail is no file to attach.
		return nil, true, refuse("I can only send a file from the workspace or your own words; I can't forward an email or send %q", e.attach)
	}
	if f := strings.Fields(e.attach); len(f) > 1 && laterWords[strings.ToLower(f[len(f)-1])] {
		return nil, true, refuse("I can only send an email now, not at a later time; send it when it should go, or add a task to send it")
	}
	if reTwoFiles.MatchString(e.attach) {
		return nil, true, refuse("I can attach only one file to an email; send %q as separate emails", e.attach)
	}
	if !mailVerb && e.attach == "" && e.body == "" {
		return nil, false, nil
	}
	if e.body != "" {
		e.body = sentence(unquote(e.body))
		if e.subject == "" {
			e.subject = subjectFrom(e.body)
		}
	}
	if e.subject == "" && e.attach != "" {
		e.subject = capFirst(e.attach)
	}
	return e, true, nil
}

// recipients reads "Jane, bob@x.com and Tom".
func recipients(s string) ([]recipient, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	var out []recipient
	for _, p := range reRecipientSep.Split(s, -1) {
		p = unquote(p)
		switch {
		case reEmail.MatchString(p):
			out = append(out, recipient{addr: p})
		case rePronoun.MatchString(p):
			out = append(out, recipient{pron: strings.ToLower(p)})
		case validName(p):
			out = append(out, recipient{name: p})
		default:
			return nil, false
		}
	}
	return out, true
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = capFirst(strings.TrimSpace(s))
	if s != "" && !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// subjectFrom makes a subject of a body's first sentence, cut to about
// 60 characters at a word boundary.
func subjectFrom(body string) string {
	s := body
	if i := strings.IndexAny(s, ".!?\n"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 60 {
		cut := strings.LastIndex(s[:60], " ")
		if cut < 20 {
			cut = 60
		}
		s = strings.TrimSpace(s[:cut]) + "…"
	}
	return capFirst(s)
}

// parseEmailFilter reads "emails I sent to Jane", "unsent emails",
// "emails about the offsite".
func parseEmailFilter(adj, noun, rest string) (intent, bool, *parseError) {
	var f emailFind
	switch strings.ToLower(adj) {
	case "unsent", "pending":
		f.status = "not_sent"
	case "failed":
		f.status = "failed"
	}
	if strings.EqualFold(noun, "outbox") {
		f.status = "not_sent"
	}
	rest = strings.TrimSpace(rest)
	if m := reEmailStatus.FindStringSubmatchIndex(rest); m != nil {
		f.status = "not_sent"
		if strings.Contains(strings.ToLower(rest[m[2]:m[3]]), "fail") {
			f.status = "failed"
		}
		rest = strings.TrimSpace(rest[:m[0]] + " " + rest[m[1]:])
	}
	rest = reSentLead.ReplaceAllString(rest, "")
	lead, pieces := splitMarkers(rest, reEmailMarker)
	if lead != "" {
		return nil, true, refuse("I could not read %q in the email filter", lead)
	}
	for _, p := range pieces {
		if p.marker == "to" {
			to, ok := recipients(p.value)
			if !ok || len(to) != 1 {
				return nil, true, refuse("I could not tell who %q is; give one name or email address", p.value)
			}
			f.to = to[0]
			continue
		}
		f.query = unquote(p.value)
	}
	return f, true, nil
}

// ccWords mark a copy to someone, which an email here cannot carry.
var ccWords = wordSet(`cc bcc`)

// withoutFileNoun drops the noun after a file's name: "the Pricing.txt
// file", "the pricing document" name the file Pricing.txt, pricing.
func withoutFileNoun(name string) string {
	f := strings.Fields(name)
	if len(f) > 1 && fileNouns[strings.ToLower(f[len(f)-1])] {
		return strings.Join(f[:len(f)-1], " ")
	}
	return name
}

var fileNouns = wordSet(`file document doc attachment`)

// notFileWords end what a request would attach but is no file.
var notFileWords = wordSet(`email e-mail emails e-mails message messages mail address number phone details`)

// laterWords end a request to send an email later ("… tomorrow").
var laterWords = wordSet(`tomorrow tonight later monday tuesday wednesday thursday friday saturday sunday week month morning afternoon evening`)
