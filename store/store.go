// Package store is soisnode's persistence: one schema, two drivers.
// SQLite (modernc.org/sqlite, pure Go) is the embedded default and
// PostgreSQL (pgx/v5 pool) is for production and for several nodes sharing
// one database.
//
// Packages own their SQL, written once in a dialect-neutral subset with `?`
// placeholders (rewritten to `$n` for PostgreSQL). Conventions that keep one
// SQL text valid on both: ids are TEXT (ULIDs), times are BIGINT unix
// microseconds, money is BIGINT micro-dollars, JSON is TEXT, columns are NOT
// NULL with defaults (no NULL scanning), case-insensitive matching uses
// lower(col) LIKE lower(?).
package store

import (
	"context"
	"errors"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// ErrNoRows is returned by Row.Scan when the query matched nothing.
var ErrNoRows = errors.New("store: no rows")

// Querier runs SQL. Both *DB and Tx implement it.
type Querier interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query returning rows; the caller must Close them.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a query expected to return at most one row.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Dialect tells which engine runs the SQL, for the rare statement that differs.
	Dialect() Dialect
}

// Rows is a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result; Scan returns ErrNoRows when there was none.
type Row interface {
	Scan(dest ...any) error
}

// Tx is a database transaction.
type Tx interface {
	Querier
	// Raw returns the driver transaction (*sql.Tx for SQLite, pgx.Tx for
	// PostgreSQL) for libraries that must join it, such as the job queue.
	Raw() any
}

// Transactor opens transactions. *DB implements it.
type Transactor interface {
	// InTx runs fn in a transaction, committing if fn returns nil and
	// rolling back otherwise. fn must use tx, never the DB, for all queries
	// (SQLite has a single connection: using the DB inside fn deadlocks).
	InTx(ctx context.Context, fn func(tx Tx) error) error
}
