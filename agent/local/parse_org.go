package local

import "strings"

// Org chart intents.
type (
	// orgDepartments: "List departments".
	orgDepartments struct{}
	// orgTeams: "List teams", "List the teams in Engineering".
	orgTeams struct{ department string }
	// orgMembers: "List members".
	orgMembers struct{}
	// orgUnitMembers: "Who is in the Sales team?"; kind is "team",
	// "department" or "" for either.
	orgUnitMembers struct{ unit, kind string }
	// orgMemberTeams: "Which team is Maria in?"
	orgMemberTeams struct{ member string }
	// orgLead: "Who leads Engineering?"
	orgLead struct{ unit, kind string }
)

const orgWords = `(?:org|organi[sz]ation|company|workspace)`

var (
	reDepartments = re(`^(?:(?:list|show|get|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?departments|(?:what|which)\s+departments\s+(?:are\s+there|do\s+we\s+have|exist)|departments)$`)
	reTeams       = re(`^(?:(?:list|show|get|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?teams|(?:what|which)\s+teams\s+(?:are\s+there|do\s+we\s+have|exist)|teams)(?:\s+(?:in|of)\s+(?:the\s+)?(.+?))?$`)
	reMembersList = re(`^(?:(?:list|show|get|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?(?:members|people|colleagues|employees|staff)|who\s+(?:are\s+the\s+members|is\s+in\s+the\s+` + orgWords + `|works\s+here)|members)(?:\s+(?:of|in)\s+(?:the\s+)?(.+?))?$`)
	reWhoIn       = re(`^who(?:'s|\s+is|\s+are)\s+(?:in|on|part\s+of|a\s+member\s+of|members\s+of|the\s+members\s+of)\s+(?:the\s+)?(.+?)$`)
	reWhichTeam   = re(`^(?:which|what)\s+teams?\s+(?:is|are|am|does|do)\s+(.+?)\s+(?:in|on|part\s+of|a\s+member\s+of|belong\s+to)$`)
	reWhoLeads    = re(`^who\s+(?:leads|heads|runs|manages|is\s+(?:the\s+)?(?:lead|leader|head|manager)\s+(?:of|for))\s+(?:the\s+)?(.+?)$`)
	reUnitKind    = re(`^(?:(team|department|dept)\s+)?(.+?)(?:\s+(team|department|dept))?$`)
)

// parseOrg recognises org chart requests.
func parseOrg(s string, _ calendar) (intent, bool, *parseError) {
	if reDepartments.MatchString(s) {
		return orgDepartments{}, true, nil
	}
	if m := reTeams.FindStringSubmatch(s); m != nil {
		if m[1] == "" {
			return orgTeams{}, true, nil
		}
		name, _ := unitOf(m[1])
		return orgTeams{department: name}, true, nil
	}
	if m := reMembersList.FindStringSubmatch(s); m != nil {
		if m[1] == "" {
			return orgMembers{}, true, nil
		}
		name, k := unitOf(m[1])
		return orgUnitMembers{unit: name, kind: k}, true, nil
	}
	if m := reWhichTeam.FindStringSubmatch(s); m != nil {
		who := unquote(m[1])
		if isMe(who) {
			return orgMemberTeams{member: me}, true, nil
		}
		if !validName(who) && !reEmail.MatchString(who) {
			return nil, true, refuse("%q does not look like a member's name", who)
		}
		return orgMemberTeams{member: who}, true, nil
	}
	if m := reWhoIn.FindStringSubmatch(s); m != nil {
		name, k := unitOf(m[1])
		return orgUnitMembers{unit: name, kind: k}, true, nil
	}
	if m := reWhoLeads.FindStringSubmatch(s); m != nil {
		name, k := unitOf(m[1])
		return orgLead{unit: name, kind: k}, true, nil
	}
	return nil, false, nil
}

// unitOf reads "the Sales team", "Engineering department", "Sales".
func unitOf(s string) (name, kind string) {
	m := reUnitKind.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return unquote(s), ""
	}
	k := strings.ToLower(m[1] + m[3])
	if k == "dept" {
		k = "department"
	}
	return unquote(m[2]), k
}
