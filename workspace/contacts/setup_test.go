package contacts_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Callers of the fixture: two workspaces, an owner and a viewer in the
// first, an owner in the second, and a key narrowed to contacts:read.
var (
	owner  = workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner}
	viewer = workspace.Caller{WorkspaceID: "w1", MemberID: "m2", Role: workspace.Viewer}
	reader = workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner, KeyID: "k1", Scopes: []string{"contacts:read"}}
	other  = workspace.Caller{WorkspaceID: "w2", MemberID: "m3", Role: workspace.Owner}
)

var clock = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	db  *store.DB
	reg *workspace.Registry
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
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, []any{"m3", "w2", "Otto Other", "otto@other.test", "owner", int64(1)}},
	} {
		if _, err := db.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	reg := workspace.NewRegistry(db, func() time.Time { return clock })
	reg.Add(contacts.Tools()...)
	return &fixture{t: t, db: db, reg: reg}
}

// call runs a tool and returns its result and error.
func (f *fixture) call(c workspace.Caller, tool, args string) (workspace.Result, error) {
	return f.reg.Call(context.Background(), c, tool, json.RawMessage(args))
}

// must runs a tool that must succeed.
func (f *fixture) must(c workspace.Caller, tool, args string) workspace.Result {
	f.t.Helper()
	res, err := f.call(c, tool, args)
	if err != nil {
		f.t.Fatalf("%s %s: %v", tool, args, err)
	}
	return res
}

// contact decodes a single-contact result.
func (f *fixture) contact(res workspace.Result) contacts.Contact {
	f.t.Helper()
	var out struct{ Contact contacts.Contact }
	decode(f.t, res.Data, &out)
	return out.Contact
}

// page decodes a search result.
func (f *fixture) page(res workspace.Result) contacts.Page {
	f.t.Helper()
	var out contacts.Page
	decode(f.t, res.Data, &out)
	return out
}

// count returns the number of contacts in all workspaces.
func (f *fixture) count() int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRow(context.Background(), `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// decode round-trips v through JSON, as MCP clients and models see it.
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
