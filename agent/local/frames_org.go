package local

import "strings"

// The org chart frames: the departments, the teams (of a department),
// the members (of a team or department), a member's teams, departments
// and leads, and the lead of a team or department. Each frame reads its
// cue words from the lexicon below and fills its slot (a unit or a
// member) from the rest of the clause.

// The org family's lexicon.
var (
	cueListVerbs  = "list|show|get|display|give [me] [all] [the|our]"
	cueDepts      = lexCue(cueListVerbs + " departments|org_chart|org_structure|organisation_chart|organization_chart|organisational_chart|organizational_chart|organisation_structure|organization_structure|organisational_structure|organizational_structure")
	cueDeptHeads  = lexCue("who are the department_heads|heads_of_departments|heads_of_the_departments")
	cueDeptsWhich = lexCue("what|which departments are_there|do_we_have|exist")
	cueDeptsBare  = lexCue("departments")
	cueTeams      = lexCue(cueListVerbs + " teams")
	cueTeamsWhich = lexCue("what|which teams are_there|do_we_have|exist|are")
	cueTeamsBare  = lexCue("teams")
	cueInOf       = lexCue("in|of [the]")
	cueMembers    = lexCue(cueListVerbs + " members|people|colleagues|employees|staff|everyone|everybody")
	cueMembersWho = lexCue("who are_the_members|is_in_the_org|is_in_the_organisation|is_in_the_organization|is_in_the_company|is_in_the_workspace|works_here")
	cueMembersBar = lexCue("members")
	cueWhichTeam  = lexCue("which|what team|teams is|are|am|does|do")
	cueTeamTail   = lexCue("in|on|part_of|a_member_of|belong_to")
	cueWhichDept  = lexCue("which|what department|dept is|are|am|does|do")
	cueDeptTail   = lexCue("in|part_of|belong_to|work_in")
	cueWhoIs      = lexCue("who's|who_is")
	cueLeadTail   = lexCue("team_lead|team_leader|lead|leader|manager|boss|supervisor|line_manager")
	cueWhoDoes    = lexCue("who does|do")
	cueReportTo   = lexCue("report to")
	cueWhoIn      = lexCue("who's|who_is|who_are in|on|part_of|a_member_of|members_of|the_members_of [the]")
	cueWhoWorksIn = lexCue("who works|is_working in [the]")
	cueWhoLeads   = lexCue("who|who's|who_is leads|heads|runs|manages [the]")
	cueWhoHead    = lexCue("who|who's|who_is [the] lead|leader|head|manager of|for [the]")
	cueUnitKind   = lexCue("team|department|dept")
	cueChargeOf   = lexCue("charge of")
	cueWhoReports = lexCue("who|who's|who_is|who_are reports|report|reporting to")
	cueManages    = lexCue("manage|lead|supervise|look_after")
	cueWhoAreList = lexCue("who_are|who's_in|who_is_in|who's_on|who_is_on|list|show [me]")
	cueReportTail = lexCue("direct_reports|reports|team|team_members|people")
)

// orgFrames are the frames of the org family, scored in one
// competition with every other frame (compete.go).
var orgFrames = []frameDef{
	{"org-departments", fitOrgDepartments},
	{"org-teams", fitOrgTeams},
	{"org-members", fitOrgMembers},
	{"org-member-of", fitOrgMemberOf},
	{"org-who-in", fitOrgWhoIn},
	{"org-lead", fitOrgLead},
}

func init() {
	for k, v := range map[string]string{
		"org-departments": "the departments", "org-teams": "the teams", "org-members": "the members",
		"org-member-of": "a member's teams or lead", "org-who-in": "the members of a team or department",
		"org-lead": "the lead of a team or department",
	} {
		frameWords[k] = v
	}
}

// whole reports whether c is all of s.
func whole(s string, c cue) bool {
	rest, ok := opens(s, c)
	return ok && strings.TrimSpace(rest) == ""
}

// unitRest reads what may follow a list: nothing, or "in|of [the] X".
func unitRest(rest string) (unit string, ok bool) {
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return "", true
	}
	if u, ok := opens(rest, cueInOf); ok && strings.TrimSpace(u) != "" {
		return strings.TrimSpace(u), true
	}
	return "", false
}

// "List departments", "Show the org chart", "Which departments are
// there?".
func fitOrgDepartments(s string, _ []span, _ calendar) (frameFit, bool) {
	for _, c := range []cue{cueDepts, cueDeptHeads, cueDeptsWhich, cueDeptsBare} {
		if whole(s, c) {
			return frameFit{score: scoreNamed, it: orgDepartments{}}, true
		}
	}
	return frameFit{}, false
}

// "List teams", "List the teams in Engineering", "Which teams are in
// Sales?".
func fitOrgTeams(s string, _ []span, _ calendar) (frameFit, bool) {
	return orgList(s, []cue{cueTeams, cueTeamsWhich, cueTeamsBare}, orgTeams{}, func(name, _ string) intent {
		return orgTeams{department: name}
	})
}

