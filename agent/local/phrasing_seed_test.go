package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/demo"
	"github.com/soisnode/soisnode/workspace/email"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// newDemoWS is the demo workspace (workspace/demo's members, org chart,
// contacts and tasks; fixed member ids m1…m5, its own short files): the
// caller Alice Owner, members Maria Garcia, Tom Baker, Sam Lee and Vera
// Viewer; departments Sales and Engineering with the teams Sales EMEA
// and Platform; five contacts; the demo's three tasks (one overdue);
// the files Q1 report.txt and Onboarding pack.txt at the root and the
// folders Reports (holding Q4 summary.txt) and Contracts.
func newDemoWS(t testing.TB) *realWS { return seedWS(t, false) }

// newCorpusWS is the demo workspace plus what the corpus needs: two
// contacts named Chris and two named Dan (ambiguous first names), Rita
// Moreno whose notes hold an injection, the text file Pricing.txt and the
// task "Renew the Hooli contract" (Maria, due 2026-03-20).
func newCorpusWS(t testing.TB) *realWS { return seedWS(t, true) }

// seedWS opens a copy of the seeded workspace: it is built once per
// process (seedInto, on a migrated SQLite file) and copied for each
// test, which is much faster than migrating and seeding every time.
func seedWS(t testing.TB, corpus bool) *realWS {
	t.Helper()
	src := seedTemplate(t, corpus)
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if err != nil {
			if suffix != "" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			t.Fatalf("copy the seeded workspace: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "sois.db"+suffix), b, 0o600); err != nil {
			t.Fatalf("copy the seeded workspace: %v", err)
		}
	}
	db, err := store.Open(context.Background(), "sqlite://"+filepath.Join(dir, "sois.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return toolsFor(t, db, workspace.Caller{WorkspaceID: "w1", MemberID: "m1", Role: workspace.Owner}, &files.Service{Now: time.Now})
}

// seedTemplates are the seeded workspace files, built once per process
// (removed by TestMain).
var seedTemplates = struct {
	sync.Mutex
	dir   string
	paths map[bool]string
}{paths: map[bool]string{}}

func seedTemplate(t testing.TB, corpus bool) string {
	t.Helper()
	seedTemplates.Lock()
	defer seedTemplates.Unlock()
	if p, ok := seedTemplates.paths[corpus]; ok {
		return p
	}
	if seedTemplates.dir == "" {
		dir, err := os.MkdirTemp("", "soislocal")
		if err != nil {
			t.Fatal(err)
		}
		seedTemplates.dir = dir
	}
	p := filepath.Join(seedTemplates.dir, fmt.Sprintf("seed-%v.db", corpus))
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+p)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seedInto(t, db, corpus)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	seedTemplates.paths[corpus] = p
	return p
}

// TestMain removes the seeded workspace files after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if seedTemplates.dir != "" {
		_ = os.RemoveAll(seedTemplates.dir)
	}
	os.Exit(code)
}

// seedInto seeds db (migrated, empty) with the demo workspace, and with
// corpus, what the corpus needs too.
func seedInto(t testing.TB, db *store.DB, corpus bool) {
	t.Helper()
	ctx := context.Background()
	var err error
	const ws = "w1"
	people := map[string]string{"alice": "m1", "maria": "m2", "tom": "m3", "sam": "m4", "vera": "m5"}
	if _, err := db.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, ws, "Demo Workspace", int64(1)); err != nil {
		t.Fatal(err)
	}
	// The demo's members (workspace/demo), with fixed ids the corpus names.
	for _, p := range append([]demo.Person{demo.Owner}, demo.Members...) {
		if _, err := db.Exec(ctx, `INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			people[p.Key], ws, p.Name, p.Email, string(p.Role), int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	caller := workspace.Caller{WorkspaceID: ws, MemberID: "m1", Role: workspace.Owner}
	now, _ := time.Parse(time.DateOnly, testToday)
	fs := &files.Service{Now: time.Now}
	err = db.InTx(ctx, func(tx store.Tx) error {
		if err := demo.SeedOrg(ctx, tx, ws, people); err != nil {
			return err
		}
		contactIDs := map[string]string{}
		for _, f := range demo.Contacts {
			ct, err := contacts.Create(ctx, tx, ws, caller.MemberID, f, now)
			if err != nil {
				return err
			}
			contactIDs[f.Name] = ct.ID
		}
		if corpus {
			if err := seedCorpusExtras(ctx, tx, fs, caller, now, people["maria"]); err != nil {
				return err
			}
		}
		if err := demo.SeedTasks(ctx, tx, ws, caller.MemberID, people, contactIDs, now); err != nil {
			return err
		}
		if _, err := fs.Put(ctx, tx, caller, "", "Q1 report.txt", "text/plain", strings.NewReader("Q1 report\n")); err != nil {
			return err
		}
		_, err = fs.Put(ctx, tx, caller, "", "Onboarding pack.txt", "text/plain", strings.NewReader("Welcome!\n"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := toolsFor(t, db, caller, fs).reg
	var reports struct {
		File struct{ ID string } `json:"file"`
	}
	for _, name := range []string{"Reports", "Contracts"} {
		res, err := reg.Call(ctx, caller, "files_create_folder", json.RawMessage(`{"name":"`+name+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		if name == "Reports" {
			b, _ := json.Marshal(res.Data)
			_ = json.Unmarshal(b, &reports)
		}
	}
	err = db.InTx(ctx, func(tx store.Tx) error {
		_, err := fs.Put(ctx, tx, caller, reports.File.ID, "Q4 summary.txt", "text/plain", strings.NewReader("Q4\n"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// toolsFor gives the agent the real tools on db, as the caller.
func toolsFor(t testing.TB, db *store.DB, caller workspace.Caller, fs *files.Service) *realWS {
	t.Helper()
	ctx := context.Background()
	reg := workspace.NewRegistry(db, time.Now)
	reg.Add(contacts.Tools()...)
	reg.Add(tasks.Tools()...)
	reg.Add(org.Tools()...)
	reg.Add(fs.Tools()...)
	reg.Add(email.New(email.Config{}).Tools()...)
	reg.Add(stubExtensionsList())
	w := &realWS{t: t, reg: reg, caller: caller}
	decls, err := reg.List(ctx, caller)
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range decls {
		w.req.Tools = append(w.req.Tools, agent.ToolDecl{Name: tl.Name, Description: tl.Description, Schema: tl.Schema})
	}
	w.req.Tools = append(w.req.Tools, agent.AskToolDecl)
	w.req.System = "Today is " + testToday + "."
	return w
}

// stubExtensionsList stands in for the extensions package's tool: one
// extension, "crm-sync", version 1.2.0, with two tools.
func stubExtensionsList() workspace.Tool {
	return workspace.Tool{
		Name: "extensions_list", Description: "List installed extensions.",
		Schema: json.RawMessage(`{"type":"object","properties":{}}`),
		Scope:  "extensions:read", Effect: workspace.Read,
		Run: func(context.Context, workspace.Env, json.RawMessage) (workspace.Result, error) {
			return workspace.Result{Data: map[string]any{"extensions": []map[string]any{
				{"name": "crm-sync", "version": "1.2.0", "tools": []string{"ext_crm_sync_pull", "ext_crm_sync_push"}},
			}}}, nil
		},
	}
}
