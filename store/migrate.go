package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every embedded migration not yet applied, each in its
// own transaction, in file-name order. Several processes may call it at
// once: PostgreSQL serialises them with an advisory lock, SQLite with its
// write lock.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx, "") }

// migrate applies the migrations not yet applied up to and including
// version last ("": all of them).
func (db *DB) migrate(ctx context.Context, last string) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	if _, err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if last != "" && version > last {
			break
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("store: read %s: %w", name, err)
		}
		err = db.InTx(ctx, func(tx Tx) error {
			if db.dialect == Postgres {
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(727274)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.Exec(ctx, translate(db.dialect, string(body))); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", version, err)
		}
	}
	return nil
}

// translate adapts what differs between the dialects: a type name, and
// SQLite's WITHOUT ROWID (a table clustered on its primary key), which
// PostgreSQL has no words for and no need of (its tables are heaps with
// the primary key's index beside them).
func translate(d Dialect, sql string) string {
	if d == Postgres {
		sql = strings.ReplaceAll(sql, " BLOB", " BYTEA")
		sql = strings.ReplaceAll(sql, ") WITHOUT ROWID;", ");")
	}
	return sql
}
