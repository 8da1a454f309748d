// Package contacts is the workspace's address book: people outside the
// workspace with their email, phone, company and tags. It offers plain Go
// functions (used by the tools, the CLI and demo seeding) and the
// contacts_* workspace tools built on them. Every query runs in the
// caller's transaction and is filtered by workspace, so another
// workspace's contact looks exactly like one that does not exist.
package contacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Contact is one person in the address book.
type Contact struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Phone     string    `json:"phone"`
	Company   string    `json:"company"`
	Title     string    `json:"title"`
	City      string    `json:"city"`
	Tags      []string  `json:"tags"`
	Notes     string    `json:"notes"`
	OwnerID   string    `json:"owner_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ref names the contact in receipts: "contact/<id>".
func (c Contact) Ref() string { return "contact/" + c.ID }

// Label is the contact's name with title and company when known, e.g.
// "Jane Doe (CEO, Acme Corp)".
func (c Contact) Label() string {
	var extra []string
	for _, s := range []string{c.Title, c.Company} {
		if s != "" {
			extra = append(extra, s)
		}
	}
	if len(extra) == 0 {
		return c.Name
	}
	return c.Name + " (" + strings.Join(extra, ", ") + ")"
}

// Fields are a contact's editable fields, as given to Create; they are
// also contacts_create's arguments (the tags are its schema, see
// workspace.SchemaOf; the limits are those of validate.go).
type Fields struct {
	Name    string   `json:"name" schema:"required,minLength=1,maxLength=200" jsonschema:"Full name of the person, e.g. Jane Doe"`
	Email   string   `json:"email" schema:"maxLength=254" jsonschema:"Email address, e.g. jane@acme.com; unique within the workspace"`
	Phone   string   `json:"phone" schema:"maxLength=50" jsonschema:"Phone number: digits, spaces, + ( ) - . / and an optional extension"`
	Company string   `json:"company" schema:"maxLength=200" jsonschema:"Company or organisation the contact works for"`
	Title   string   `json:"title" schema:"maxLength=200" jsonschema:"Job title, e.g. CEO"`
	City    string   `json:"city" schema:"maxLength=200" jsonschema:"City the contact is based in"`
	Tags    []string `json:"tags" schema:"maxItems=20,itemMinLength=1,itemMaxLength=50" jsonschema:"Labels such as customer or investor (at most 20, each at most 50 characters)"`
	Notes   string   `json:"notes" schema:"maxLength=10000" jsonschema:"Free-form notes"`
}

// Patch is a partial update: a nil field stays as it is. A model may send
// null for "leave unchanged", so every field is nullable.
type Patch struct {
	Name    *string   `json:"name" schema:"minLength=1,maxLength=200" jsonschema:"New full name; omit or null to keep"`
	Email   *string   `json:"email" schema:"maxLength=254" jsonschema:"Email address, e.g. jane@acme.com; unique within the workspace"`
	Phone   *string   `json:"phone" schema:"maxLength=50" jsonschema:"Phone number: digits, spaces, + ( ) - . / and an optional extension"`
	Company *string   `json:"company" schema:"maxLength=200" jsonschema:"Company or organisation the contact works for"`
	Title   *string   `json:"title" schema:"maxLength=200" jsonschema:"Job title, e.g. CEO"`
	City    *string   `json:"city" schema:"maxLength=200" jsonschema:"City the contact is based in"`
	Tags    *[]string `json:"tags" schema:"maxItems=20,itemMinLength=1,itemMaxLength=50" jsonschema:"Labels such as customer or investor (at most 20, each at most 50 characters)"`
	Notes   *string   `json:"notes" schema:"maxLength=10000" jsonschema:"Free-form notes"`
}

// apply returns f with p's fields set, and the names of the fields p sets.
func (p Patch) apply(f Fields) (Fields, []string) {
	var names []string
	set := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			names = append(names, name)
		}
	}
	set("name", &f.Name, p.Name)
	set("email", &f.Email, p.Email)
	set("phone", &f.Phone, p.Phone)
	set("company", &f.Company, p.Company)
	set("title", &f.Title, p.Title)
	set("city", &f.City, p.City)
	if p.Tags != nil {
		f.Tags = *p.Tags
		names = append(names, "tags")
	}
	set("notes", &f.Notes, p.Notes)
	return f, names
}

func (c Contact) fields() Fields {
	return Fields{Name: c.Name, Email: c.Email, Phone: c.Phone, Company: c.Company,
		Title: c.Title, City: c.City, Tags: c.Tags, Notes: c.Notes}
}

const columns = `id, name, email, phone, company, title, city, tags, notes, owner_id, created_at, updated_at`

// Create adds a contact owned by ownerID. A contact with the same email
// (case-insensitively) in the workspace is an errs.Conflict.
func Create(ctx context.Context, tx store.Tx, workspaceID, ownerID string, f Fields, now time.Time) (Contact, error) {
	f, err := normalize(f)
	if err != nil {
		return Contact{}, err
	}
	if err := checkEmailFree(ctx, tx, workspaceID, f.Email, ""); err != nil {
		return Contact{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	c := Contact{ID: store.NewIDAt(now), OwnerID: ownerID, CreatedAt: now, UpdatedAt: now}
	c = c.with(f)
	_, err = tx.Exec(ctx, `INSERT INTO contacts (id, workspace_id, owner_id, name, email, email_key, phone, company, title, city, tags, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, workspaceID, c.OwnerID, c.Name, c.Email, strings.ToLower(c.Email), c.Phone, c.Company,
		c.Title, c.City, tagsJSON(c.Tags), c.Notes, store.Micros(now), store.Micros(now))
	if err != nil {
		return Contact{}, writeErr(err, f.Email)
	}
	return c, nil
}

