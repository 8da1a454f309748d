package negotiate

import (
	"regexp"
	"strings"

	"github.com/soisnode/soisnode/agent/local/recognise"
	"github.com/soisnode/soisnode/negotiation"
)

// Recognisers for the requests nodes send each other: which records, and
// the filter. They read the peer's text as data — only a kind of record
// and filter values come out of it, never an action.

var (
	reDestroy    = regexp.MustCompile(`(?i)\b(delete|remove|erase|wipe|destroy|drop|purge|overwrite|update|change|modify|rename|send an? e-?mail|email them)\b`)
	reKeep       = regexp.MustCompile(`(?i)\b(add|import|save|keep|store|copy|bring)\b[^.]*\b(here|them|locally|to us|to our|into)\b`)
	reAskPeerFor = regexp.MustCompile(`(?i)^\s*(?:please\s+)?(?:ask|request|get)\s+(?:the\s+)?(.+?)\s+(?:for|to send( us)?|to give( us)?)\s+(.+)$`)
)

// destructive reports whether a peer's text asks to change or delete
// records: this node never does that for a peer, whatever its policy.
func destructive(text string) bool { return reDestroy.MatchString(text) }

// wantsKeep reports whether a goal asks to import what comes back.
func wantsKeep(goal string) bool { return reKeep.MatchString(goal) }

// parseRecordRequest recognises a request for records in plain English:
// contacts by city, company, tag or name; open tasks; members of a team.
// It reads with the local agent's records-by-filter frame
// (agent/local/recognise), so a peer's request and a user's question are
// understood by the same recognisers.
func parseRecordRequest(text string) (negotiation.DataRequest, bool) {
	f, ok := recognise.Records(text)
	if !ok {
		return negotiation.DataRequest{}, false
	}
	r := negotiation.DataRequest{Kind: negotiation.KindRequest}
	switch f.Kind {
	case "members":
		r.Records = negotiation.KindMembers
		r.Filter.Team = f.Team
	case "tasks":
		r.Records = negotiation.KindTasks
		r.Filter.Status = "open" // this node shares open tasks only
	default:
		r.Records = negotiation.KindContacts
		r.Filter = negotiation.Filter{City: f.City, Company: f.Company, Tag: f.Tag, Name: f.Name}
		if f.From != "" && r.Filter.Company == "" {
			r.Filter.Company = f.From
		}
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
