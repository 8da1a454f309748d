package contacts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Filter selects contacts. Text filters match case-insensitively anywhere
// in the field; Tag matches one whole tag. Empty filters match everything.
type Filter struct {
	Query   string `json:"query" schema:"maxLength=200" jsonschema:"Free text; every word must appear in the name, email, company, title, city, notes or tags"`
	Name    string `json:"name" schema:"maxLength=200" jsonschema:"Part of the name (case-insensitive)"`
	Email   string `json:"email" schema:"maxLength=200" jsonschema:"Part of the email address, e.g. @acme.com"`
	Company string `json:"company" schema:"maxLength=200" jsonschema:"Part of the company name"`
	City    string `json:"city" schema:"maxLength=200" jsonschema:"Part of the city name"`
	Tag     string `json:"tag" schema:"maxLength=50" jsonschema:"A whole tag the contact must carry (case-insensitive)"`
	Limit   int    `json:"limit" schema:"minimum=1,maximum=100" jsonschema:"Page size, default 20"`
	Cursor  string `json:"cursor" schema:"maxLength=1000" jsonschema:"next_cursor from the previous page, to get the next one"`
}

// Page is one page of contacts in (name, id) order.
type Page struct {
	Contacts   []Contact `json:"contacts"`
	NextCursor string    `json:"next_cursor"` // "" on the last page
}

// cursor is the keyset position after the last contact of a page.
type cursor struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

// searchFields are the columns free-text queries look in.
var searchFields = []string{"name", "email", "company", "title", "city", "notes", "tags"}

// Search returns the workspace's contacts matching f, ordered by name.
func Search(ctx context.Context, tx store.Tx, workspaceID string, f Filter) (Page, error) {
	where := []string{"workspace_id = ?"}
	args := []any{workspaceID}
	like := func(col, v string) {
		where = append(where, "lower("+col+`) LIKE lower(?) ESCAPE '\'`)
		args = append(args, store.Contains(v))
	}
	filters := []struct{ col, v string }{
		{"name", f.Name}, {"email", f.Email}, {"company", f.Company}, {"city", f.City}, {"tag", f.Tag}, {"query", f.Query},
	}
	for _, c := range filters {
		if err := workspace.CheckText(c.col, c.v, maxQuery, false); err != nil {
			return Page{}, err
		}
	}
	for _, word := range strings.Fields(f.Query) {
		var anyField []string
		for _, col := range searchFields {
			anyField = append(anyField, "lower("+col+`) LIKE lower(?) ESCAPE '\'`)
			args = append(args, store.Contains(word))
		}
		where = append(where, "("+strings.Join(anyField, " OR ")+")")
	}
	for _, c := range filters[:4] {
		if v := strings.TrimSpace(c.v); v != "" {
			like(c.col, v)
		}
	}
	if tag := strings.TrimSpace(f.Tag); tag != "" {
		b, _ := json.Marshal(tag) // the tag as it appears, quoted, in the stored array
		like("tags", string(b))
	}
	if f.Cursor != "" {
		var c cursor
		if err := store.DecodeCursor(f.Cursor, &c); err != nil {
			return Page{}, err
		}
		if c.ID == "" {
			return Page{}, errs.E(errs.Invalid, "cursor is not a contacts cursor")
		}
		where = append(where, "(name > ? OR (name = ? AND id > ?))")
		args = append(args, c.Name, c.Name, c.ID)
	}
	limit := workspace.PageLimit(f.Limit)
	found, more, err := workspace.QueryPage(ctx, tx, limit, scan, `SELECT `+columns+` FROM contacts WHERE `+strings.Join(where, " AND ")+
		` ORDER BY name, id LIMIT ?`, args...)
	if err != nil {
		return Page{}, fmt.Errorf("contacts: search: %w", err)
	}
	page := Page{Contacts: found}
	if more {
		last := found[len(found)-1]
		page.NextCursor = store.EncodeCursor(cursor{Name: last.Name, ID: last.ID})
	}
	return page, nil
}
