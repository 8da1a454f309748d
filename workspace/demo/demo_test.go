package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace/demo"
)

// Seed writes the workspace its doc describes, on both databases.
func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
		var s demo.Seeded
		var ws string
		err := db.InTx(ctx, func(tx store.Tx) error {
			w, err := access.CreateWorkspace(ctx, tx, "Demo Workspace", now)
			if err != nil {
				return err
			}
			ws = w.ID
			owner, err := access.AddMember(ctx, tx, ws, demo.Owner.Name, demo.Owner.Email, demo.Owner.Role, now)
			if err != nil {
				return err
			}
			s, err = demo.Seed(ctx, tx, ws, owner.ID, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Members) != 1+len(demo.Members) || len(s.Contacts) != len(demo.Contacts) || s.Folders["Reports"] == "" || s.Folders["Contracts"] == "" {
			t.Fatalf("seeded %+v", s)
		}
		lines := func(q string, args ...any) string {
			t.Helper()
			rows, err := db.Query(ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var a, b string
				if err := rows.Scan(&a, &b); err != nil {
					t.Fatal(err)
				}
				out = append(out, a+"="+b)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return strings.Join(out, "; ")
		}
		for _, c := range []struct{ what, got, want string }{
			{"members", lines(`SELECT name, role FROM members WHERE workspace_id = ? ORDER BY name`, ws),
				"Alice Owner=owner; Maria Garcia=admin; Sam Lee=member; Tom Baker=member; Vera Viewer=viewer"},
			{"teams", lines(`SELECT t.name, m.name FROM teams t JOIN team_members tm ON tm.team_id = t.id JOIN members m ON m.id = tm.member_id
				WHERE t.workspace_id = ? ORDER BY t.name, m.name`, ws),
				"Platform=Alice Owner; Platform=Sam Lee; Platform=Vera Viewer; Sales EMEA=Maria Garcia; Sales EMEA=Tom Baker"},
			{"team leads", lines(`SELECT t.name, m.name FROM teams t JOIN members m ON m.id = t.lead_member_id WHERE t.workspace_id = ? ORDER BY t.name`, ws),
				"Platform=Alice Owner; Sales EMEA=Maria Garcia"},
			{"contacts", lines(`SELECT name, company FROM contacts WHERE workspace_id = ? ORDER BY name`, ws),
				"Emma Schultz=Hooli; John Smith=Globex; Kenji Tanaka=Globex; Luis Fernández=Umbrella; Priya Patel=Initech"},
			{"tasks", lines(`SELECT title, due FROM tasks WHERE workspace_id = ? ORDER BY title`, ws),
				"Call Priya about the pilot=2026-03-02; Prepare the Q1 report=; Send John the renewal offer=2026-03-11"},
			{"files", lines(`SELECT f.name, COALESCE(p.name, '/') FROM files f LEFT JOIN files p ON p.id = f.parent_id WHERE f.workspace_id = ? ORDER BY f.name`, ws),
				"Contracts=/; Onboarding pack.txt=/; Q1 report.txt=/; Q4 summary.txt=Reports; Reports=/"},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s\nwant %s", c.what, c.got, c.want)
			}
		}
	})
}
