// Package tasks is the workspace's to-do list: tasks with a status, an
// optional due date, an assignee (a member of the workspace) and an
// optional linked contact. It offers plain Go functions (used by the tools,
// the CLI and demo seeding) and the tasks_* workspace tools built on them.
// Every query runs in the caller's transaction and is filtered by
// workspace, so another workspace's task looks exactly like a missing one.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace/contacts"
)

// Status is where a task stands.
type Status string

// Statuses.
const (
	Open       Status = "open"
	InProgress Status = "in_progress"
	Done       Status = "done"
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool { return s == Open || s == InProgress || s == Done }

// Task is one to-do item.
type Task struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	Status       Status     `json:"status"`
	Due          string     `json:"due"`         // YYYY-MM-DD or ""
	AssigneeID   string     `json:"assignee_id"` // member id or ""
	AssigneeName string     `json:"assignee_name,omitempty"`
	ContactID    string     `json:"contact_id"` // contact id or ""
	ContactName  string     `json:"contact_name,omitempty"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	CompletedAt  *time.Time `json:"completed_at"` // null until done
}

// Ref names the task in receipts: "task/<id>".
func (t Task) Ref() string { return "task/" + t.ID }

// New is what Create needs; only Title is required.
type New struct {
	Title       string `json:"title" schema:"required,minLength=1,maxLength=300" jsonschema:"Short title of the task, e.g. Call Jane about the contract"`
	Description string `json:"description" schema:"maxLength=10000" jsonschema:"Longer details; may span several lines"`
	Due         string `json:"due" schema:"pattern=^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" jsonschema:"Due date as YYYY-MM-DD; empty for none"`
	AssigneeID  string `json:"assignee_id" schema:"maxLength=64" jsonschema:"Id of the workspace member to assign (see org_members), \"me\" for yourself, empty for nobody"`
	ContactID   string `json:"contact_id" schema:"maxLength=64" jsonschema:"Id of a contact the task is about (see contacts_search); empty for none"`
}

// Create adds an open task created by createdBy. A non-empty assignee must
// be a member and a non-empty contact a contact of the workspace.
func Create(ctx context.Context, tx store.Tx, workspaceID, createdBy string, n New, now time.Time) (Task, error) {
	f, err := normalize(fields{Title: n.Title, Description: n.Description, Status: Open, Due: n.Due, ContactID: n.ContactID})
	if err != nil {
		return Task{}, err
	}
	if err := checkContact(ctx, tx, workspaceID, f.ContactID); err != nil {
		return Task{}, err
	}
	if _, err := memberName(ctx, tx, workspaceID, n.AssigneeID); err != nil {
		return Task{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	id := store.NewIDAt(now)
	_, err = tx.Exec(ctx, `INSERT INTO tasks (id, workspace_id, title, description, status, due, assignee_id, contact_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, workspaceID, f.Title, f.Description, string(f.Status), f.Due, n.AssigneeID, f.ContactID, createdBy, store.Micros(now), store.Micros(now))
	if err != nil {
		return Task{}, fmt.Errorf("tasks: create: %w", err)
	}
	return Get(ctx, tx, workspaceID, id)
}

// Get returns the workspace's task id, or errs.NotFound.
func Get(ctx context.Context, tx store.Tx, workspaceID, id string) (Task, error) {
	if err := checkID("id", id); err != nil {
		return Task{}, err
	}
	t, err := scan(tx.QueryRow(ctx, selectTasks+` WHERE t.workspace_id = ? AND t.id = ?`, workspaceID, id))
	if errors.Is(err, store.ErrNoRows) {
		return Task{}, errs.E(errs.NotFound, "no task with id %s", id)
	}
	if err != nil {
		return Task{}, fmt.Errorf("tasks: get %s: %w", id, err)
	}
	return t, nil
}

// Patch is a partial update: a nil field stays as it is. Setting Status to
// done stamps completed_at; leaving done clears it.
type Patch struct {
	Title       *string `json:"title" schema:"minLength=1,maxLength=300" jsonschema:"New title; omit or null to keep"`
	Description *string `json:"description" schema:"maxLength=10000" jsonschema:"New description; empty string clears it"`
	Status      *Status `json:"status" schema:"enum=open|in_progress|done" jsonschema:"New status: open, in_progress or done; done stamps completed_at"`
	Due         *string `json:"due" schema:"pattern=^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" jsonschema:"New due date as YYYY-MM-DD; empty string clears it"`
	ContactID   *string `json:"contact_id" schema:"maxLength=64" jsonschema:"Id of the linked contact; empty string unlinks it"`
}

