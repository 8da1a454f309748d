package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/soisnode/soisnode/store"
)

// Main runs a package's tests and stops a cluster started for them. Use it
// from TestMain in every package that calls Each or Postgres.
func Main(m *testing.M) {
	code := m.Run()
	started.Stop()
	os.Exit(code)
}

// Each runs fn against a fresh, migrated SQLite database and a fresh,
// migrated PostgreSQL database, as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// URLs returns the database URLs Each would use, for tests that start
// whole nodes (which open the database themselves).
func URLs(t testing.TB) map[string]string {
	return map[string]string{"sqlite": SQLiteURL(t), "postgres": PostgresURL(t)}
}

// SQLiteURL returns the URL of a new, empty SQLite file in t's temp folder.
func SQLiteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "sois.db")
}

// SQLite opens a migrated SQLite database in t's temp folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return Open(t, SQLiteURL(t))
}

// PostgresURL creates an empty database on the test server, dropped when
// t ends, and returns its URL. A missing server fails the test: PostgreSQL
// tests never skip.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin, err := AdminURL()
	if err != nil {
		t.Fatalf("postgres for tests: %v", err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("postgres for tests: connect: %v", err)
	}
	defer conn.Close(ctx)
	name := NewDatabaseName()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return WithDatabase(admin, name)
}

// Postgres opens a migrated, fresh PostgreSQL database.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return Open(t, PostgresURL(t))
}

// Open opens url and applies soisnode's schema (not the job queue's;
// node.Migrate adds that); the database is closed when t ends.
func Open(t testing.TB, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
