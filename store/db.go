package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is an open database of either dialect.
type DB struct {
	dialect Dialect
	sqlite  *sql.DB       // SQLite: one connection, WAL
	reader  *sql.DB       // SQLite file: read-only connections for SELECTs outside transactions (nil for :memory:)
	pool    *pgxpool.Pool // PostgreSQL
	// observer, when set, is told every statement run through this DB
	// and its transactions (Observe).
	observer atomic.Pointer[func(query string)]
}

var _ Querier = (*DB)(nil)
var _ Transactor = (*DB)(nil)

// Open connects to url: "sqlite://path/to/file.db" (parent folders are
// created), "sqlite::memory:" for tests, or "postgres://…" / "postgresql://…".
// It does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("store: parse postgres url: %w", redact(err))
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("store: connect postgres: %w", redact(err))
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: ping postgres: %w", redact(err))
		}
		return &DB{dialect: Postgres, pool: pool}, nil
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if path == "" {
			return nil, errors.New("store: sqlite url has no path")
		}
		dsn := "file::memory:?cache=shared"
		if path != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("store: create data folder: %w", err)
			}
			dsn = "file:" + path + "?"
		} else {
			dsn += "&"
		}
		// WAL so CLI processes can read while serve writes; IMMEDIATE
		// transactions so a writer waits (busy_timeout) instead of failing
		// to upgrade a read lock. temp_store MEMORY keeps the statement
		// journal of a savepoint (each accept of a group commit runs in
		// one, conversation.Batcher) in memory: by default SQLite spills
		// it to a temporary file past 64 KiB, and from then on every page
		// an accept changes costs a pwrite (an A2A send, with its task
		// and messageId rows, crossed that line; docs/benchmarks.md).
		dsn += "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate"
		db := openSQLite(dsn)
		// River's SQLite driver and SQLite itself want one writer; one
		// connection serialises all access in-process without SQLITE_BUSY.
		db.SetMaxOpenConns(1)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
		}
		out := &DB{dialect: SQLite, sqlite: db}
		if path != ":memory:" {
			// WAL lets readers run beside the one writer: SELECTs outside
			// a transaction (authentication, polls, ?wait= reads, the
			// backlog check's readings) no longer queue for the writer's
			// connection behind turns' transactions (docs/benchmarks.md).
			// query_only makes a misrouted write fail instead of racing
			// the writer.
			out.reader = openSQLite("file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)")
			out.reader.SetMaxOpenConns(readers)
			out.reader.SetMaxIdleConns(readers)
		}
		return out, nil
	}
	return nil, fmt.Errorf("store: unsupported database url (want sqlite://… or postgres://…)")
}

// readers is how many read-only SQLite connections a DB keeps.
const readers = 4

// readOnly says whether q may run on a read-only connection: a plain
// SELECT (anything else, including WITH … INSERT, goes to the writer).
func readOnly(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// querier is the connection pool q runs on outside a transaction.
func (db *DB) querier(q string) *sql.DB {
	if db.reader != nil && readOnly(q) {
		return db.reader
	}
	return db.sqlite
}

// redact drops a connection error's text that could carry a password.
func redact(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		if j := strings.Index(msg[i:], "@"); j >= 0 {
			msg = msg[:i+3] + "…" + msg[i+j:]
		}
	}
	return errors.New(msg)
}

// Dialect tells which engine this DB is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the *sql.DB of a SQLite database (nil for PostgreSQL).
func (db *DB) SQL() *sql.DB { return db.sqlite }

// Pool returns the pgx pool of a PostgreSQL database (nil for SQLite).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close releases the database.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
		return nil
	}
	if db.reader != nil {
		_ = db.reader.Close()
	}
	return db.sqlite.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if db.pool != nil {
		return db.pool.Ping(ctx)
	}
	return db.sqlite.PingContext(ctx)
}

// Observe has fn told the text of every statement run from now on
// through db and the transactions it begins (as written, before
// rebinding), until it is called again (nil: no one). It is how a test
// counts what an operation reads; statements run on Raw handles (River's)
// are not seen.
func (db *DB) Observe(fn func(query string)) {
	if fn == nil {
		db.observer.Store(nil)
		return
	}
	db.observer.Store(&fn)
}

