package cli

import (
	"context"
	"strings"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// demoContacts are the sample contacts of a demo workspace.
var demoContacts = []contacts.Fields{
	{Name: "John Smith", Email: "john.smith@globex.example", Company: "Globex", Title: "Head of Procurement", City: "London", Tags: []string{"customer"}},
	{Name: "Priya Patel", Email: "priya@initech.example", Company: "Initech", Title: "CTO", City: "London", Tags: []string{"prospect", "vip"}},
	{Name: "Luis Fernández", Email: "luis@umbrella.example", Company: "Umbrella", Title: "Operations Manager", City: "Madrid"},
	{Name: "Emma Schultz", Email: "emma@hooli.example", Company: "Hooli", Title: "Buyer", City: "Berlin", Tags: []string{"customer"}},
	{Name: "Kenji Tanaka", Email: "kenji@globex.example", Company: "Globex", Title: "Engineer", City: "Tokyo"},
}

// seedDemo fills a demo workspace with members, an org chart, contacts,
// tasks and files, in one transaction.
func seedDemo(ctx context.Context, e *Env, db *store.DB, c Credentials) error {
	now := e.Now()
	return db.InTx(ctx, func(tx store.Tx) error {
		ws := c.WorkspaceID
		people := map[string]string{"alice": c.MemberID}
		for _, p := range []struct {
			key, name, email string
			role             workspace.Role
		}{
			{"maria", "Maria Garcia", "maria@example.com", workspace.Admin},
			{"tom", "Tom Baker", "tom@example.com", workspace.Member},
			{"sam", "Sam Lee", "sam@example.com", workspace.Member},
			{"vera", "Vera Viewer", "vera@example.com", workspace.Viewer},
		} {
			m, err := access.AddMember(ctx, tx, ws, p.name, p.email, p.role, now)
			if err != nil {
				return err
			}
			people[p.key] = m.ID
		}
		sales, err := org.CreateDepartment(ctx, tx, ws, "Sales", people["maria"])
		if err != nil {
			return err
		}
		eng, err := org.CreateDepartment(ctx, tx, ws, "Engineering", people["alice"])
		if err != nil {
			return err
		}
		for _, t := range []struct {
			dept, name, lead string
			members          []string
		}{
			{sales.ID, "Sales EMEA", "maria", []string{"tom"}},
			{eng.ID, "Platform", "alice", []string{"sam", "vera"}},
		} {
			team, err := org.CreateTeam(ctx, tx, ws, t.dept, t.name, people[t.lead])
			if err != nil {
				return err
			}
			for _, m := range t.members {
				if err := org.AddToTeam(ctx, tx, ws, team.ID, people[m]); err != nil {
					return err
				}
			}
		}
		var john string
		for _, f := range demoContacts {
			ct, err := contacts.Create(ctx, tx, ws, c.MemberID, f, now)
			if err != nil {
				return err
			}
			if f.Name == "John Smith" {
				john = ct.ID
			}
		}
		if _, err := tasks.Create(ctx, tx, ws, c.MemberID, tasks.New{Title: "Send John the renewal offer", AssigneeID: people["tom"], ContactID: john, Due: now.AddDate(0, 0, 7).Format("2006-01-02")}, now); err != nil {
			return err
		}
		if _, err := tasks.Create(ctx, tx, ws, c.MemberID, tasks.New{Title: "Prepare the Q1 report", AssigneeID: people["maria"]}, now); err != nil {
			return err
		}
		owner := workspace.Caller{WorkspaceID: ws, MemberID: c.MemberID, Role: workspace.Owner}
		fs := &files.Service{Now: e.Now}
		if _, err := fs.Put(ctx, tx, owner, "", "Q1 report.txt", "text/plain",
			strings.NewReader("Q1 report\n\nRevenue grew 12% quarter on quarter. Globex renewed; Initech is in trial.\n")); err != nil {
			return err
		}
		_, err = fs.Put(ctx, tx, owner, "", "Onboarding pack.txt", "text/plain",
			strings.NewReader("Welcome! This pack explains how we work together.\n"))
		return err
	})
}
