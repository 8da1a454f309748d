// Package demo is the sample workspace: the members, org chart, contacts,
// tasks, files and folders that `soisnode demo` serves and that tests
// wanting a realistic workspace seed (one copy, so the demo and the tests
// that describe it cannot drift apart). docs/local-agent.md's examples
// are phrased against it.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
	"github.com/soisnode/soisnode/workspace/contacts"
	"github.com/soisnode/soisnode/workspace/files"
	"github.com/soisnode/soisnode/workspace/org"
	"github.com/soisnode/soisnode/workspace/tasks"
)

// Owner is the demo workspace's owner, the member Seed is given.
var Owner = Person{Key: "alice", Name: "Alice Owner", Email: "alice@example.com", Role: workspace.Owner}

// Person is a member of the demo workspace.
type Person struct {
	Key, Name, Email string // Key names the person in Seeded.Members
	Role             workspace.Role
}

// Members are the members Seed adds beside the owner.
var Members = []Person{
	{"maria", "Maria Garcia", "maria@example.com", workspace.Admin},
	{"tom", "Tom Baker", "tom@example.com", workspace.Member},
	{"sam", "Sam Lee", "sam@example.com", workspace.Member},
	{"vera", "Vera Viewer", "vera@example.com", workspace.Viewer},
}

// Contacts are the demo workspace's contacts.
var Contacts = []contacts.Fields{
	{Name: "John Smith", Email: "john.smith@globex.example", Company: "Globex", Title: "Head of Procurement", City: "London", Tags: []string{"customer"}},
	{Name: "Priya Patel", Email: "priya@initech.example", Company: "Initech", Title: "CTO", City: "London", Tags: []string{"prospect", "vip"}},
	{Name: "Luis Fernández", Email: "luis@umbrella.example", Company: "Umbrella", Title: "Operations Manager", City: "Madrid"},
	{Name: "Emma Schultz", Email: "emma@hooli.example", Company: "Hooli", Title: "Buyer", City: "Berlin", Tags: []string{"customer"}},
	{Name: "Kenji Tanaka", Email: "kenji@globex.example", Company: "Globex", Title: "Engineer", City: "Tokyo"},
}

// Seeded is what Seed wrote that callers refer to.
type Seeded struct {
	Members  map[string]string // Person.Key → member id (the owner's too)
	Contacts map[string]string // contact name → id
	Folders  map[string]string // folder name → id
}

// Seed fills workspace ws, whose owner (Owner) is member ownerID, with the
// demo's sample data, in tx, dated by now: the Members; the departments
// Sales (lead Maria) and Engineering (lead Alice) with the teams Sales
// EMEA (Maria, Tom) and Platform (Alice, Sam, Vera); the Contacts; the
// tasks "Send John the renewal offer" (Tom, due in a week), "Prepare the
// Q1 report" (Maria) and "Call Priya about the pilot" (Sam, two days
// overdue); the files Q1 report.txt and Onboarding pack.txt at the root
// and the folders Reports (holding Q4 summary.txt) and Contracts.
func Seed(ctx context.Context, tx store.Tx, ws, ownerID string, now time.Time) (Seeded, error) {
	s := Seeded{Members: map[string]string{Owner.Key: ownerID}, Contacts: map[string]string{}, Folders: map[string]string{}}
	for _, p := range Members {
		m, err := access.AddMember(ctx, tx, ws, p.Name, p.Email, p.Role, now)
		if err != nil {
			return Seeded{}, fmt.Errorf("demo: member %s: %w", p.Name, err)
		}
		s.Members[p.Key] = m.ID
	}
	if err := SeedOrg(ctx, tx, ws, s.Members); err != nil {
		return Seeded{}, err
	}
	for _, f := range Contacts {
		c, err := contacts.Create(ctx, tx, ws, ownerID, f, now)
		if err != nil {
			return Seeded{}, fmt.Errorf("demo: contact %s: %w", f.Name, err)
		}
		s.Contacts[f.Name] = c.ID
	}
	if err := SeedTasks(ctx, tx, ws, ownerID, s.Members, s.Contacts, now); err != nil {
		return Seeded{}, err
	}
	if err := seedFiles(ctx, tx, workspace.Caller{WorkspaceID: ws, MemberID: ownerID, Role: workspace.Owner}, now, s.Folders); err != nil {
		return Seeded{}, err
	}
	return s, nil
}

