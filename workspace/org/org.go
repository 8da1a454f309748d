// Package org is the workspace's org chart: departments, teams inside
// them, and which members belong to which team. It offers the read-only
// org_* workspace tools and plain Go functions to build the chart (used by
// demo seeding and the CLI). Every query runs in the caller's transaction
// and is filtered by workspace, so another workspace's department, team or
// member looks exactly like one that does not exist.
package org

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// MaxName is the longest department or team name, in characters.
const MaxName = 200

// Person is a member as the org chart shows them.
type Person struct {
	ID    string         `json:"id"`
	Name  string         `json:"name"`
	Email string         `json:"email"`
	Role  workspace.Role `json:"role"`
}

// TeamRef names a team inside another record.
type TeamRef struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	DepartmentID   string `json:"department_id"`
	DepartmentName string `json:"department_name,omitempty"`
}

// Department is a group of teams with an optional lead.
type Department struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Lead  *Person   `json:"lead"` // null when there is none
	Teams []TeamRef `json:"teams"`
}

// Team is a group of members, usually inside a department.
type Team struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	DepartmentID   string   `json:"department_id"` // "" outside any department
	DepartmentName string   `json:"department_name,omitempty"`
	Lead           *Person  `json:"lead"` // null when there is none
	Members        []Person `json:"members"`
}

// CreateDepartment adds a department; leadID is "" or a member of the
// workspace. A department of the same name (any case) is errs.Conflict.
func CreateDepartment(ctx context.Context, tx store.Tx, workspaceID, name, leadID string) (Department, error) {
	name, err := checkName("department name", name)
	if err != nil {
		return Department{}, err
	}
	lead, err := person(ctx, tx, workspaceID, leadID)
	if err != nil {
		return Department{}, err
	}
	if id, err := lookupID(ctx, tx, `SELECT id FROM departments WHERE workspace_id = ? AND lower(name) = lower(?)`, workspaceID, name); err != nil {
		return Department{}, err
	} else if id != "" {
		return Department{}, errs.E(errs.Conflict, "a department named %s already exists (%s)", name, id)
	}
	now := time.Now()
	d := Department{ID: store.NewIDAt(now), Name: name, Lead: lead, Teams: []TeamRef{}}
	if _, err := tx.Exec(ctx, `INSERT INTO departments (id, workspace_id, name, lead_member_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.ID, workspaceID, d.Name, leadID, store.Micros(now)); err != nil {
		return Department{}, fmt.Errorf("org: create department: %w", err)
	}
	return d, nil
}

// CreateTeam adds a team to a department ("" for none); leadID is "" or a
// member of the workspace, and the lead joins the team. A team of the same
// name (any case) in the same department is errs.Conflict.
func CreateTeam(ctx context.Context, tx store.Tx, workspaceID, departmentID, name, leadID string) (Team, error) {
	name, err := checkName("team name", name)
	if err != nil {
		return Team{}, err
	}
	t := Team{Name: name, DepartmentID: departmentID, Members: []Person{}}
	if departmentID != "" {
		if t.DepartmentName, err = departmentName(ctx, tx, workspaceID, departmentID); err != nil {
			return Team{}, err
		}
	}
	if t.Lead, err = person(ctx, tx, workspaceID, leadID); err != nil {
		return Team{}, err
	}
	if id, err := lookupID(ctx, tx, `SELECT id FROM teams WHERE workspace_id = ? AND department_id = ? AND lower(name) = lower(?)`,
		workspaceID, departmentID, name); err != nil {
		return Team{}, err
	} else if id != "" {
		return Team{}, errs.E(errs.Conflict, "a team named %s already exists there (%s)", name, id)
	}
	now := time.Now()
	t.ID = store.NewIDAt(now)
	if _, err := tx.Exec(ctx, `INSERT INTO teams (id, workspace_id, department_id, name, lead_member_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, workspaceID, departmentID, name, leadID, store.Micros(now)); err != nil {
		return Team{}, fmt.Errorf("org: create team: %w", err)
	}
	if t.Lead != nil {
		if err := AddToTeam(ctx, tx, workspaceID, t.ID, t.Lead.ID); err != nil {
			return Team{}, err
		}
		t.Members = append(t.Members, *t.Lead)
	}
	return t, nil
}

// AddToTeam puts a member of the workspace in a team of the workspace.
// Adding someone already in the team changes nothing.
func AddToTeam(ctx context.Context, tx store.Tx, workspaceID, teamID, memberID string) error {
	if err := checkID("team_id", teamID); err != nil {
		return err
	}
	if id, err := lookupID(ctx, tx, `SELECT id FROM teams WHERE workspace_id = ? AND id = ?`, workspaceID, teamID); err != nil {
		return err
	} else if id == "" {
		return errs.E(errs.NotFound, "no team with id %s", teamID)
	}
	if err := checkID("member_id", memberID); err != nil {
		return err
	}
	if _, err := person(ctx, tx, workspaceID, memberID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, member_id) VALUES (?, ?) ON CONFLICT (team_id, member_id) DO NOTHING`,
		teamID, memberID); err != nil {
		return fmt.Errorf("org: add %s to team %s: %w", memberID, teamID, err)
	}
	return nil
}

// checkName trims and checks a department or team name.
func checkName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errs.E(errs.Invalid, "%s is required", field)
	}
	return name, workspace.CheckText(field, name, MaxName, false)
}

// person returns member id of the workspace; "" gives nil and no error.
func person(ctx context.Context, tx store.Tx, workspaceID, id string) (*Person, error) {
	if id == "" {
		return nil, nil
	}
	if err := checkID("member id", id); err != nil {
		return nil, err
	}
	var p Person
	var role string
	err := tx.QueryRow(ctx, `SELECT id, name, email, role FROM members WHERE workspace_id = ? AND id = ?`, workspaceID, id).
		Scan(&p.ID, &p.Name, &p.Email, &role)
	if errors.Is(err, store.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "no member with id %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("org: member %s: %w", id, err)
	}
	p.Role = workspace.Role(role)
	return &p, nil
}

// departmentName returns the name of a department of the workspace.
func departmentName(ctx context.Context, tx store.Tx, workspaceID, id string) (string, error) {
	if err := checkID("department_id", id); err != nil {
		return "", err
	}
	var name string
	err := tx.QueryRow(ctx, `SELECT name FROM departments WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&name)
	if errors.Is(err, store.ErrNoRows) {
		return "", errs.E(errs.NotFound, "no department with id %s", id)
	}
	if err != nil {
		return "", fmt.Errorf("org: department %s: %w", id, err)
	}
	return name, nil
}

// lookupID runs a query selecting one id and returns it, or "" for no row.
func lookupID(ctx context.Context, tx store.Tx, query string, args ...any) (string, error) {
	var id string
	err := tx.QueryRow(ctx, query, args...).Scan(&id)
	if errors.Is(err, store.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("org: lookup: %w", err)
	}
	return id, nil
}

// checkID rejects ids that cannot be real before they reach a message.
func checkID(field, id string) error {
	if strings.TrimSpace(id) == "" {
		return errs.E(errs.Invalid, "%s is required", field)
	}
	return workspace.CheckText(field, id, 64, false)
}
