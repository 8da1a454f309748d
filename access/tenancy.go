package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// CreateWorkspace inserts a new workspace.
func CreateWorkspace(ctx context.Context, q store.Querier, name string, now time.Time) (Workspace, error) {
	if err := ValidateName("workspace name", name); err != nil {
		return Workspace{}, err
	}
	w := Workspace{ID: store.NewID(), Name: name, CreatedAt: now.UTC()}
	if _, err := q.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, w.ID, w.Name, store.Micros(now)); err != nil {
		return Workspace{}, fmt.Errorf("access: create workspace: %w", err)
	}
	return w, nil
}

// GetWorkspace returns a workspace by id.
func GetWorkspace(ctx context.Context, q store.Querier, id string) (Workspace, error) {
	var w Workspace
	var at int64
	err := q.QueryRow(ctx, `SELECT id, name, created_at FROM workspaces WHERE id = ?`, id).Scan(&w.ID, &w.Name, &at)
	if err == store.ErrNoRows {
		return Workspace{}, errs.E(errs.NotFound, "no workspace %q", id)
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("access: get workspace: %w", err)
	}
	w.CreatedAt = store.Time(at)
	return w, nil
}

// ListWorkspaces returns every workspace, oldest first.
func ListWorkspaces(ctx context.Context, q store.Querier) ([]Workspace, error) {
	rows, err := q.Query(ctx, `SELECT id, name, created_at FROM workspaces ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("access: list workspaces: %w", err)
	}
	defer rows.Close()
	var out []Workspace
	for rows.Next() {
		var w Workspace
		var at int64
		if err := rows.Scan(&w.ID, &w.Name, &at); err != nil {
			return nil, err
		}
		w.CreatedAt = store.Time(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

// AddMember adds a member to a workspace. Emails are unique per workspace.
func AddMember(ctx context.Context, q store.Querier, workspaceID, name, email string, role workspace.Role, now time.Time) (Member, error) {
	if err := ValidateName("member name", name); err != nil {
		return Member{}, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if err := ValidateEmail(email); err != nil {
		return Member{}, err
	}
	if !workspace.ValidRole(role) {
		return Member{}, errs.E(errs.Invalid, "invalid role %q (want owner, admin, member or viewer)", role)
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM members WHERE workspace_id = ? AND email = ?`, workspaceID, email).Scan(&n); err != nil {
		return Member{}, fmt.Errorf("access: add member: %w", err)
	}
	if n > 0 {
		return Member{}, errs.E(errs.Conflict, "a member with email %s already exists", email)
	}
	m := Member{ID: store.NewID(), WorkspaceID: workspaceID, Name: name, Email: email, Role: role, CreatedAt: now.UTC()}
	_, err := q.Exec(ctx, `INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, m.WorkspaceID, m.Name, m.Email, string(m.Role), store.Micros(now))
	if err != nil {
		return Member{}, fmt.Errorf("access: add member: %w", err)
	}
	return m, nil
}

const memberCols = `id, workspace_id, name, email, role, created_at`

func scanMember(r interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var role string
	var at int64
	if err := r.Scan(&m.ID, &m.WorkspaceID, &m.Name, &m.Email, &role, &at); err != nil {
		return Member{}, err
	}
	m.Role, m.CreatedAt = workspace.Role(role), store.Time(at)
	return m, nil
}

// GetMember returns a member of a workspace by id or email.
func GetMember(ctx context.Context, q store.Querier, workspaceID, idOrEmail string) (Member, error) {
	m, err := scanMember(q.QueryRow(ctx, `SELECT `+memberCols+` FROM members WHERE workspace_id = ? AND (id = ? OR email = ?)`,
		workspaceID, idOrEmail, strings.ToLower(idOrEmail)))
	if err == store.ErrNoRows {
		return Member{}, errs.E(errs.NotFound, "no member %q in this workspace", idOrEmail)
	}
	if err != nil {
		return Member{}, fmt.Errorf("access: get member: %w", err)
	}
	return m, nil
}

// ListMembers returns a workspace's members by name.
func ListMembers(ctx context.Context, q store.Querier, workspaceID string) ([]Member, error) {
	rows, err := q.Query(ctx, `SELECT `+memberCols+` FROM members WHERE workspace_id = ? ORDER BY name, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("access: list members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetRole changes a member's role. The workspace's last owner cannot be
// demoted (nobody could manage it any more); nothing changes then.
func SetRole(ctx context.Context, tx store.Tx, workspaceID, memberID string, role workspace.Role) (Member, error) {
	if !workspace.ValidRole(role) {
		return Member{}, errs.E(errs.Invalid, "invalid role %q (want owner, admin, member or viewer)", role)
	}
	m, err := GetMember(ctx, tx, workspaceID, memberID)
	if err != nil {
		return Member{}, err
	}
	if m.Role == workspace.Owner && role != workspace.Owner {
		var owners int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM members WHERE workspace_id = ? AND role = ?`, workspaceID, string(workspace.Owner)).Scan(&owners); err != nil {
			return Member{}, fmt.Errorf("access: set role: %w", err)
		}
		if owners <= 1 {
			return Member{}, errs.E(errs.Conflict, "%s is the workspace's only owner; make another member owner first", m.Name)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE members SET role = ? WHERE id = ? AND workspace_id = ?`, string(role), m.ID, workspaceID); err != nil {
		return Member{}, fmt.Errorf("access: set role: %w", err)
	}
	m.Role = role
	return m, nil
}
