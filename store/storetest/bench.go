package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/soisnode/soisnode/store"
)

// The functions in this file are the testing.TB forms of URLs, SQLiteURL,
// PostgresURL, SQLite and Postgres, for benchmarks (*testing.B) and
// helpers shared by tests and benchmarks. They behave the same way: a
// missing PostgreSQL server fails tb, it never skips.

// URLsTB returns a new, empty SQLite URL and a new, empty PostgreSQL
// database URL, keyed "sqlite" and "postgres"; both go away when tb ends.
func URLsTB(tb testing.TB) map[string]string {
	tb.Helper()
	return map[string]string{"sqlite": SQLiteURLTB(tb), "postgres": PostgresURLTB(tb)}
}

// Dialects is the order in which benchmarks visit the databases, so
// their output is stable (map order is not).
var Dialects = []string{"sqlite", "postgres"}

// URLTB returns a new, empty database URL of dialect ("sqlite" or
// "postgres").
func URLTB(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case "sqlite":
		return SQLiteURLTB(tb)
	case "postgres":
		return PostgresURLTB(tb)
	}
	tb.Fatalf("storetest: unknown dialect %q", dialect)
	return ""
}

// SQLiteURLTB returns the URL of a new, empty SQLite file in tb's temp folder.
func SQLiteURLTB(tb testing.TB) string {
	return "sqlite://" + filepath.Join(tb.TempDir(), "sois.db")
}

// PostgresURLTB creates an empty database on the test server, dropped when
// tb ends, and returns its URL.
func PostgresURLTB(tb testing.TB) string {
	tb.Helper()
	admin, err := AdminURL()
	if err != nil {
		tb.Fatalf("postgres for tests: %v", err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("postgres for tests: connect: %v", err)
	}
	defer conn.Close(ctx)
	name := NewDatabaseName()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return WithDatabase(admin, name)
}

// OpenTB opens url and applies soisnode's schema (not the job queue's;
// node.Migrate adds that); the database is closed when tb ends.
func OpenTB(tb testing.TB, url string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		tb.Fatalf("open %s: %v", url, err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}