// Update changes the fields p sets and returns the task and the names of
// the fields given. A patch that sets nothing is errs.Invalid.
func Update(ctx context.Context, tx store.Tx, workspaceID, id string, p Patch, now time.Time) (Task, []string, error) {
	t, err := Get(ctx, tx, workspaceID, id)
	if err != nil {
		return Task{}, nil, err
	}
	f, changed := p.apply(t.fields())
	if len(changed) == 0 {
		return Task{}, nil, errs.E(errs.Invalid, "nothing to update: give at least one of title, description, status, due, contact_id")
	}
	if f, err = normalize(f); err != nil {
		return Task{}, nil, err
	}
	if f.ContactID != t.ContactID {
		if err := checkContact(ctx, tx, workspaceID, f.ContactID); err != nil {
			return Task{}, nil, err
		}
	}
	completed := int64(0)
	switch {
	case f.Status == Done && t.CompletedAt != nil:
		completed = store.Micros(*t.CompletedAt)
	case f.Status == Done:
		completed = store.Micros(now)
	}
	_, err = tx.Exec(ctx, `UPDATE tasks SET title = ?, description = ?, status = ?, due = ?, contact_id = ?, completed_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		f.Title, f.Description, string(f.Status), f.Due, f.ContactID, completed, store.Micros(now), workspaceID, t.ID)
	if err != nil {
		return Task{}, nil, fmt.Errorf("tasks: update %s: %w", t.ID, err)
	}
	t, err = Get(ctx, tx, workspaceID, t.ID)
	return t, changed, err
}

// Assign gives the task to assigneeID, a member of the workspace, or
// unassigns it when assigneeID is "". It returns the task before and after.
func Assign(ctx context.Context, tx store.Tx, workspaceID, id, assigneeID string, now time.Time) (before, after Task, err error) {
	before, err = Get(ctx, tx, workspaceID, id)
	if err != nil {
		return Task{}, Task{}, err
	}
	if _, err := memberName(ctx, tx, workspaceID, assigneeID); err != nil {
		return Task{}, Task{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE tasks SET assignee_id = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		assigneeID, store.Micros(now), workspaceID, before.ID); err != nil {
		return Task{}, Task{}, fmt.Errorf("tasks: assign %s: %w", before.ID, err)
	}
	after, err = Get(ctx, tx, workspaceID, before.ID)
	return before, after, err
}

// Complete marks the task done. It reports false, changing nothing, when
// the task was already done.
func Complete(ctx context.Context, tx store.Tx, workspaceID, id string, now time.Time) (Task, bool, error) {
	t, err := Get(ctx, tx, workspaceID, id)
	if err != nil || t.Status == Done {
		return t, false, err
	}
	done := Done
	t, _, err = Update(ctx, tx, workspaceID, id, Patch{Status: &done}, now)
	return t, err == nil, err
}

// Delete removes a task and returns what it was.
func Delete(ctx context.Context, tx store.Tx, workspaceID, id string) (Task, error) {
	t, err := Get(ctx, tx, workspaceID, id)
	if err != nil {
		return Task{}, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM tasks WHERE workspace_id = ? AND id = ?`, workspaceID, t.ID); err != nil {
		return Task{}, fmt.Errorf("tasks: delete %s: %w", t.ID, err)
	}
	return t, nil
}

// memberName returns the name of member id of the workspace; "" is no
// member and no error. Another workspace's member is errs.NotFound.
func memberName(ctx context.Context, tx store.Tx, workspaceID, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if err := checkID("assignee_id", id); err != nil {
		return "", err
	}
	var name string
	err := tx.QueryRow(ctx, `SELECT name FROM members WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&name)
	if errors.Is(err, store.ErrNoRows) {
		return "", errs.E(errs.NotFound, "no member with id %s", id)
	}
	if err != nil {
		return "", fmt.Errorf("tasks: member %s: %w", id, err)
	}
	return name, nil
}

// checkContact checks that a non-empty contact id names a contact of the workspace.
func checkContact(ctx context.Context, tx store.Tx, workspaceID, id string) error {
	if id == "" {
		return nil
	}
	_, err := contacts.Get(ctx, tx, workspaceID, id)
	return err
}

const selectTasks = `SELECT t.id, t.title, t.description, t.status, t.due, t.assignee_id, COALESCE(m.name, ''),
	t.contact_id, COALESCE(c.name, ''), t.created_by, t.created_at, t.updated_at, t.completed_at
	FROM tasks t
	LEFT JOIN members m ON m.id = t.assignee_id AND m.workspace_id = t.workspace_id
	LEFT JOIN contacts c ON c.id = t.contact_id AND c.workspace_id = t.workspace_id`

func scan(row store.Row) (Task, error) {
	var t Task
	var status string
	var created, updated, completed int64
	err := row.Scan(&t.ID, &t.Title, &t.Description, &status, &t.Due, &t.AssigneeID, &t.AssigneeName,
		&t.ContactID, &t.ContactName, &t.CreatedBy, &created, &updated, &completed)
	if err != nil {
		return Task{}, err
	}
	t.Status = Status(status)
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	if completed != 0 {
		at := store.Time(completed)
		t.CompletedAt = &at
	}
	return t, nil
}
