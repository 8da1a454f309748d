package org

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// leadColumns select a lead joined as l, blank when there is none.
const leadColumns = `COALESCE(l.id, ''), COALESCE(l.name, ''), COALESCE(l.email, ''), COALESCE(l.role, '')`

// Departments lists the workspace's departments by name, each with its
// lead and teams.
func Departments(ctx context.Context, tx store.Tx, workspaceID string) ([]Department, error) {
	rows, err := tx.Query(ctx, `SELECT d.id, d.name, `+leadColumns+`
		FROM departments d LEFT JOIN members l ON l.id = d.lead_member_id AND l.workspace_id = d.workspace_id
		WHERE d.workspace_id = ? ORDER BY d.name, d.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("org: departments: %w", err)
	}
	defer rows.Close()
	out := []Department{}
	index := map[string]int{}
	for rows.Next() {
		d := Department{Teams: []TeamRef{}}
		var lead Person
		var role string
		if err := rows.Scan(&d.ID, &d.Name, &lead.ID, &lead.Name, &lead.Email, &role); err != nil {
			return nil, fmt.Errorf("org: departments: %w", err)
		}
		lead.Role = workspace.Role(role)
		d.Lead = lead.orNil()
		index[d.ID] = len(out)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org: departments: %w", err)
	}
	rows.Close()
	teams, err := Teams(ctx, tx, workspaceID, TeamFilter{})
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if i, ok := index[t.DepartmentID]; ok {
			out[i].Teams = append(out[i].Teams, t.ref())
		}
	}
	return out, nil
}

// TeamFilter selects teams; empty fields match every team.
type TeamFilter struct {
	DepartmentID string `json:"department_id" schema:"maxLength=64" jsonschema:"Only teams of this department (ids from org_departments)"`
	MemberID     string `json:"member_id" schema:"maxLength=64" jsonschema:"Only teams this member is in (ids from org_members); \"me\" for yourself"`
}

// Teams lists the workspace's teams by name, each with its lead and
// members. A filter naming no department or member of the workspace is
// errs.NotFound.
func Teams(ctx context.Context, tx store.Tx, workspaceID string, f TeamFilter) ([]Team, error) {
	where := []string{"t.workspace_id = ?"}
	args := []any{workspaceID}
	if f.DepartmentID != "" {
		if _, err := departmentName(ctx, tx, workspaceID, f.DepartmentID); err != nil {
			return nil, err
		}
		where, args = append(where, "t.department_id = ?"), append(args, f.DepartmentID)
	}
	if f.MemberID != "" {
		if _, err := person(ctx, tx, workspaceID, f.MemberID); err != nil {
			return nil, err
		}
		where = append(where, "t.id IN (SELECT team_id FROM team_members WHERE member_id = ?)")
		args = append(args, f.MemberID)
	}
	rows, err := tx.Query(ctx, `SELECT t.id, t.name, t.department_id, COALESCE(d.name, ''), `+leadColumns+`
		FROM teams t
		LEFT JOIN departments d ON d.id = t.department_id AND d.workspace_id = t.workspace_id
		LEFT JOIN members l ON l.id = t.lead_member_id AND l.workspace_id = t.workspace_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY t.name, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("org: teams: %w", err)
	}
	defer rows.Close()
	out := []Team{}
	index := map[string]int{}
	for rows.Next() {
		t := Team{Members: []Person{}}
		var lead Person
		var role string
		if err := rows.Scan(&t.ID, &t.Name, &t.DepartmentID, &t.DepartmentName, &lead.ID, &lead.Name, &lead.Email, &role); err != nil {
			return nil, fmt.Errorf("org: teams: %w", err)
		}
		lead.Role = workspace.Role(role)
		t.Lead = lead.orNil()
		index[t.ID] = len(out)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org: teams: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// One query for every membership of the workspace's teams; the chart
	// is small enough that filtering in Go is cheaper than a second plan.
	rows, err = tx.Query(ctx, `SELECT tm.team_id, m.id, m.name, m.email, m.role
		FROM team_members tm
		JOIN teams t ON t.id = tm.team_id
		JOIN members m ON m.id = tm.member_id AND m.workspace_id = t.workspace_id
		WHERE t.workspace_id = ? ORDER BY m.name, m.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("org: team members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var teamID string
		var p Person
		var role string
		if err := rows.Scan(&teamID, &p.ID, &p.Name, &p.Email, &role); err != nil {
			return nil, fmt.Errorf("org: team members: %w", err)
		}
		p.Role = workspace.Role(role)
		if i, ok := index[teamID]; ok {
			out[i].Members = append(out[i].Members, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org: team members: %w", err)
	}
	return out, nil
}

func (t Team) ref() TeamRef {
	return TeamRef{ID: t.ID, Name: t.Name, DepartmentID: t.DepartmentID, DepartmentName: t.DepartmentName}
}

// orNil turns a blank joined person into nil.
func (p Person) orNil() *Person {
	if p.ID == "" {
		return nil
	}
	return &p
}