// Get returns the workspace's contact id, or errs.NotFound.
func Get(ctx context.Context, tx store.Tx, workspaceID, id string) (Contact, error) {
	if err := checkID("id", id); err != nil {
		return Contact{}, err
	}
	row := tx.QueryRow(ctx, `SELECT `+columns+` FROM contacts WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	c, err := scan(row)
	if errors.Is(err, store.ErrNoRows) {
		return Contact{}, errs.E(errs.NotFound, "no contact with id %s", id)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("contacts: get %s: %w", id, err)
	}
	return c, nil
}

// Update changes the fields p sets and returns the contact and the names of
// the fields given. A patch that sets nothing is errs.Invalid.
func Update(ctx context.Context, tx store.Tx, workspaceID, id string, p Patch, now time.Time) (Contact, []string, error) {
	c, err := Get(ctx, tx, workspaceID, id)
	if err != nil {
		return Contact{}, nil, err
	}
	f, changed := p.apply(c.fields())
	if len(changed) == 0 {
		return Contact{}, nil, errs.E(errs.Invalid, "nothing to update: give at least one of name, email, phone, company, title, city, tags, notes")
	}
	if f, err = normalize(f); err != nil {
		return Contact{}, nil, err
	}
	if err := checkEmailFree(ctx, tx, workspaceID, f.Email, c.ID); err != nil {
		return Contact{}, nil, err
	}
	c = c.with(f)
	c.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	_, err = tx.Exec(ctx, `UPDATE contacts SET name = ?, email = ?, email_key = ?, phone = ?, company = ?, title = ?, city = ?, tags = ?, notes = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		c.Name, c.Email, strings.ToLower(c.Email), c.Phone, c.Company, c.Title, c.City, tagsJSON(c.Tags), c.Notes,
		store.Micros(c.UpdatedAt), workspaceID, c.ID)
	if err != nil {
		return Contact{}, nil, writeErr(err, f.Email)
	}
	return c, changed, nil
}

// Delete removes a contact and unlinks the tasks that named it; it returns
// the deleted contact and how many tasks were unlinked.
func Delete(ctx context.Context, tx store.Tx, workspaceID, id string, now time.Time) (Contact, int64, error) {
	c, err := Get(ctx, tx, workspaceID, id)
	if err != nil {
		return Contact{}, 0, err
	}
	unlinked, err := tx.Exec(ctx, `UPDATE tasks SET contact_id = '', updated_at = ? WHERE workspace_id = ? AND contact_id = ?`,
		store.Micros(now), workspaceID, c.ID)
	if err != nil {
		return Contact{}, 0, fmt.Errorf("contacts: unlink tasks of %s: %w", c.ID, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM contacts WHERE workspace_id = ? AND id = ?`, workspaceID, c.ID); err != nil {
		return Contact{}, 0, fmt.Errorf("contacts: delete %s: %w", c.ID, err)
	}
	return c, unlinked, nil
}

// checkEmailFree returns errs.Conflict when another contact than except
// already uses email.
func checkEmailFree(ctx context.Context, tx store.Tx, workspaceID, email, except string) error {
	if email == "" {
		return nil
	}
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM contacts WHERE workspace_id = ? AND email_key = ? AND id <> ?`,
		workspaceID, strings.ToLower(email), except).Scan(&id)
	switch {
	case errors.Is(err, store.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("contacts: check email: %w", err)
	}
	return errs.E(errs.Conflict, "a contact with email %s already exists (contact/%s)", email, id)
}

// writeErr turns a lost race on the unique email index into a Conflict.
func writeErr(err error, email string) error {
	if store.IsUniqueViolation(err) {
		return errs.Wrap(errs.Conflict, err, "a contact with email %s already exists", email)
	}
	return fmt.Errorf("contacts: write: %w", err)
}

func (c Contact) with(f Fields) Contact {
	c.Name, c.Email, c.Phone, c.Company = f.Name, f.Email, f.Phone, f.Company
	c.Title, c.City, c.Tags, c.Notes = f.Title, f.City, f.Tags, f.Notes
	if c.Tags == nil {
		c.Tags = []string{}
	}
	return c
}

func tagsJSON(tags []string) string {
	if len(tags) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

func scan(row store.Row) (Contact, error) {
	var c Contact
	var tags string
	var created, updated int64
	err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Company, &c.Title, &c.City, &tags, &c.Notes,
		&c.OwnerID, &created, &updated)
	if err != nil {
		return Contact{}, err
	}
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil || c.Tags == nil {
		c.Tags = []string{}
	}
	return c, nil
}
