package tasks

import (
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// Field limits, in characters. The tool schemas state the same numbers.
const (
	MaxTitle       = 300
	MaxDescription = 10000
	maxQuery       = 200
	maxIDChars     = 64
)

// fields are a task's editable fields (assignment has its own tool).
type fields struct {
	Title, Description string
	Status             Status
	Due                string
	ContactID          string
}

func (t Task) fields() fields {
	return fields{Title: t.Title, Description: t.Description, Status: t.Status, Due: t.Due, ContactID: t.ContactID}
}

// apply returns f with p's fields set, and the names of the fields p sets.
func (p Patch) apply(f fields) (fields, []string) {
	var names []string
	set := func(name string, dst, v *string) {
		if v != nil {
			*dst = *v
			names = append(names, name)
		}
	}
	set("title", &f.Title, p.Title)
	set("description", &f.Description, p.Description)
	if p.Status != nil {
		f.Status = *p.Status
		names = append(names, "status")
	}
	set("due", &f.Due, p.Due)
	set("contact_id", &f.ContactID, p.ContactID)
	return f, names
}

// normalize trims and checks f, returning errs.Invalid for the first bad field.
func normalize(f fields) (fields, error) {
	f.Title = strings.TrimSpace(f.Title)
	f.Description = strings.TrimSpace(f.Description)
	f.Due = strings.TrimSpace(f.Due)
	f.ContactID = strings.TrimSpace(f.ContactID)
	if f.Title == "" {
		return f, errs.E(errs.Invalid, "title is required")
	}
	if err := workspace.CheckText("title", f.Title, MaxTitle, false); err != nil {
		return f, err
	}
	if err := workspace.CheckText("description", f.Description, MaxDescription, true); err != nil {
		return f, err
	}
	if !f.Status.Valid() {
		return f, errs.E(errs.Invalid, "status must be open, in_progress or done")
	}
	if err := checkDate("due", f.Due); err != nil {
		return f, err
	}
	if f.ContactID != "" {
		if err := checkID("contact_id", f.ContactID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// checkDate accepts "" or a real calendar date written YYYY-MM-DD.
func checkDate(field, v string) error {
	if v == "" {
		return nil
	}
	if d, err := time.Parse(time.DateOnly, v); err != nil || d.Format(time.DateOnly) != v {
		return errs.E(errs.Invalid, "%s must be a date written YYYY-MM-DD, e.g. 2025-03-31", field)
	}
	return nil
}

// checkID rejects ids that cannot be real before they reach a message.
func checkID(field, id string) error {
	if strings.TrimSpace(id) == "" {
		return errs.E(errs.Invalid, "%s is required", field)
	}
	return workspace.CheckText(field, id, maxIDChars, false)
}
