// Package extensions lets a workspace install remote MCP servers
// ("extensions") and offers each of their tools to the agent and to MCP
// clients as ext_<extension>_<tool>, through a workspace.Source.
//
// An extension's URL may carry credentials (userinfo, or a token in the
// query), so it is stored as given but never logged and never shown: only its
// host leaves this package.
package extensions

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// MaxPerWorkspace bounds how many extensions one workspace may install, which
// in turn bounds the remote calls a tool listing makes and the cache size.
const MaxPerWorkspace = 50

// maxURLLen bounds a stored URL.
const maxURLLen = 2048

// Extension is one installed remote MCP server.
type Extension struct {
	ID          string
	WorkspaceID string
	Name        string // [a-z0-9_]{1,32}, unique in the workspace
	URL         string // may hold credentials: never log or show it; use Host
	CreatedAt   time.Time
}

// Host returns the host (and port) of the extension's URL, without any
// credentials, path or query: the only part of the URL that may be shown.
func (e Extension) Host() string { return hostOf(e.URL) }

// LogValue keeps the URL out of logs when an Extension is logged.
func (e Extension) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", e.ID), slog.String("name", e.Name), slog.String("host", e.Host()))
}

// String keeps the URL out of %v.
func (e Extension) String() string { return fmt.Sprintf("extension %s (%s)", e.Name, e.Host()) }

var nameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// ValidName reports whether name is a valid extension name.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// validateURL checks that raw is an absolute http(s) URL with a host. Its
// messages never repeat the URL, which may hold credentials.
func validateURL(raw string) error {
	if raw == "" || len(raw) > maxURLLen || strings.ContainsAny(raw, " \t\r\n") {
		return errs.E(errs.Invalid, "url must be an http or https URL of at most %d characters", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return errs.E(errs.Invalid, "url must be an absolute http or https URL with a host")
	}
	if u.Fragment != "" {
		return errs.E(errs.Invalid, "url must not have a #fragment")
	}
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// Add installs an extension in a workspace. The name must match
// [a-z0-9_]{1,32} and be free in the workspace; the URL must be http(s).
func Add(ctx context.Context, tx store.Tx, workspaceID, name, url string) (Extension, error) {
	if !ValidName(name) {
		return Extension{}, errs.E(errs.Invalid, "extension name must be 1 to 32 of a-z, 0-9 and _")
	}
	if err := validateURL(url); err != nil {
		return Extension{}, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM extensions WHERE workspace_id = ?`, workspaceID).Scan(&n); err != nil {
		return Extension{}, fmt.Errorf("extensions: count: %w", err)
	}
	if n >= MaxPerWorkspace {
		return Extension{}, errs.E(errs.Conflict, "a workspace may install at most %d extensions", MaxPerWorkspace)
	}
	created := store.Micros(time.Now())
	e := Extension{ID: store.NewID(), WorkspaceID: workspaceID, Name: name, URL: url, CreatedAt: store.Time(created)}
	added, err := tx.Exec(ctx, `INSERT INTO extensions (id, workspace_id, name, url, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, name) DO NOTHING`, e.ID, workspaceID, name, url, created)
	if err != nil {
		return Extension{}, fmt.Errorf("extensions: insert %s: %w", name, err)
	}
	if added == 0 {
		return Extension{}, errs.E(errs.Conflict, "an extension named %s is already installed", name)
	}
	return e, nil
}

// Remove uninstalls the workspace's extension called name.
func Remove(ctx context.Context, tx store.Tx, workspaceID, name string) error {
	n, err := tx.Exec(ctx, `DELETE FROM extensions WHERE workspace_id = ? AND name = ?`, workspaceID, name)
	if err != nil {
		return fmt.Errorf("extensions: delete %s: %w", name, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "no extension named %q is installed", name)
	}
	return nil
}

// List returns the workspace's extensions, sorted by name.
func List(ctx context.Context, q store.Querier, workspaceID string) ([]Extension, error) {
	rows, err := q.Query(ctx, `SELECT id, workspace_id, name, url, created_at FROM extensions
		WHERE workspace_id = ? ORDER BY name`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("extensions: list: %w", err)
	}
	defer rows.Close()
	var out []Extension
	for rows.Next() {
		var e Extension
		var created int64
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.Name, &e.URL, &created); err != nil {
			return nil, fmt.Errorf("extensions: scan: %w", err)
		}
		e.CreatedAt = store.Time(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("extensions: list: %w", err)
	}
	return out, nil
}
