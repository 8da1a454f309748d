package tasks

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Filter selects tasks. Empty fields match everything.
type Filter struct {
	Query      string `json:"query" schema:"maxLength=200" jsonschema:"Free text; every word must appear in the title, description or linked contact's name"`
	Status     Status `json:"status" schema:"enum=|open|in_progress|done" jsonschema:"Only tasks with this status; empty for any"`
	AssigneeID string `json:"assignee_id" schema:"maxLength=64" jsonschema:"Only tasks assigned to this member id (\"me\" for yourself)"`
	ContactID  string `json:"contact_id" schema:"maxLength=64" jsonschema:"Only tasks linked to this contact id"`
	DueFrom    string `json:"due_from" schema:"pattern=^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" jsonschema:"Only tasks due on or after this date (YYYY-MM-DD)"` // inclusive; tasks without a due date do not match
	DueTo      string `json:"due_to" schema:"pattern=^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" jsonschema:"Only tasks due on or before this date (YYYY-MM-DD)"`  // inclusive
	Limit      int    `json:"limit" schema:"minimum=1,maximum=100" jsonschema:"Page size, default 20"`
	Cursor     string `json:"cursor" schema:"maxLength=1000" jsonschema:"next_cursor from the previous page, to get the next one"`
}

// Page is one page of tasks, oldest first.
type Page struct {
	Tasks      []Task `json:"tasks"`
	NextCursor string `json:"next_cursor"` // "" on the last page
}

// Search returns the workspace's tasks matching f, in creation order. An
// assignee or contact filter naming no member or contact of the workspace
// is errs.NotFound.
func Search(ctx context.Context, tx store.Tx, workspaceID string, f Filter) (Page, error) {
	if err := f.check(); err != nil {
		return Page{}, err
	}
	where := []string{"t.workspace_id = ?"}
	args := []any{workspaceID}
	for _, word := range strings.Fields(f.Query) {
		where = append(where, `(lower(t.title) LIKE lower(?) ESCAPE '\' OR lower(t.description) LIKE lower(?) ESCAPE '\' OR lower(COALESCE(c.name, '')) LIKE lower(?) ESCAPE '\')`)
		p := store.Contains(word)
		args = append(args, p, p, p)
	}
	if f.Status != "" {
		where, args = append(where, "t.status = ?"), append(args, string(f.Status))
	}
	if f.AssigneeID != "" {
		if _, err := memberName(ctx, tx, workspaceID, f.AssigneeID); err != nil {
			return Page{}, err
		}
		where, args = append(where, "t.assignee_id = ?"), append(args, f.AssigneeID)
	}
	if f.ContactID != "" {
		if err := checkContact(ctx, tx, workspaceID, f.ContactID); err != nil {
			return Page{}, err
		}
		where, args = append(where, "t.contact_id = ?"), append(args, f.ContactID)
	}
	if f.DueFrom != "" {
		where, args = append(where, "t.due <> '' AND t.due >= ?"), append(args, f.DueFrom)
	}
	if f.DueTo != "" {
		where, args = append(where, "t.due <> '' AND t.due <= ?"), append(args, f.DueTo)
	}
	if f.Cursor != "" {
		c, err := store.DecodeAfter(f.Cursor)
		if err != nil {
			return Page{}, err
		}
		where = append(where, "(t.created_at > ? OR (t.created_at = ? AND t.id > ?))")
		args = append(args, c.At, c.At, c.ID)
	}
	limit := workspace.PageLimit(f.Limit)
	found, more, err := workspace.QueryPage(ctx, tx, limit, scan, selectTasks+` WHERE `+strings.Join(where, " AND ")+` ORDER BY t.created_at, t.id LIMIT ?`, args...)
	if err != nil {
		return Page{}, fmt.Errorf("tasks: search: %w", err)
	}
	page := Page{Tasks: found}
	if more {
		last := found[len(found)-1]
		page.NextCursor = store.AfterRow(last.CreatedAt, last.ID).Cursor()
	}
	return page, nil
}

// check validates a filter's free-form fields.
func (f Filter) check() error {
	if err := workspace.CheckText("query", f.Query, maxQuery, false); err != nil {
		return err
	}
	if f.Status != "" && !f.Status.Valid() {
		return errs.E(errs.Invalid, "status must be open, in_progress or done")
	}
	if err := checkDate("due_from", f.DueFrom); err != nil {
		return err
	}
	if err := checkDate("due_to", f.DueTo); err != nil {
		return err
	}
	if f.ContactID != "" {
		if err := checkID("contact_id", f.ContactID); err != nil {
			return err
		}
	}
	if f.DueFrom != "" && f.DueTo != "" && f.DueFrom > f.DueTo {
		return errs.E(errs.Invalid, "due_from %s is after due_to %s", f.DueFrom, f.DueTo)
	}
	return nil
}
