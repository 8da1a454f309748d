package tasks_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/tasks"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Callers of the fixture: two workspaces; in the first an owner, a viewer
// and a plain member, in the second an owner; a key narrowed to tasks:read.
var (
	owner  = workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner}
	viewer = workspace.Caller{WorkspaceID: "w1", MemberID: "m2", Role: workspace.Viewer}
	bob    = workspace.Caller{WorkspaceID: "w1", MemberID: "m4", Role: workspace.Member}
	reader = workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner, KeyID: "k1", Scopes: []string{"tasks:read", "contacts:*"}}
	other  = workspace.Caller{WorkspaceID: "w2", MemberID: "m3", Role: workspace.Owner}
)

var clock = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	db  *store.DB
	reg *workspace.Registry
	now time.Time
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, []any{"w1", "Acme", int64(1)}},
		{`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, []any{"w2", "Other", int64(1)}},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, []any{"m1", "w1", "Olivia Owner", "olivia@acme.test", "owner", int64(1)}},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, []any{"m2", "w1", "Victor Viewer", "victor@acme.test", "viewer", int64(1)}},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, []any{"m4", "w1", "Bob Builder", "bob@acme.test", "member", int64(1)}},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, []any{"m3", "w2", "Otto Other", "otto@other.test", "owner", int64(1)}},
	} {
		if _, err := db.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, db: db, now: clock}
	f.reg = workspace.NewRegistry(db, func() time.Time { return f.now })
	f.reg.Add(tasks.Tools()...)
	f.reg.Add(contacts.Tools()...)
	return f
}

// tick moves the fixture's clock on by a second.
func (f *fixture) tick() { f.now = f.now.Add(time.Second) }

func (f *fixture) call(c workspace.Caller, tool, args string) (workspace.Result, error) {
	return f.reg.Call(context.Background(), c, tool, json.RawMessage(args))
}

func (f *fixture) must(c workspace.Caller, tool, args string) workspace.Result {
	f.t.Helper()
	res, err := f.call(c, tool, args)
	if err != nil {
		f.t.Fatalf("%s %s: %v", tool, args, err)
	}
	return res
}

// task decodes a single-task result.
func (f *fixture) task(res workspace.Result) tasks.Task {
	f.t.Helper()
	var out struct{ Task tasks.Task }
	decode(f.t, res.Data, &out)
	return out.Task
}

// contactID creates a contact through the contacts tool and returns its id.
func (f *fixture) contactID(c workspace.Caller, name string) string {
	f.t.Helper()
	var out struct{ Contact contacts.Contact }
	decode(f.t, f.must(c, "contacts_create", `{"name":"`+name+`"}`).Data, &out)
	return out.Contact.ID
}

// count returns the number of tasks in all workspaces.
func (f *fixture) count() int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(context.Background(), `SELECT count(*) FROM tasks`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func decode(t *testing.T, v, into any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
