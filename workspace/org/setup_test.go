package org_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/org"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Callers of the fixture: an owner and a viewer of w1, an owner of w2, and
// a key of w1 narrowed to contacts:read.
var (
	owner  = workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner}
	viewer = workspace.Caller{WorkspaceID: "w1", MemberID: "m2", Role: workspace.Viewer}
	other  = workspace.Caller{WorkspaceID: "w2", MemberID: "m3", Role: workspace.Owner}
	narrow = workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner, KeyID: "k1", Scopes: []string{"contacts:read"}}
)

type fixture struct {
	t   *testing.T
	db  *store.DB
	reg *workspace.Registry
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ('w1', 'Acme', 1), ('w2', 'Other', 1)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range [][4]string{
		{"m1", "w1", "Olivia Owner", "owner"},
		{"m2", "w1", "Victor Viewer", "viewer"},
		{"m4", "w1", "Bob Builder", "member"},
		{"m5", "w1", "Carol Coder", "admin"},
		{"m3", "w2", "Otto Other", "owner"},
	} {
		if _, err := db.Exec(ctx, `INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, 1)`,
			m[0], m[1], m[2], m[0]+"@example.test", m[3]); err != nil {
			t.Fatal(err)
		}
	}
	reg := workspace.NewRegistry(db, func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) })
	reg.Add(org.Tools()...)
	return &fixture{t: t, db: db, reg: reg}
}

// chart is the org chart seeded by seed.
type chart struct {
	sales, eng, theirDept      org.Department
	backend, frontend, theirTm org.Team
}

// seed builds: Engineering (lead Carol) with Backend (lead Carol, + Bob)
// and Frontend (Bob, Olivia); Sales (no lead, no teams); and in w2 one
// department with one team.
func (f *fixture) seed() chart {
	f.t.Helper()
	var c chart
	ctx := context.Background()
	err := f.db.InTx(ctx, func(tx store.Tx) error {
		var err error
		must := func(e error) {
			if err == nil {
				err = e
			}
		}
		var e error
		c.eng, e = org.CreateDepartment(ctx, tx, "w1", "Engineering", "m5")
		must(e)
		c.sales, e = org.CreateDepartment(ctx, tx, "w1", "Sales", "")
		must(e)
		c.backend, e = org.CreateTeam(ctx, tx, "w1", c.eng.ID, "Backend", "m5")
		must(e)
		c.frontend, e = org.CreateTeam(ctx, tx, "w1", c.eng.ID, "Frontend", "")
		must(e)
		must(org.AddToTeam(ctx, tx, "w1", c.backend.ID, "m4"))
		must(org.AddToTeam(ctx, tx, "w1", c.frontend.ID, "m4"))
		must(org.AddToTeam(ctx, tx, "w1", c.frontend.ID, "m1"))
		must(org.AddToTeam(ctx, tx, "w1", c.frontend.ID, "m1")) // twice is fine
		c.theirDept, e = org.CreateDepartment(ctx, tx, "w2", "Secret Dept", "m3")
		must(e)
		c.theirTm, e = org.CreateTeam(ctx, tx, "w2", c.theirDept.ID, "Secret Team", "m3")
		must(e)
		return err
	})
	if err != nil {
		f.t.Fatalf("seed: %v", err)
	}
	return c
}

func (f *fixture) call(c workspace.Caller, tool, args string) (workspace.Result, error) {
	return f.reg.Call(context.Background(), c, tool, json.RawMessage(args))
}

// get runs a tool that must succeed and decodes its data into v.
func (f *fixture) get(c workspace.Caller, tool, args string, v any) {
	f.t.Helper()
	res, err := f.call(c, tool, args)
	if err != nil {
		f.t.Fatalf("%s %s: %v", tool, args, err)
	}
	b, err := json.Marshal(res.Data)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		f.t.Fatalf("decode %s: %v", b, err)
	}
}
