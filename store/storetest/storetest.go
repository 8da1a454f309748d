package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/soisnode/soisnode/store"
)

// Main runs a package's tests and stops a cluster started for them, after
// running each of after (the package's own clean-up). Use it from TestMain
// in every package that calls Each or Postgres. Before the tests it reaps
// what test processes killed before their clean-up left (Reap).
func Main(m *testing.M, after ...func()) {
	templatesOn = true
	reapStale()
	code := m.Run()
	for _, f := range after {
		f()
	}
	removeTemplates()
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

// SQLite opens a migrated SQLite database in t's temp folder (a copy of
// a template, under Main).
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	u := SQLiteURL(t)
	FromTemplate(t, u, "store", migrateStore)
	return Open(t, u)
}

// PostgresURL creates an empty database on the test server, dropped when
// t ends, and returns its URL. A missing server fails the test: PostgreSQL
// tests never skip.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "")
}

// createDatabase creates a database on the test server, a copy of the
// database template ("": PostgreSQL's empty template1), dropped when t
// ends, and returns its URL.
func createDatabase(t testing.TB, template string) string {
	t.Helper()
	admin, err := AdminURL()
	if err != nil {
		t.Fatalf("postgres for tests: %v", err)
	}
	name := NewDatabaseName()
	if err := adminExec(context.Background(), admin, createSQL(name, template)); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		_ = adminExec(context.Background(), admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return WithDatabase(admin, name)
}

// Postgres opens a migrated, fresh PostgreSQL database (a copy of a
// template, under Main).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	if !templatesOn {
		return Open(t, PostgresURL(t))
	}
	admin, err := AdminURL()
	if err != nil {
		t.Fatalf("postgres for tests: %v", err)
	}
	tmpl, err := postgresTemplate(admin, "store", migrateStore)
	if err != nil {
		t.Fatalf("storetest: template database: %v", err)
	}
	return Open(t, createDatabase(t, tmpl))
}

// migrateStore is soisnode's schema as a Migrator.
func migrateStore(ctx context.Context, db *store.DB) error { return db.Migrate(ctx) }

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
