package org

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Member is a workspace member with the teams they are in.
type Member struct {
	Person
	Teams []TeamRef `json:"teams"`
}

// MemberFilter selects members; empty fields match everyone.
type MemberFilter struct {
	Query        string `json:"query" schema:"maxLength=200" jsonschema:"Free text; every word must appear in the member's name or email"`
	TeamID       string `json:"team_id" schema:"maxLength=64" jsonschema:"Only members of this team (ids from org_teams)"`
	DepartmentID string `json:"department_id" schema:"maxLength=64" jsonschema:"Only members of this department's teams, and its lead"`
	Limit        int    `json:"limit" schema:"minimum=1,maximum=100" jsonschema:"Page size, default 20"`
	Cursor       string `json:"cursor" schema:"maxLength=1000" jsonschema:"next_cursor from the previous page, to get the next one"`
}

// MemberPage is one page of members in (name, id) order.
type MemberPage struct {
	Members    []Member `json:"members"`
	NextCursor string   `json:"next_cursor"` // "" on the last page
}

// memberCursor is the keyset position after the last member of a page.
type memberCursor struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

// Members returns the workspace's members matching f, by name. A filter
// naming no team or department of the workspace is errs.NotFound.
func Members(ctx context.Context, tx store.Tx, workspaceID string, f MemberFilter) (MemberPage, error) {
	if err := workspace.CheckText("query", f.Query, 200, false); err != nil {
		return MemberPage{}, err
	}
	where := []string{"m.workspace_id = ?"}
	args := []any{workspaceID}
	for _, word := range strings.Fields(f.Query) {
		where = append(where, `(lower(m.name) LIKE lower(?) ESCAPE '\' OR lower(m.email) LIKE lower(?) ESCAPE '\')`)
		args = append(args, store.Contains(word), store.Contains(word))
	}
	if f.TeamID != "" {
		if err := checkID("team_id", f.TeamID); err != nil {
			return MemberPage{}, err
		}
		if id, err := lookupID(ctx, tx, `SELECT id FROM teams WHERE workspace_id = ? AND id = ?`, workspaceID, f.TeamID); err != nil {
			return MemberPage{}, err
		} else if id == "" {
			return MemberPage{}, errs.E(errs.NotFound, "no team with id %s", f.TeamID)
		}
		where = append(where, "m.id IN (SELECT member_id FROM team_members WHERE team_id = ?)")
		args = append(args, f.TeamID)
	}
	if f.DepartmentID != "" {
		if _, err := departmentName(ctx, tx, workspaceID, f.DepartmentID); err != nil {
			return MemberPage{}, err
		}
		where = append(where, `(m.id IN (SELECT tm.member_id FROM team_members tm JOIN teams t ON t.id = tm.team_id
			WHERE t.workspace_id = ? AND t.department_id = ?)
			OR m.id IN (SELECT lead_member_id FROM departments WHERE workspace_id = ? AND id = ?))`)
		args = append(args, workspaceID, f.DepartmentID, workspaceID, f.DepartmentID)
	}
	if f.Cursor != "" {
		var c memberCursor
		if err := store.DecodeCursor(f.Cursor, &c); err != nil {
			return MemberPage{}, err
		}
		if c.ID == "" {
			return MemberPage{}, errs.E(errs.Invalid, "cursor is not a members cursor")
		}
		where = append(where, "(m.name > ? OR (m.name = ? AND m.id > ?))")
		args = append(args, c.Name, c.Name, c.ID)
	}
	limit := workspace.PageLimit(f.Limit)
	found, more, err := workspace.QueryPage(ctx, tx, limit, scanMember, `SELECT m.id, m.name, m.email, m.role FROM members m WHERE `+strings.Join(where, " AND ")+
		` ORDER BY m.name, m.id LIMIT ?`, args...)
	if err != nil {
		return MemberPage{}, fmt.Errorf("org: members: %w", err)
	}
	page := MemberPage{Members: found}
	if more {
		last := found[len(found)-1]
		page.NextCursor = store.EncodeCursor(memberCursor{Name: last.Name, ID: last.ID})
	}
	return page, addTeams(ctx, tx, workspaceID, page.Members)
}

// addTeams fills in the teams of each member.
func addTeams(ctx context.Context, tx store.Tx, workspaceID string, members []Member) error {
	if len(members) == 0 {
		return nil
	}
	index := map[string]int{}
	marks := make([]string, len(members))
	args := []any{workspaceID}
	for i, m := range members {
		index[m.ID] = i
		marks[i] = "?"
		args = append(args, m.ID)
	}
	rows, err := tx.Query(ctx, `SELECT tm.member_id, t.id, t.name, t.department_id, COALESCE(d.name, '')
		FROM team_members tm
		JOIN teams t ON t.id = tm.team_id
		LEFT JOIN departments d ON d.id = t.department_id AND d.workspace_id = t.workspace_id
		WHERE t.workspace_id = ? AND tm.member_id IN (`+strings.Join(marks, ", ")+`)
		ORDER BY t.name, t.id`, args...)
	if err != nil {
		return fmt.Errorf("org: member teams: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var memberID string
		var t TeamRef
		if err := rows.Scan(&memberID, &t.ID, &t.Name, &t.DepartmentID, &t.DepartmentName); err != nil {
			return fmt.Errorf("org: member teams: %w", err)
		}
		if i, ok := index[memberID]; ok {
			members[i].Teams = append(members[i].Teams, t)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("org: member teams: %w", err)
	}
	return nil
}

// scanMember reads one member row (without teams, which addTeams fills).
func scanMember(row store.Row) (Member, error) {
	m := Member{Teams: []TeamRef{}}
	var role string
	if err := row.Scan(&m.ID, &m.Name, &m.Email, &role); err != nil {
		return Member{}, err
	}
	m.Role = workspace.Role(role)
	return m, nil
}
