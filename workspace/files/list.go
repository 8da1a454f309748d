package files

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Page limits of the search and list tools.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// cursor is the position after the last entry of a page, in listing order
// (folders first, then by name, then by id).
type cursor struct {
	Kind string `json:"k"`
	Name string `json:"n"`
	ID   string `json:"i"`
}

func (c cursor) encode() string { return store.EncodeCursor(c) }

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if err := store.DecodeCursor(s, &c); err != nil || c.ID == "" {
		return cursor{}, errs.E(errs.Invalid, "cursor is not one this tool returned")
	}
	return c, nil
}

// listQuery selects a page of entries.
type listQuery struct {
	Workspace string
	Folder    *string // nil: every folder
	NameLike  string  // "": any name
	Limit     int
	Cursor    string
}

// list returns a page of entries and the cursor of the next page ("" at the end).
func list(ctx context.Context, q store.Querier, lq listQuery) ([]File, string, error) {
	limit := lq.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	where := []string{"workspace_id = ?"}
	args := []any{lq.Workspace}
	if lq.Folder != nil {
		where = append(where, "parent_id = ?")
		args = append(args, *lq.Folder)
	}
	if lq.NameLike != "" {
		where = append(where, `lower(name) LIKE lower(?) ESCAPE '\'`)
		args = append(args, "%"+escapeLike(lq.NameLike)+"%")
	}
	if lq.Cursor != "" {
		c, err := decodeCursor(lq.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(kind < ? OR (kind = ? AND (name > ? OR (name = ? AND id > ?))))")
		args = append(args, c.Kind, c.Kind, c.Name, c.Name, c.ID)
	}
	out, more, err := workspace.QueryPage(ctx, q, limit, scanFile, `SELECT `+columns+` FROM files WHERE `+strings.Join(where, " AND ")+
		` ORDER BY kind DESC, name, id LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("files: list: %w", err)
	}
	next := ""
	if more {
		last := out[len(out)-1]
		next = cursor{Kind: string(last.Kind), Name: last.Name, ID: last.ID}.encode()
	}
	return out, next, nil
}

// escapeLike makes s match literally inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