// "List members", "Who works here?", "List everyone in Engineering".
func fitOrgMembers(s string, _ []span, _ calendar) (frameFit, bool) {
	return orgList(s, []cue{cueMembers, cueMembersWho, cueMembersBar}, orgMembers{}, func(name, kind string) intent {
		return orgUnitMembers{unit: name, kind: kind}
	})
}

// orgList reads a list cue and what may follow it: nothing (all), or
// "in|of [the] X" (of one unit).
func orgList(s string, cues []cue, all intent, of func(name, kind string) intent) (frameFit, bool) {
	for _, c := range cues {
		rest, ok := opens(s, c)
		if !ok {
			continue
		}
		if unit, ok := unitRest(rest); ok {
			if unit == "" {
				return frameFit{score: scoreNamed, it: all}, true
			}
			return frameFit{score: scoreNamed, it: of(unitOf(unit))}, true
		}
	}
	return frameFit{}, false
}

// "Which team is Maria in?", "Which department is Tom in?", "Who is
// Tom's manager?", "Who does Sam report to?".
func fitOrgMemberOf(s string, _ []span, _ calendar) (frameFit, bool) {
	member := func(who string, it func(string) intent) (frameFit, bool) {
		m, err := memberRef(who)
		if err != nil {
			return frameFit{score: scoreNamed, err: err}, true
		}
		return frameFit{score: scoreNamed, it: it(m)}, true
	}
	for _, v := range []struct {
		open, tail cue
		depts      bool
	}{{cueWhichTeam, cueTeamTail, false}, {cueWhichDept, cueDeptTail, true}} {
		if rest, ok := opens(s, v.open); ok {
			if who, ok := endsWithCue(rest, v.tail, 1); ok {
				return member(who, func(m string) intent { return orgMemberTeams{member: m, departments: v.depts} })
			}
		}
	}
	lead := func(m string) intent { return orgMemberLead{member: m} }
	if rest, ok := opens(s, cueWhoIs); ok {
		if owner, tail, ok := possessive(rest); ok && owner != "" && whole(strings.TrimSpace(tail), cueLeadTail) {
			return member(owner, lead)
		}
	}
	if rest, ok := opens(s, cueWhoDoes); ok {
		if who, ok := endsWithCue(rest, cueReportTo, 1); ok {
			return member(who, lead)
		}
		if who, ok := endsWithCue(rest, cueManages, 1); ok {
			return member(who, reports) // "Who does Maria manage?"
		}
	}
	if rest, ok := opens(s, cueWhoReports); ok && strings.TrimSpace(rest) != "" {
		return member(rest, reports) // "Who reports to Maria?"
	}
	if rest, ok := opens(s, cueWhoAreList); ok {
		if owner, tail, ok := possessive(rest); ok && owner != "" && !isMe(owner) && whole(strings.TrimSpace(tail), cueReportTail) {
			return member(owner, reports) // "Who are Maria's direct reports?"
		}
	}
	return frameFit{}, false
}

// reports is the intent of a question about the people a member leads.
func reports(m string) intent { return orgMemberReports{member: m} }

// "Who's in the Sales team?", "Who works in Engineering?", "Who's in
// my team?".
func fitOrgWhoIn(s string, _ []span, _ calendar) (frameFit, bool) {
	for _, c := range []cue{cueWhoIn, cueWhoWorksIn} {
		rest, ok := opens(s, c)
		if !ok || strings.TrimSpace(rest) == "" {
			continue
		}
		if _, ok := opens(rest, cueChargeOf); ok {
			return frameFit{}, false // "Who's in charge of X" is no unit "charge of X"
		}
		name, k := unitOf(rest)
		if (strings.EqualFold(name, "my") || strings.EqualFold(name, "our")) && k == "team" {
			return frameFit{score: scoreShape, it: orgMyTeam{}}, true // "Who's in my team?"
		}
		return frameFit{score: scoreShape, it: orgUnitMembers{unit: name, kind: k}}, true
	}
	return frameFit{}, false
}

// "Who leads Engineering?", "Who's the head of Sales?".
func fitOrgLead(s string, _ []span, _ calendar) (frameFit, bool) {
	for _, c := range []cue{cueWhoLeads, cueWhoHead} {
		if rest, ok := opens(s, c); ok && strings.TrimSpace(rest) != "" {
			name, k := unitOf(rest)
			return frameFit{score: scoreNamed, it: orgLead{unit: name, kind: k}}, true
		}
	}
	return frameFit{}, false
}

// unitOf reads "the Sales team", "Engineering department", "Sales".
func unitOf(s string) (name, kind string) {
	s = strings.TrimSpace(s)
	toks := tokens(s)
	if len(toks) > 1 && cueUnitKind.matches(toks[0]) {
		kind, s = toks[0].norm, strings.TrimSpace(s[toks[0].end:])
	} else if len(toks) > 1 && cueUnitKind.matches(toks[len(toks)-1]) {
		kind, s = toks[len(toks)-1].norm, strings.TrimSpace(s[:toks[len(toks)-1].start])
	}
	if kind == "dept" {
		kind = "department"
	}
	return unquote(s), kind
}
