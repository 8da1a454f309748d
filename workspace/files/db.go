package files

import (
	"context"
	"errors"
	"fmt"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// columns are the metadata columns, in scanFile's order; content is
// loaded only when asked for.
const columns = `id, workspace_id, parent_id, kind, name, content_type, size, sha256, created_by, created_at, updated_at`

func scanFile(r store.Row) (File, error) {
	var f File
	var kind string
	var created, updated int64
	err := r.Scan(&f.ID, &f.WorkspaceID, &f.FolderID, &kind, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedBy, &created, &updated)
	f.Kind = Kind(kind)
	f.CreatedAt = store.Time(created)
	f.UpdatedAt = store.Time(updated)
	return f, err
}

// get loads one file or folder of ws; anything else is NotFound.
func get(ctx context.Context, q store.Querier, ws, id string) (File, error) {
	if id == "" {
		return File{}, errs.E(errs.Invalid, "an id is required")
	}
	f, err := scanFile(q.QueryRow(ctx, `SELECT `+columns+` FROM files WHERE workspace_id = ? AND id = ?`, ws, id))
	if errors.Is(err, store.ErrNoRows) {
		return File{}, errs.E(errs.NotFound, "no file or folder %q", id)
	}
	if err != nil {
		return File{}, fmt.Errorf("files: get %s: %w", id, err)
	}
	return f, nil
}

// folder loads folder id of ws; "" is the root, returned as the zero File.
// A file id is Invalid, an unknown id NotFound.
func folder(ctx context.Context, q store.Querier, ws, id string) (File, error) {
	if id == "" {
		return File{Kind: KindFolder}, nil
	}
	f, err := get(ctx, q, ws, id)
	if errs.Is(err, errs.NotFound) {
		return File{}, errs.E(errs.NotFound, "no folder %q", id)
	}
	if err != nil {
		return File{}, err
	}
	if f.Kind != KindFolder {
		return File{}, errs.E(errs.Invalid, "%s (%q) is a file, not a folder", id, f.Name)
	}
	return f, nil
}

// content loads the bytes of file id of ws.
func content(ctx context.Context, q store.Querier, ws, id string) ([]byte, error) {
	var data []byte
	err := q.QueryRow(ctx, `SELECT content FROM files WHERE workspace_id = ? AND id = ?`, ws, id).Scan(&data)
	if errors.Is(err, store.ErrNoRows) {
		return nil, errs.E(errs.NotFound, "no file %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("files: read content of %s: %w", id, err)
	}
	return nonNil(data), nil
}

// nameFree checks that no entry of folder parent other than except is
// called name, ignoring case.
func nameFree(ctx context.Context, q store.Querier, ws, parent, name, except string) error {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM files WHERE workspace_id = ? AND parent_id = ? AND lower(name) = lower(?) AND id <> ?`,
		ws, parent, name, except).Scan(&n)
	if err != nil {
		return fmt.Errorf("files: check name: %w", err)
	}
	if n > 0 {
		return errTaken(name)
	}
	return nil
}

func errTaken(name string) error {
	return errs.E(errs.Conflict, "a file or folder named %q already exists in that folder", name)
}

// insert writes a new entry with its content.
func insert(ctx context.Context, q store.Querier, f File, data []byte) error {
	_, err := q.Exec(ctx, `INSERT INTO files (`+columns+`, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.WorkspaceID, f.FolderID, string(f.Kind), f.Name, f.ContentType, f.Size, f.SHA256, f.CreatedBy,
		store.Micros(f.CreatedAt), store.Micros(f.UpdatedAt), nonNil(data))
	if store.IsUniqueViolation(err) {
		return errTaken(f.Name)
	}
	if err != nil {
		return fmt.Errorf("files: insert: %w", err)
	}
	return nil
}

// update changes an entry's folder and name.
func update(ctx context.Context, q store.Querier, f File) error {
	_, err := q.Exec(ctx, `UPDATE files SET parent_id = ?, name = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		f.FolderID, f.Name, store.Micros(f.UpdatedAt), f.WorkspaceID, f.ID)
	if store.IsUniqueViolation(err) {
		return errTaken(f.Name)
	}
	if err != nil {
		return fmt.Errorf("files: update %s: %w", f.ID, err)
	}
	return nil
}

// removeTree deletes entry id of ws and everything below it, returning how
// many entries went.
func removeTree(ctx context.Context, q store.Querier, ws, id string) (int64, error) {
	n, err := q.Exec(ctx, `WITH RECURSIVE tree(id) AS (
		SELECT id FROM files WHERE workspace_id = ? AND id = ?
		UNION ALL
		SELECT f.id FROM files f JOIN tree t ON f.parent_id = t.id WHERE f.workspace_id = ?
	) DELETE FROM files WHERE workspace_id = ? AND id IN (SELECT id FROM tree)`, ws, id, ws, ws)
	if err != nil {
		return 0, fmt.Errorf("files: delete %s: %w", id, err)
	}
	return n, nil
}

// maxDepth bounds the walk up a folder chain; a longer chain means a cycle.
const maxDepth = 10000

// within reports whether folder id of ws is ancestor or lies below it.
func within(ctx context.Context, q store.Querier, ws, id, ancestor string) (bool, error) {
	for range maxDepth {
		if id == "" {
			return false, nil
		}
		if id == ancestor {
			return true, nil
		}
		err := q.QueryRow(ctx, `SELECT parent_id FROM files WHERE workspace_id = ? AND id = ?`, ws, id).Scan(&id)
		if errors.Is(err, store.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("files: walk folders: %w", err)
		}
	}
	return false, fmt.Errorf("files: folder chain of %s is deeper than %d", id, maxDepth)
}