// SeedTasks writes the demo's tasks, created by ownerID and dated from
// now: "Send John the renewal offer" (Tom, linked to John Smith, due in a
// week), "Prepare the Q1 report" (Maria) and "Call Priya about the pilot"
// (Sam, two days overdue). people maps Person.Key to member ids, and
// contactIDs contact names to ids.
func SeedTasks(ctx context.Context, tx store.Tx, ws, ownerID string, people, contactIDs map[string]string, now time.Time) error {
	day := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }
	for _, n := range []tasks.New{
		{Title: "Send John the renewal offer", AssigneeID: people["tom"], ContactID: contactIDs["John Smith"], Due: day(7)},
		{Title: "Prepare the Q1 report", AssigneeID: people["maria"]},
		{Title: "Call Priya about the pilot", AssigneeID: people["sam"], Due: day(-2)},
	} {
		if _, err := tasks.Create(ctx, tx, ws, ownerID, n, now); err != nil {
			return fmt.Errorf("demo: task %q: %w", n.Title, err)
		}
	}
	return nil
}

// SeedOrg writes the departments Sales (lead Maria) and Engineering (lead
// Alice) and the teams Sales EMEA (Maria; Tom) and Platform (Alice; Sam,
// Vera); people maps Person.Key to member ids.
func SeedOrg(ctx context.Context, tx store.Tx, ws string, people map[string]string) error {
	depts := map[string]string{}
	for _, d := range []struct{ name, lead string }{{"Sales", "maria"}, {"Engineering", "alice"}} {
		dept, err := org.CreateDepartment(ctx, tx, ws, d.name, people[d.lead])
		if err != nil {
			return fmt.Errorf("demo: department %s: %w", d.name, err)
		}
		depts[d.name] = dept.ID
	}
	for _, t := range []struct {
		dept, name, lead string
		members          []string
	}{
		{"Sales", "Sales EMEA", "maria", []string{"tom"}},
		{"Engineering", "Platform", "alice", []string{"sam", "vera"}},
	} {
		team, err := org.CreateTeam(ctx, tx, ws, depts[t.dept], t.name, people[t.lead])
		if err != nil {
			return fmt.Errorf("demo: team %s: %w", t.name, err)
		}
		for _, m := range t.members {
			if err := org.AddToTeam(ctx, tx, ws, team.ID, people[m]); err != nil {
				return fmt.Errorf("demo: team %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// seedFiles writes the files and folders as the owner.
func seedFiles(ctx context.Context, tx store.Tx, owner workspace.Caller, now time.Time, folders map[string]string) error {
	fs := &files.Service{Now: func() time.Time { return now }}
	put := func(folder, name, text string) error {
		if _, err := fs.Put(ctx, tx, owner, folder, name, "text/plain", strings.NewReader(text)); err != nil {
			return fmt.Errorf("demo: file %s: %w", name, err)
		}
		return nil
	}
	if err := put("", "Q1 report.txt", "Q1 report\n\nRevenue grew 12% quarter on quarter. Globex renewed; Initech is in trial.\n"); err != nil {
		return err
	}
	if err := put("", "Onboarding pack.txt", "Welcome! This pack explains how we work together.\n"); err != nil {
		return err
	}
	for _, name := range []string{"Reports", "Contracts"} {
		f, err := fs.CreateFolder(ctx, tx, owner, "", name)
		if err != nil {
			return fmt.Errorf("demo: folder %s: %w", name, err)
		}
		folders[name] = f.ID
	}
	return put(folders["Reports"], "Q4 summary.txt", "Q4 summary\n\nThree renewals, one new customer.\n")
}
