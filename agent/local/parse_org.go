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
	// orgMemberTeams: "Which team is Maria in?"; with departments,
	// "Which department is Tom in?"
	orgMemberTeams struct {
		member      string
		departments bool
	}
	// orgMemberLead: "Who is Tom's manager?" — the leads of a member's teams.
	orgMemberLead struct{ member string }
	// orgMemberReports: "Who reports to Maria?" — the members of the
	// teams a member leads.
	orgMemberReports struct{ member string }
	// orgMyTeam: "Who's in my team?"
	orgMyTeam struct{}
	// orgLead: "Who leads Engineering?"
	orgLead struct{ unit, kind string }
)

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
