package negotiate

import (
	"regexp"
	"strings"

	"github.com/soisnode/soisnode/negotiation"
)

// Recognisers for the requests nodes send each other: which records, and
// the filter. They read the peer's text as data — only a kind of record
// and filter values come out of it, never an action.

var (
	nameWords    = `([A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)`
	reCity       = regexp.MustCompile(`\bin\s+` + nameWords)
	reCompany    = regexp.MustCompile(`\b(?:at|from|of|working for)\s+` + nameWords)
	reTag        = regexp.MustCompile(`(?i)\b(?:tagged|with\s+(?:the\s+)?tag|labelled)\s+["']?([\w-]+)`)
	reNamed      = regexp.MustCompile(`\b(?:named|called)\s+` + nameWords)
	reTeam       = regexp.MustCompile(`\b(?:of|in|on)\s+(?:the\s+)?` + nameWords + `\s+team\b`)
	reTeamAfter  = regexp.MustCompile(`(?i)\bteam\s+["']?([A-Za-z][\w&'-]*)`)
	reDestroy    = regexp.MustCompile(`(?i)\b(delete|remove|erase|wipe|destroy|drop|purge|overwrite|update|change|modify|rename|send an? e-?mail|email them)\b`)
	reKeep       = regexp.MustCompile(`(?i)\b(add|import|save|keep|store|copy|bring)\b[^.]*\b(here|them|locally|to us|to our|into)\b`)
	reAll        = regexp.MustCompile(`(?i)^\s*(all|all of them|every(one| one)?|any|both|everything|all (of )?(the )?(companies|options))\W*$`)
	reAskPeerFor = regexp.MustCompile(`(?i)^\s*(?:please\s+)?(?:ask|request|get)\s+(?:the\s+)?(.+?)\s+(?:for|to send( us)?|to give( us)?)\s+(.+)$`)
)

// destructive reports whether a peer's text asks to change or delete
// records: this node never does that for a peer, whatever its policy.
func destructive(text string) bool { return reDestroy.MatchString(text) }

// wantsKeep reports whether a goal asks to import what comes back.
func wantsKeep(goal string) bool { return reKeep.MatchString(goal) }

// parseRecordRequest recognises a request for records in plain English:
// contacts by city, company, tag or name; open tasks; members of a team.
func parseRecordRequest(text string) (negotiation.DataRequest, bool) {
	lower := strings.ToLower(text)
	r := negotiation.DataRequest{Kind: negotiation.KindRequest}
	switch {
	case strings.Contains(lower, "member") || strings.Contains(lower, " team") || strings.Contains(lower, "staff") || strings.Contains(lower, "employee"):
		r.Records = negotiation.KindMembers
		if m := reTeam.FindStringSubmatch(text); m != nil {
			r.Filter.Team = clean(m[1])
		} else if m := reTeamAfter.FindStringSubmatch(text); m != nil {
			r.Filter.Team = clean(m[1])
		}
		return r, true
	case strings.Contains(lower, "task") || strings.Contains(lower, "to-do") || strings.Contains(lower, "todo"):
		r.Records = negotiation.KindTasks
		r.Filter.Status = "open"
		return r, true
	case strings.Contains(lower, "contact") || strings.Contains(lower, "people") || strings.Contains(lower, "customer") ||
		strings.Contains(lower, "lead") || strings.Contains(lower, "client"):
		r.Records = negotiation.KindContacts
	default:
		return r, false
	}
	if m := reNamed.FindStringSubmatch(text); m != nil {
		r.Filter.Name = clean(m[1])
	}
	if m := reCompany.FindStringSubmatch(text); m != nil {
		r.Filter.Company = clean(m[1])
	}
	if m := reCity.FindStringSubmatch(text); m != nil && clean(m[1]) != r.Filter.Company {
		r.Filter.City = clean(m[1])
	}
	if m := reTag.FindStringSubmatch(text); m != nil {
		r.Filter.Tag = clean(m[1])
	}
	return r, true
}

// ParseAskPeer recognises "Ask the CRM for every contact at Acme in
// London and add them here": the peer ("CRM") and the goal (what follows
// "for").
func ParseAskPeer(text string) (peer, goal string, ok bool) {
	m := reAskPeerFor.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return "", "", false
	}
	peer, goal = strings.TrimSpace(m[1]), strings.TrimSpace(m[4])
	if peer == "" || goal == "" {
		return "", "", false
	}
	if _, isRequest := parseRecordRequest(goal); !isRequest {
		return "", "", false
	}
	return peer, goal, true
}

// clean drops the punctuation a sentence leaves after a captured name
// ("in London." → "London").
func clean(s string) string { return strings.TrimRight(strings.TrimSpace(s), ".,;:!?'-") }
