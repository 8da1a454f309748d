package local

import (
	"fmt"
	"strings"
)

// Org chart questions about one member: their teams, departments and
// leads, and the caller's own team.

func (m orgMemberTeams) needs() []string {
	if m.member == me {
		return []string{"org_teams"}
	}
	return []string{"org_members", "org_teams"}
}

func (m orgMemberTeams) run(r *runner) bool {
	member, teams, fl := r.memberTeams(m.member)
	if fl != proceed {
		return cont(fl)
	}
	who, is := memberName(member), "is"
	if m.member == me {
		who, is = "You", "are"
	}
	if m.departments {
		r.say("%s", inDepartments(who, is, teams))
		return true
	}
	switch len(teams) {
	case 0:
		r.say("%s %s not in any team.", who, is)
	case 1:
		r.say("%s %s in the %s team.", who, is, unitName(teams[0]))
	default:
		r.say("%s %s in %d teams: %s.", who, is, len(teams), namesOf(teams, unitName, shownInReply))
	}
	return true
}

// inDepartments says which departments a member's teams belong to:
// "Tom Baker is in the Sales department (team Sales EMEA)."
func inDepartments(who, is string, teams []obj) string {
	var order []string
	byDept := map[string][]string{}
	for _, t := range teams {
		d := t.str("department_name")
		if d == "" {
			d = "no department"
		}
		if _, ok := byDept[d]; !ok {
			order = append(order, d)
		}
		byDept[d] = append(byDept[d], unitName(t))
	}
	parts := make([]string, len(order))
	for i, d := range order {
		noun := "team"
		if len(byDept[d]) > 1 {
			noun = "teams"
		}
		parts[i] = fmt.Sprintf("%s (%s %s)", d, noun, strings.Join(byDept[d], ", "))
	}
	switch len(parts) {
	case 0:
		return fmt.Sprintf("%s %s not in any team, so in no department.", who, is)
	case 1:
		return fmt.Sprintf("%s %s in the %s department%s.", who, is, order[0], strings.TrimPrefix(parts[0], order[0]))
	}
	return fmt.Sprintf("%s %s in %d departments: %s.", who, is, len(parts), strings.Join(parts, "; "))
}

func (m orgMemberLead) needs() []string { return orgMemberTeams{member: m.member}.needs() }

func (m orgMemberLead) run(r *runner) bool {
	member, teams, fl := r.memberTeams(m.member)
	if fl != proceed {
		return cont(fl)
	}
	who := memberName(member)
	if m.member == me {
		who = "You"
	}
	if len(teams) == 0 {
		r.say("%s %s not in any team, so I can't tell who leads them.", who, map[bool]string{true: "are", false: "is"}[m.member == me])
		return true
	}
	var out []string
	for _, t := range teams {
		lead := t.sub("lead")
		switch {
		case lead.str("name") == "":
			out = append(out, fmt.Sprintf("The %s team has no lead set.", unitName(t)))
		case lead.str("id") == member.str("id"):
			out = append(out, fmt.Sprintf("%s leads the %s team.", who, unitName(t)))
		default:
			out = append(out, fmt.Sprintf("%s leads the %s team.", memberLine(lead), unitName(t)))
		}
	}
	r.say("%s", strings.Join(out, " "))
	return true
}

// memberTeams finds a member and the teams they are in.
func (r *runner) memberTeams(ref string) (obj, []obj, flow) {
	member, fl := r.oneMember(ref, "")
	if fl != proceed {
		return nil, nil, fl
	}
	res, ok := r.exec(mk("org_teams", "member_id", member.str("id")))
	if !ok {
		return nil, nil, halt
	}
	if res[0].failed() {
		r.say("Could not list the teams of %s: %s.", memberName(member), res[0].err)
		return nil, nil, skip
	}
	return member, res[0].data.list("teams"), proceed
}

func (orgMyTeam) needs() []string { return []string{"org_teams", "org_members"} }

func (orgMyTeam) run(r *runner) bool {
	_, teams, fl := r.memberTeams(me)
	if fl != proceed {
		return cont(fl)
	}
	if len(teams) == 0 {
		r.say("You are not in any team.")
		return true
	}
	cands := make([]candidate, len(teams))
	for i, t := range teams {
		cands[i] = candidate{rec: t, id: t.str("id"), name: unitName(t), label: unitName(t), keys: []string{"team"}, group: "team"}
	}
	team, fl := r.resolveOne(kind{"team", "teams", "the full name"}, "your team", cands, "")
	if fl != proceed {
		return cont(fl)
	}
	unit := candidate{rec: team, id: team.str("id"), group: "team"}
	members, fl := r.unitMembers(unit)
	if fl != proceed {
		return cont(fl)
	}
	r.say("Members of the %s team: %s.", unitName(team), namesOf(members, memberName, shownInReply))
	return true
}

func (m orgMemberReports) needs() []string { return []string{"org_members", "org_teams"} }

// run answers with the members of the teams the member leads (the lead
// left out), team by team.
func (m orgMemberReports) run(r *runner) bool {
	member, fl := r.oneMember(m.member, "")
	if fl != proceed {
		return cont(fl)
	}
	res, ok := r.exec(mk("org_teams"))
	if !ok {
		return false
	}
	if res[0].failed() {
		return cont(r.lookupFailed("the teams", res[0]))
	}
	who, id := memberName(member), member.str("id")
	if m.member == me {
		who = "You"
	}
	var out []string
	for _, t := range res[0].data.list("teams") {
		if t.sub("lead").str("id") != id && t.str("lead_id") != id {
			continue
		}
		members, fl := r.unitMembers(candidate{rec: t, id: t.str("id"), group: "team"})
		if fl != proceed {
			return cont(fl)
		}
		var names []string
		for _, p := range members {
			if p.str("id") != id {
				names = append(names, memberName(p))
			}
		}
		if len(names) == 0 {
			out = append(out, fmt.Sprintf("%s leads the %s team, which has no other members.", who, unitName(t)))
			continue
		}
		out = append(out, fmt.Sprintf("%s leads the %s team: %s.", who, unitName(t), strings.Join(names, ", ")))
	}
	if len(out) == 0 {
		r.say("%s %s no team, so nobody reports to %s in the org chart.", who, map[bool]string{true: "lead", false: "leads"}[m.member == me], map[bool]string{true: "you", false: "them"}[m.member == me])
		return true
	}
	r.say("%s", strings.Join(out, " "))
	return true
}
