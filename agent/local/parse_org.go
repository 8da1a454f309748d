package local

import (
	"regexp"
	"strings"
)

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
	// orgMemberTeams: "Which team is Maria in?"; with departments,
	// "Which department is Tom in?"
	orgMemberTeams struct {
		member      string
		departments bool
	}
	// orgMemberLead: "Who is Tom's manager?" — the leads of a member's teams.
	orgMemberLead struct{ member string }
	// orgMyTeam: "Who's in my team?"
	orgMyTeam struct{}
	// orgLead: "Who leads Engineering?"
	orgLead struct{ unit, kind string }
)

const orgWords = `(?:org|organi[sz]ation|company|workspace)`

var (
	reDepartments = re(`^(?:(?:list|show|get|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?(?:departments|org(?:ani[sz]ation(?:al)?)?\s+(?:chart|structure))|who\s+are\s+the\s+(?:department\s+heads|heads\s+of\s+(?:the\s+)?departments)|(?:what|which)\s+departments\s+(?:are\s+there|do\s+we\s+have|exist)|departments)$`)
	reTeams       = re(`^(?:(?:list|show|get|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?teams|(?:what|which)\s+teams\s+(?:are\s+there|do\s+we\s+have|exist|are)|teams)(?:\s+(?:in|of)\s+(?:the\s+)?(.+?))?$`)
	reMembersList = re(`^(?:(?:list|show|get|display|give)\s+(?:me\s+)?(?:all\s+)?(?:the\s+|our\s+)?(?:members|people|colleagues|employees|staff|everyone|everybody)|who\s+(?:are\s+the\s+members|is\s+in\s+the\s+` + orgWords + `|works\s+here)|members)(?:\s+(?:of|in)\s+(?:the\s+)?(.+?))?$`)
	reWhoIn       = re(`^who(?:'s|\s+is|\s+are)\s+(?:in|on|part\s+of|a\s+member\s+of|members\s+of|the\s+members\s+of)\s+(?:the\s+)?(.+?)$|^who\s+(?:works|is\s+working)\s+in\s+(?:the\s+)?(.+?)$`)
	reWhichTeam   = re(`^(?:which|what)\s+teams?\s+(?:is|are|am|does|do)\s+(.+?)\s+(?:in|on|part\s+of|a\s+member\s+of|belong\s+to)$`)
	reWhichDept   = re(`^(?:which|what)\s+(?:department|dept)\s+(?:is|are|am|does|do)\s+(.+?)\s+(?:in|part\s+of|belong\s+to|work\s+in)$`)
	reWhoLeads    = re(`^who(?:'s|\s+is)?\s+(?:leads|heads|runs|manages|(?:the\s+)?(?:lead|leader|head|manager)\s+(?:of|for))\s+(?:the\s+)?(.+?)$`)
	reMemberLead  = re(`^who(?:'s|\s+is)\s+(.+?)(?:'s|')\s+(?:team\s+lead|team\s+leader|lead|leader|manager|boss|supervisor|line\s+manager)$|^who\s+(?:does|do)\s+(.+?)\s+report\s+to$`)
	reMine        = re(`^(?:my|our)$`)
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
	for _, rx := range []*regexp.Regexp{reWhichTeam, reWhichDept, reMemberLead} {
		if m := rx.FindStringSubmatch(s); m != nil {
			who, err := memberRef(firstGroup(m))
			if err != nil {
				return nil, true, err
			}
			switch rx {
			case reWhichDept:
				return orgMemberTeams{member: who, departments: true}, true, nil
			case reMemberLead:
				return orgMemberLead{member: who}, true, nil
			}
			return orgMemberTeams{member: who}, true, nil
		}
	}
	if m := reWhoIn.FindStringSubmatch(s); m != nil {
		name, k := unitOf(firstGroup(m))
		if reMine.MatchString(name) && k == "team" {
			return orgMyTeam{}, true, nil // "Who's in my team?"
		}
		return orgUnitMembers{unit: name, kind: k}, true, nil
	}
	if m := reWhoLeads.FindStringSubmatch(s); m != nil {
		name, k := unitOf(m[1])
		return orgLead{unit: name, kind: k}, true, nil
	}
	return nil, false, nil
}

// firstGroup is the first non-empty group of a match of alternatives.
func firstGroup(m []string) string {
	for _, g := range m[1:] {
		if g != "" {
			return g
		}
	}
	return ""
}

// memberRef reads how a request names a member: "me", a name or an email.
func memberRef(s string) (string, *parseError) {
	who := unquote(strings.TrimSpace(s))
	switch {
	case isMe(who):
		return me, nil
	case validName(who), reEmail.MatchString(who):
		return who, nil
	}
	return "", refuse("%q does not look like a member's name", who)
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
