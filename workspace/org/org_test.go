package org_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/org"
)

func TestBuildChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.seed()
		ctx := context.Background()
		for _, tt := range []struct {
			name string
			fn   func(tx store.Tx) error
			kind errs.Kind
			msg  string
		}{
			{"duplicate department", func(tx store.Tx) error {
				_, err := org.CreateDepartment(ctx, tx, "w1", " engineering ", "")
				return err
			}, errs.Conflict, "a department named engineering already exists (" + c.eng.ID + ")"},
			{"duplicate team", func(tx store.Tx) error {
				_, err := org.CreateTeam(ctx, tx, "w1", c.eng.ID, "BACKEND", "")
				return err
			}, errs.Conflict, "a team named BACKEND already exists there (" + c.backend.ID + ")"},
			{"empty name", func(tx store.Tx) error { _, err := org.CreateDepartment(ctx, tx, "w1", " ", ""); return err }, errs.Invalid, "department name is required"},
			{"control name", func(tx store.Tx) error { _, err := org.CreateTeam(ctx, tx, "w1", "", "Ops\x1b", ""); return err }, errs.Invalid, "team name must not contain control characters"},
			{"long name", func(tx store.Tx) error {
				_, err := org.CreateDepartment(ctx, tx, "w1", strings.Repeat("d", 201), "")
				return err
			}, errs.Invalid, "department name is too long (201 characters, at most 200)"},
			{"lead of other workspace", func(tx store.Tx) error { _, err := org.CreateDepartment(ctx, tx, "w1", "Ops", "m3"); return err }, errs.NotFound, "no member with id m3"},
			{"department of other workspace", func(tx store.Tx) error {
				_, err := org.CreateTeam(ctx, tx, "w1", c.theirDept.ID, "Ops", "")
				return err
			}, errs.NotFound, "no department with id " + c.theirDept.ID},
			{"team of other workspace", func(tx store.Tx) error { return org.AddToTeam(ctx, tx, "w1", c.theirTm.ID, "m1") }, errs.NotFound, "no team with id " + c.theirTm.ID},
			{"member of other workspace", func(tx store.Tx) error { return org.AddToTeam(ctx, tx, "w1", c.backend.ID, "m3") }, errs.NotFound, "no member with id m3"},
			{"no member", func(tx store.Tx) error { return org.AddToTeam(ctx, tx, "w1", c.backend.ID, "") }, errs.Invalid, "member_id is required"},
		} {
			err := db.InTx(ctx, tt.fn)
			if !errs.Is(err, tt.kind) || errs.Message(err) != tt.msg {
				t.Errorf("%s: err = %v, want %v %q", tt.name, err, tt.kind, tt.msg)
			}
		}
		// The same team name in another department, or outside any, is fine.
		err := db.InTx(ctx, func(tx store.Tx) error {
			if _, err := org.CreateTeam(ctx, tx, "w1", c.sales.ID, "Backend", ""); err != nil {
				return err
			}
			_, err := org.CreateTeam(ctx, tx, "w1", "", "Backend", "m1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestDepartments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.seed()
		var out struct{ Departments []org.Department }
		f.get(viewer, "org_departments", `{}`, &out)
		ds := out.Departments
		if len(ds) != 2 || ds[0].Name != "Engineering" || ds[1].Name != "Sales" {
			t.Fatalf("departments = %+v", ds)
		}
		if ds[0].Lead == nil || ds[0].Lead.ID != "m5" || ds[0].Lead.Role != workspace.Admin || ds[0].Lead.Email != "m5@example.test" || ds[1].Lead != nil {
			t.Fatalf("leads = %+v / %+v", ds[0].Lead, ds[1].Lead)
		}
		if len(ds[0].Teams) != 2 || ds[0].Teams[0].ID != c.backend.ID || ds[0].Teams[1].Name != "Frontend" || ds[1].Teams == nil || len(ds[1].Teams) != 0 {
			t.Fatalf("teams = %+v / %+v", ds[0].Teams, ds[1].Teams)
		}
		// Raw JSON: a missing lead is null, empty team lists are [].
		res, _ := f.call(owner, "org_departments", ``)
		b, _ := json.Marshal(res.Data)
		if !strings.Contains(string(b), `"name":"Sales","lead":null,"teams":[]`) {
			t.Fatalf("json = %s", b)
		}
		f.get(other, "org_departments", `{}`, &out)
		if len(out.Departments) != 1 || out.Departments[0].Name != "Secret Dept" {
			t.Fatalf("w2 departments = %+v", out.Departments)
		}
	})
}

func TestTeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.seed()
		teams := func(caller workspace.Caller, args string) []org.Team {
			t.Helper()
			var out struct{ Teams []org.Team }
			f.get(caller, "org_teams", args, &out)
			return out.Teams
		}
		all := teams(owner, `{}`)
		if len(all) != 2 || all[0].Name != "Backend" || all[1].Name != "Frontend" {
			t.Fatalf("teams = %+v", all)
		}
		be, fe := all[0], all[1]
		if be.Lead == nil || be.Lead.Name != "Carol Coder" || be.DepartmentID != c.eng.ID || be.DepartmentName != "Engineering" || names(be.Members) != "Bob Builder,Carol Coder" {
			t.Fatalf("backend = %+v", be)
		}
		if fe.Lead != nil || names(fe.Members) != "Bob Builder,Olivia Owner" || fe.Members[1].Role != workspace.Owner {
			t.Fatalf("frontend = %+v", fe)
		}
		for _, tt := range []struct{ args, want string }{
			{`{"department_id":"` + c.eng.ID + `"}`, "Backend,Frontend"},
			{`{"department_id":"` + c.sales.ID + `"}`, ""},
			{`{"member_id":"m1"}`, "Frontend"},
			{`{"member_id":"me"}`, "Frontend"},
			{`{"member_id":"m5","department_id":"` + c.eng.ID + `"}`, "Backend"},
			{`{"member_id":"m2"}`, ""},
		} {
			var got []string
			for _, tm := range teams(owner, tt.args) {
				got = append(got, tm.Name)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("org_teams %s = %v, want %q", tt.args, got, tt.want)
			}
		}
	})
}

func TestMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.seed()
		members := func(args string) org.MemberPage {
			t.Helper()
			var out org.MemberPage
			f.get(viewer, "org_members", args, &out)
			return out
		}
		p := members(`{}`)
		if names2(p.Members) != "Bob Builder,Carol Coder,Olivia Owner,Victor Viewer" || p.NextCursor != "" {
			t.Fatalf("members = %+v", p)
		}
		bob := p.Members[0]
		if bob.ID != "m4" || bob.Role != workspace.Member || bob.Email != "m4@example.test" || len(bob.Teams) != 2 ||
			bob.Teams[0].Name != "Backend" || bob.Teams[1].DepartmentName != "Engineering" || p.Members[3].Teams == nil {
			t.Fatalf("bob = %+v", bob)
		}
		for _, tt := range []struct{ args, want string }{
			{`{"query":"carol"}`, "Carol Coder"},
			{`{"query":"m1@EXAMPLE"}`, "Olivia Owner"},
			{`{"query":"o o"}`, "Bob Builder,Carol Coder,Olivia Owner,Victor Viewer"},
			{`{"query":"%"}`, ""},
			{`{"team_id":"` + c.frontend.ID + `"}`, "Bob Builder,Olivia Owner"},
			{`{"department_id":"` + c.eng.ID + `"}`, "Bob Builder,Carol Coder,Olivia Owner"},
			{`{"department_id":"` + c.sales.ID + `"}`, ""},
			{`{"team_id":"` + c.backend.ID + `","query":"bob"}`, "Bob Builder"},
		} {
			if got := names2(members(tt.args).Members); got != tt.want {
				t.Errorf("org_members %s = %q, want %q", tt.args, got, tt.want)
			}
		}
		// Paging: two pages of two, nothing repeated.
		p1 := members(`{"limit":2}`)
		p2 := members(`{"limit":2,"cursor":"` + p1.NextCursor + `"}`)
		if names2(p1.Members) != "Bob Builder,Carol Coder" || names2(p2.Members) != "Olivia Owner,Victor Viewer" || p1.NextCursor == "" || p2.NextCursor != "" {
			t.Fatalf("pages %+v / %+v", p1, p2)
		}
	})
}

func TestOtherWorkspaceAndBadArgs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := f.seed()
		for _, tt := range []struct {
			tool, args string
			kind       errs.Kind
			msg        string
		}{
			{"org_teams", `{"department_id":"` + c.theirDept.ID + `"}`, errs.NotFound, "no department with id " + c.theirDept.ID},
			{"org_teams", `{"member_id":"m3"}`, errs.NotFound, "no member with id m3"},
			{"org_members", `{"team_id":"` + c.theirTm.ID + `"}`, errs.NotFound, "no team with id " + c.theirTm.ID},
			{"org_members", `{"department_id":"` + c.theirDept.ID + `"}`, errs.NotFound, "no department with id " + c.theirDept.ID},
			{"org_members", `{"team_id":"nope"}`, errs.NotFound, "no team with id nope"},
			{"org_departments", `{"x":1}`, errs.Invalid, ""},
			{"org_teams", `{"team_id":"x"}`, errs.Invalid, ""},
			{"org_members", `{"limit":0}`, errs.Invalid, ""},
			{"org_members", `{"cursor":"***"}`, errs.Invalid, ""},
			{"org_members", `{"query":"a\u0000"}`, errs.Invalid, "query must not contain control characters"},
		} {
			_, err := f.call(owner, tt.tool, tt.args)
			if !errs.Is(err, tt.kind) || tt.msg != "" && errs.Message(err) != tt.msg {
				t.Errorf("%s %s: err = %v, want %v %q", tt.tool, tt.args, err, tt.kind, tt.msg)
			}
		}
		var out org.MemberPage
		f.get(other, "org_members", `{}`, &out)
		if names2(out.Members) != "Otto Other" || len(out.Members[0].Teams) != 1 {
			t.Fatalf("w2 members = %+v", out.Members)
		}
	})
}

func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		for _, tool := range []string{"org_departments", "org_teams", "org_members"} {
			if _, err := f.reg.Lookup(ctx, narrow, tool); !errs.Is(err, errs.Forbidden) {
				t.Errorf("Lookup(contacts:read key, %s) = %v, want Forbidden", tool, err)
			}
			if _, err := f.reg.Lookup(ctx, viewer, tool); err != nil {
				t.Errorf("viewer may read %s: %v", tool, err)
			}
		}
		orgKey := narrow
		orgKey.Scopes = []string{"org:read"}
		if tools, _ := f.reg.List(ctx, orgKey); len(tools) != 3 {
			t.Fatalf("org:read key sees %d tools, want 3", len(tools))
		}
	})
}

func names(ps []org.Person) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, ",")
}

func names2(ms []org.Member) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return strings.Join(out, ",")
}