// observe tells the observer, if any, of q.
func (db *DB) observe(q string) {
	if fn := db.observer.Load(); fn != nil {
		(*fn)(q)
	}
}

// Exec implements Querier.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	db.observe(q)
	if db.pool != nil {
		tag, err := db.pool.Exec(ctx, Rebind(Postgres, q), args...)
		return tag.RowsAffected(), err
	}
	return sqlExec(ctx, db.sqlite, q, args)
}

// Query implements Querier.
func (db *DB) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	db.observe(q)
	if db.pool != nil {
		rows, err := db.pool.Query(ctx, Rebind(Postgres, q), args...)
		return pgRows{rows}, err
	}
	rows, err := db.querier(q).QueryContext(ctx, q, args...)
	return sqlRows{rows}, err
}

// QueryRow implements Querier.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) Row {
	db.observe(q)
	if db.pool != nil {
		return pgRow{db.pool.QueryRow(ctx, Rebind(Postgres, q), args...)}
	}
	return sqlRow{db.querier(q).QueryRowContext(ctx, q, args...)}
}

// InTx implements Transactor.
func (db *DB) InTx(ctx context.Context, fn func(tx Tx) error) (err error) {
	if db.pool != nil {
		ptx, err := db.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("store: begin: %w", err)
		}
		defer func() {
			if err != nil {
				_ = ptx.Rollback(context.WithoutCancel(ctx))
			}
		}()
		if err = fn(pgTx{ptx, db}); err != nil {
			return err
		}
		if err = ptx.Commit(ctx); err != nil {
			return fmt.Errorf("store: commit: %w", err)
		}
		return nil
	}
	stx, err := db.sqlite.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = stx.Rollback()
		}
	}()
	if err = fn(sqlTx{stx, db}); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

type sqlExecer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func sqlExec(ctx context.Context, e sqlExecer, q string, args []any) (int64, error) {
	res, err := e.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

type sqlTx struct {
	tx *sql.Tx
	db *DB
}

func (t sqlTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	t.db.observe(q)
	return sqlExec(ctx, t.tx, q, args)
}
func (t sqlTx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	t.db.observe(q)
	rows, err := t.tx.QueryContext(ctx, q, args...)
	return sqlRows{rows}, err
}
func (t sqlTx) QueryRow(ctx context.Context, q string, args ...any) Row {
	t.db.observe(q)
	return sqlRow{t.tx.QueryRowContext(ctx, q, args...)}
}
func (t sqlTx) Dialect() Dialect { return SQLite }
func (t sqlTx) Raw() any         { return t.tx }

type pgTx struct {
	tx pgx.Tx
	db *DB
}

func (t pgTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	t.db.observe(q)
	tag, err := t.tx.Exec(ctx, Rebind(Postgres, q), args...)
	return tag.RowsAffected(), err
}
func (t pgTx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	t.db.observe(q)
	rows, err := t.tx.Query(ctx, Rebind(Postgres, q), args...)
	return pgRows{rows}, err
}
func (t pgTx) QueryRow(ctx context.Context, q string, args ...any) Row {
	t.db.observe(q)
	return pgRow{t.tx.QueryRow(ctx, Rebind(Postgres, q), args...)}
}
func (t pgTx) Dialect() Dialect { return Postgres }
func (t pgTx) Raw() any         { return t.tx }

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() {
	if r.Rows != nil {
		_ = r.Rows.Close()
	}
}

type sqlRow struct{ *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	if err := r.Row.Scan(dest...); errors.Is(err, sql.ErrNoRows) {
		return ErrNoRows
	} else {
		return err
	}
}

type pgRows struct{ pgx.Rows }

func (r pgRows) Close() {
	if r.Rows != nil {
		r.Rows.Close()
	}
}

type pgRow struct{ pgx.Row }

func (r pgRow) Scan(dest ...any) error {
	if err := r.Row.Scan(dest...); errors.Is(err, pgx.ErrNoRows) {
		return ErrNoRows
	} else {
		return err
	}
}
