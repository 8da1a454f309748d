package local

import "fmt"

func (orgDepartments) needs() []string { return []string{"org_departments"} }

func (orgDepartments) run(r *runner) bool {
	res, ok := r.exec(mk("org_departments"))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not list the departments: %s.", res[0].err)
		return true
	}
	deps := res[0].data.list("departments")
	if len(deps) == 0 {
		r.say("There are no departments.")
		return true
	}
	r.say("%s: %s.", count(len(deps), kind{"department", "departments", ""}), namesOf(deps, unitWithLead, shownInReply))
	return true
}

func (t orgTeams) needs() []string {
	if t.department != "" {
		return []string{"org_departments", "org_teams"}
	}
	return []string{"org_teams"}
}

func (t orgTeams) run(r *runner) bool {
	where, depID := "", ""
	if t.department != "" {
		u, fl := r.oneUnit(t.department, "department")
		if fl != proceed {
			return cont(fl)
		}
		where, depID = " in the "+unitName(u.rec)+" department", u.id
	}
	res, ok := r.exec(mk("org_teams", "department_id", depID))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not list the teams: %s.", res[0].err)
		return true
	}
	teams := res[0].data.list("teams")
	if len(teams) == 0 {
		r.say("There are no teams%s.", where)
		return true
	}
	r.say("%s%s: %s.", count(len(teams), kind{"team", "teams", ""}), where, namesOf(teams, unitName, shownInReply))
	return true
}

func (orgMembers) needs() []string { return []string{"org_members"} }

func (orgMembers) run(r *runner) bool {
	res, ok := r.exec(mk("org_members", "limit", 100))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not list the members: %s.", res[0].err)
		return true
	}
	ms := res[0].data.list("members")
	if len(ms) == 0 {
		r.say("There are no members.")
		return true
	}
	reply := fmt.Sprintf("%s: %s.", count(len(ms), kMember), listOf(lines(ms, memberLine)))
	if res[0].data.str("next_cursor") != "" {
		reply += morePages
	}
	r.say("%s", reply)
	return true
}

func (u orgUnitMembers) needs() []string { return append(unitTools(u.kind), "org_members") }

func (u orgUnitMembers) run(r *runner) bool {
	var none func() flow
	if u.kind == "" {
		none = func() flow { return r.contactsIn(u.unit) }
	}
	unit, fl := r.oneUnitOr(u.unit, u.kind, none)
	if fl != proceed {
		return cont(fl)
	}
	members, fl := r.unitMembers(unit)
	if fl != proceed {
		return cont(fl)
	}
	name := "the " + unitName(unit.rec) + " " + unit.group
	if len(members) == 0 {
		r.say("%s has no members.", capFirst(name))
		return true
	}
	r.say("Members of %s: %s.", name, namesOf(members, memberName, shownInReply))
	return true
}

func (l orgLead) needs() []string { return append(unitTools(l.kind), "org_members") }

func (l orgLead) run(r *runner) bool {
	unit, fl := r.oneUnit(l.unit, l.kind)
	if fl != proceed {
		return cont(fl)
	}
	name := "the " + unitName(unit.rec) + " " + unit.group
	// The org tools return the lead as a person; older shapes only an id.
	if lead := unit.rec.sub("lead"); lead.str("name") != "" {
		r.say("%s leads %s.", memberLine(lead), name)
		return true
	}
	leadID := unit.rec.str("lead_id")
	if leadID == "" {
		leadID = unit.rec.sub("lead").str("id")
	}
	if leadID == "" {
		r.say("%s has no lead set.", capFirst(name))
		return true
	}
	members, fl := r.unitMembers(unit)
	if fl != proceed {
		return cont(fl)
	}
	for _, m := range members {
		if m.str("id") == leadID {
			r.say("%s leads %s.", memberLine(m), name)
			return true
		}
	}
	r.say("The lead of %s is the member with id %s.", name, leadID)
	return true
}

// unitTools are the tools that list units of a kind.
func unitTools(kindWord string) []string {
	switch kindWord {
	case "team":
		return []string{"org_teams"}
	case "department":
		return []string{"org_departments"}
	}
	return []string{"org_departments", "org_teams"}
}

