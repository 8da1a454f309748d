package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/soisnode/soisnode/store"
)

// Migrator gives a database a schema: soisnode's (what SQLite and Postgres
// use) or a node's (node.Migrate, which adds the job queue's).
type Migrator func(context.Context, *store.DB) error

// Migrating a database takes seconds under -race (SQLite most); a test
// process migrates one template per schema and kind once and copies it
// for every test. Templates are made only under Main, which removes them.
var (
	templatesOn   bool // set by Main
	templateMu    sync.Mutex
	templateDir   string               // SQLite template files
	templateByKey = map[string]*tmpl{} // "sqlite/name", "postgres/name"
	templateDBs   []string             // PostgreSQL template databases
)

// tmpl is one migrated template: a SQLite file or a PostgreSQL database.
type tmpl struct {
	once sync.Once
	path string // SQLite file, or PostgreSQL database name
	err  error
}

// FromTemplate gives the empty database at dbURL the schema migrate makes,
// by copying a template that was migrated once in this test process under
// name (one name per Migrator): a SQLite file that does not exist yet is
// copied from the template's file; an empty database on the test
// PostgreSQL server is created again from the template database. Any
// other database, and every database in a package whose TestMain does not
// call Main, is left as it is (whoever opens it migrates it). The copy
// is what migrate would have made of the empty database.
func FromTemplate(t testing.TB, dbURL, name string, migrate Migrator) {
	t.Helper()
	if !templatesOn {
		return
	}
	var err error
	switch {
	case strings.HasPrefix(dbURL, "sqlite://"):
		err = sqliteFromTemplate(strings.TrimPrefix(dbURL, "sqlite://"), name, migrate)
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		err = postgresFromTemplate(dbURL, name, migrate)
	}
	if err != nil {
		t.Fatalf("storetest: database from template %s: %v", name, err)
	}
}

// template returns the template of kind and name, made on first use.
func template(kind, name string, make func(*tmpl) error) (string, error) {
	templateMu.Lock()
	tp := templateByKey[kind+"/"+name]
	if tp == nil {
		tp = &tmpl{}
		templateByKey[kind+"/"+name] = tp
	}
	templateMu.Unlock()
	tp.once.Do(func() { tp.err = make(tp) })
	return tp.path, tp.err
}

func sqliteFromTemplate(path, name string, migrate Migrator) error {
	if path == ":memory:" {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return nil // not a new file
	}
	src, err := template("sqlite", name, func(tp *tmpl) error {
		templateMu.Lock()
		if templateDir == "" {
			dir, err := os.MkdirTemp("", "soistest-tmpl-")
			if err == nil {
				if err = markOwner(dir); err != nil {
					_ = os.RemoveAll(dir)
				}
			}
			if err != nil {
				templateMu.Unlock()
				return err
			}
			templateDir = dir
		}
		dir := templateDir
		templateMu.Unlock()
		tp.path = filepath.Join(dir, name+".db")
		return migrateTemplate("sqlite://"+tp.path, migrate)
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	// Closing the template checkpointed its WAL; copy whatever is left.
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(src+suffix, path+suffix); err != nil && !(suffix != "" && errors.Is(err, os.ErrNotExist)) {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func postgresFromTemplate(dbURL, name string, migrate Migrator) error {
	admin, err := AdminURL()
	if err != nil {
		return err
	}
	au, err1 := url.Parse(admin)
	u, err2 := url.Parse(dbURL)
	if err1 != nil || err2 != nil || u.Host != au.Host {
		return nil // not the test server
	}
	db := strings.TrimPrefix(u.Path, "/")
	ctx := context.Background()
	if empty, err := emptyDatabase(ctx, dbURL); err != nil || !empty {
		return err
	}
	src, err := postgresTemplate(admin, name, migrate)
	if err != nil {
		return err
	}
	// The database is new and empty: make it again as a copy of the
	// template. One that someone holds open cannot be dropped; it is left
	// to be migrated by whoever opens it.
	if err := adminExec(ctx, admin, "DROP DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		return nil
	}
	return adminExec(ctx, admin, createSQL(pgx.Identifier{db}.Sanitize(), src))
}

// postgresTemplate returns the name of the template database name on the
// server at admin, made on first use.
func postgresTemplate(admin, name string, migrate Migrator) (string, error) {
	return template("postgres", name, func(tp *tmpl) error {
		tp.path = NewDatabaseName()
		if err := adminExec(context.Background(), admin, createSQL(tp.path, "")); err != nil {
			return err
		}
		templateMu.Lock()
		templateDBs = append(templateDBs, tp.path)
		templateMu.Unlock()
		return migrateTemplate(WithDatabase(admin, tp.path), migrate)
	})
}

// createSQL creates database name as a copy of template ("": template1).
// STRATEGY FILE_COPY copies the files (a checkpoint, cheap with fsync
// off) instead of logging every block: a few times faster for the small
// databases of tests.
func createSQL(name, template string) string {
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	}
	return q + " STRATEGY FILE_COPY"
}

// emptyDatabase says whether the database at dbURL has no table yet.
func emptyDatabase(ctx context.Context, dbURL string) (bool, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return false, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n)
	return n == 0, err
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// migrateTemplate migrates the template at dbURL and closes it, so it can
// be copied.
func migrateTemplate(dbURL string, migrate Migrator) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return fmt.Errorf("migrate: %w", err)
	}
	db.Close()
	return nil
}

// removeTemplates drops what the templates left (Main, after the tests).
func removeTemplates() {
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateDir != "" {
		_ = os.RemoveAll(templateDir)
	}
	if len(templateDBs) > 0 && adminURL != "" && started == nil { // a started cluster goes whole
		for _, name := range templateDBs {
			_ = adminExec(context.Background(), adminURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
	}
}
