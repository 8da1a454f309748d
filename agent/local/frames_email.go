package local

import "strings"

// The email frames: sending one email ("Email John the Q1 report",
// "Send an email to jane@acme.com saying …", "Send John a quick note
// about …", "Send the Q1 report to Jane") and finding sent ones ("Show
// emails I sent to Jane", "Did we email Priya?", "What's in the
// outbox?"). Each frame reads its cue words from the lexicon below; the
// recipients, subject, body and attachment are read by parseSend and the
// search filter by parseEmailFilter (parse_email.go).

// The email family's lexicon.
var (
	cueEmailFind  = lexCue("show|list|find|get|display|search|give [me] [all] [the|my]")
	cueEmailAdj   = lexCue("unsent|failed|sent|outgoing|pending")
	cueEmailsNoun = lexCue("emails|e-mails|mails|messages|outbox")
	cueEmailWhat  = lexCue("what|which emails|e-mails|messages")
	cueOutbox     = lexCue("what's|what_is [still] in [the|my|our] outbox")
	cueOutboxOpen = lexCue("check|open [the|my|our] outbox")
	cueDidEmail   = lexCue("did|have we|i email|e-mail|emailed|e-mailed|written_to|write_to")
	cueDidSend    = lexCue("did|have we|i send|sent [a|an|any] [email|e-mail|emails|e-mails|anything] to")
	cueEmailTo    = lexCue("send|write|compose|draft [a|an] [new|quick|short|brief|follow-up|followup|reminder|thank-you|thankyou] email|e-mail|mail|message|note to")
	cueEmailObj   = lexCue("send|shoot|drop|write")
	cueAnEmail    = lexCue("a|an [quick|short|new] email|e-mail|mail|message|note|line")
	cueWriteTo    = lexCue("write to")
	cueEmailVerb  = lexCue("email|e-mail|mail")
	cueSendVerb   = lexCue("send|forward|share")
)

// emailFrames are the frames of the email family, scored in one
// competition with every other frame (compete.go).
var emailFrames = []frameDef{
	{"email-find", fitEmailFind},
	{"email-send", fitEmailSend},
}

func init() {
	frameWords["email-find"] = "finding sent emails"
	frameWords["email-send"] = "sending an email"
}

// fromParser turns a slot reader's answer into a frame's fit.
func fromParser(it intent, ok bool, err *parseError, score int) (frameFit, bool) {
	if !ok {
		return frameFit{}, false
	}
	return frameFit{score: score, it: it, err: err}, true
}

// "Show unsent emails", "Which emails went to Jane?", "What's in the
// outbox?", "Did we email Priya?".
func fitEmailFind(s string, _ []span, _ calendar) (frameFit, bool) {
	if after, ok := opens(s, cueEmailFind); ok {
		after = strings.TrimSpace(after)
		adj := ""
		if rest, ok := opens(after, cueEmailAdj); ok {
			adj, after = strings.TrimSpace(after[:len(after)-len(rest)]), strings.TrimSpace(rest)
		}
		if rest, ok := opens(after, cueEmailsNoun); ok {
			noun := strings.TrimSpace(after[:len(after)-len(rest)])
			it, ok, err := parseEmailFilter(adj, noun, trimSep(rest))
			return fromParser(it, ok, err, scoreNamed)
		}
	}
	if rest, ok := opens(s, cueEmailWhat); ok {
		it, ok, err := parseEmailFilter("", "", rest)
		return fromParser(it, ok, err, scoreNamed)
	}
	for _, c := range []cue{cueOutbox, cueOutboxOpen} {
		if rest, ok := opens(s, c); ok && strings.TrimSpace(rest) == "" {
			return frameFit{score: scoreNamed, it: emailFind{status: "not_sent"}}, true
		}
	}
	for _, c := range []cue{cueDidSend, cueDidEmail} {
		if rest, ok := opens(s, c); ok && strings.TrimSpace(rest) != "" {
			it, ok, err := parseEmailFilter("", "", "to "+strings.TrimSpace(rest))
			return fromParser(it, ok, err, scoreNamed)
		}
	}
	return frameFit{}, false
}

// "Send an email to Jane saying …", "Send John a quick note about …",
// "Write to Jane …", "Email John the Q1 report", "Send the Q1 report to
// Jane" (a bare "send" must carry a file or a body).
func fitEmailSend(s string, _ []span, _ calendar) (frameFit, bool) {
	if rest, ok := opens(s, cueEmailTo); ok && strings.TrimSpace(rest) != "" {
		it, ok, err := parseSend(strings.TrimSpace(rest), true)
		return fromParser(it, ok, err, scoreNamed)
	}
	if after, ok := opens(s, cueEmailObj); ok {
		if who, rest, ok := findCue(after, cueAnEmail, 1); ok {
			// "Send John an email with subject X saying Y"
			it, ok, err := parseSend(strings.TrimSpace(who+" "+strings.TrimSpace(rest)), true)
			return fromParser(it, ok, err, scoreCue)
		}
	}
	if rest, ok := opens(s, cueWriteTo); ok && strings.TrimSpace(rest) != "" {
		it, ok, err := parseSend(strings.TrimSpace(rest), true)
		return fromParser(it, ok, err, scoreCue)
	}
	if rest, ok := opens(s, cueEmailVerb); ok && strings.TrimSpace(rest) != "" {
		it, ok, err := parseSend(strings.TrimSpace(rest), true)
		return fromParser(it, ok, err, scoreShape)
	}
	if rest, ok := opens(s, cueSendVerb); ok && strings.TrimSpace(rest) != "" {
		it, ok, err := parseSend(strings.TrimSpace(rest), false)
		return fromParser(it, ok, err, scoreBare)
	}
	return frameFit{}, false
}