// oneUnit finds the team or department a name means (kind "team",
// "department" or "" for either), asking when several match.
func (r *runner) oneUnit(name, kindWord string) (candidate, flow) {
	return r.oneUnitOr(name, kindWord, nil)
}

// oneUnitOr is oneUnit; when no unit has the name and none is set, none
// answers instead of "No team or department is named …".
func (r *runner) oneUnitOr(name, kindWord string, none func() flow) (candidate, flow) {
	var calls []call
	for _, t := range unitTools(kindWord) {
		calls = append(calls, mk(t))
	}
	res, ok := r.exec(calls...)
	if !ok {
		return candidate{}, halt
	}
	var all []candidate
	for _, x := range res {
		if x.failed() {
			return candidate{}, r.lookupFailed(quoted(name), x)
		}
		group, key := "department", "departments"
		if x.tool == "org_teams" {
			group, key = "team", "teams"
		}
		for _, u := range x.data.list(key) {
			all = append(all, candidate{rec: u, id: u.str("id"), name: unitName(u),
				label: unitName(u) + " (" + group + ")", keys: []string{group}, group: group})
		}
	}
	// The lists hold every unit: keep those the name matches exactly, or
	// failing that those holding all its words.
	f := fold(name)
	cands := filterCands(all, func(c candidate) bool { return fold(c.name) == f })
	if len(cands) == 0 {
		cands = filterCands(all, func(c candidate) bool { return containsWords(words(c.name), words(name)) })
	}
	noun := kUnit
	switch kindWord {
	case "team":
		noun = kind{"team", "teams", "the full name"}
	case "department":
		noun = kind{"department", "departments", "the full name"}
	}
	c, out := r.pick(noun, name, cands)
	switch out {
	case picked:
		return c, proceed
	case pickNone:
		if none != nil {
			return candidate{}, none()
		}
		r.say("No %s is named %q.", noun.one, name)
		return candidate{}, skip
	case pickCancelled, pickUnclear:
		r.say("OK, I stopped there.")
		return candidate{}, skip
	}
	return candidate{}, halt
}

// unitMembers lists a unit's members: from the team record when it
// carries them, else from org_members.
func (r *runner) unitMembers(u candidate) ([]obj, flow) {
	if u.group == "team" {
		if ms := u.rec.list("members"); len(ms) > 0 && ms[0].str("name") != "" {
			return ms, proceed
		}
	}
	arg := "department_id"
	if u.group == "team" {
		arg = "team_id"
	}
	res, ok := r.exec(mk("org_members", arg, u.id, "limit", 100))
	if !ok {
		return nil, halt
	}
	if res[0].failed() {
		return nil, r.lookupFailed("the members of "+unitName(u.rec), res[0])
	}
	return res[0].data.list("members"), proceed
}

func filterCands(cands []candidate, keep func(candidate) bool) []candidate {
	var out []candidate
	for _, c := range cands {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// unitWithLead is "Engineering (lead Ada Lovelace)" when the lead's name
// is known.
func unitWithLead(u obj) string {
	if n := u.sub("lead").str("name"); n != "" {
		return unitName(u) + " (lead " + n + ")"
	}
	return unitName(u)
}

// unitName is a team's or department's name.
func unitName(u obj) string {
	if s := u.str("name"); s != "" {
		return s
	}
	return u.str("id")
}

// contactsIn answers "Who is in Berlin?" when no team or department is
// named Berlin: the workspace's own names say whether it is a city or a
// company of its contacts, and those contacts are listed. A name that
// is neither (or both) gets "No team or department is named …".
func (r *runner) contactsIn(name string) flow {
	g, fl := r.lookup(name, nameCity, nameCompany)
	if fl != proceed {
		return fl
	}
	var f contactFilter
	switch {
	case g[nameCity] && !g[nameCompany]:
		f.city = name
	case g[nameCompany] && !g[nameCity]:
		f.company = name
	default:
		r.say("No %s is named %q.", kUnit.one, name)
		return skip
	}
	if !(contactFind{filter: f}).run(r) {
		return halt
	}
	return skip
}
