package store

// A per-connection prepared-statement cache for SQLite. modernc.org/sqlite
// through database/sql parses every statement on every call; River's job
// insert alone spends ~155 µs parsing, a fifth of the accept path
// (docs/benchmarks.md). Statements are cached per connection (at most 512,
// single statements only); a cached statement busy with open rows is not
// reused until they close — database/sql never uses one connection from
// two goroutines at once.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"
	"strings"

	"modernc.org/sqlite"
)

// openSQLite opens dsn with the statement cache.
func openSQLite(dsn string) *sql.DB { return sql.OpenDB(cachingConnector{dsn: dsn}) }

// cachingConnector opens modernc.org/sqlite connections wrapped in the cache.
type cachingConnector struct{ dsn string }

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cconn{Conn: conn, stmts: map[string]*cstmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return &sqlite.Driver{} }

type cconn struct {
	driver.Conn
	stmts map[string]*cstmt
}

type cstmt struct {
	driver.Stmt
	busy bool
}

func cacheable(q string) bool {
	return !strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";")
}

func (c *cconn) get(ctx context.Context, q string) (*cstmt, bool, error) {
	if s, ok := c.stmts[q]; ok && !s.busy {
		return s, true, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, false, err
	}
	s := &cstmt{Stmt: st}
	if _, ok := c.stmts[q]; !ok && len(c.stmts) < 512 && cacheable(q) {
		c.stmts[q] = s
		return s, true, nil
	}
	return s, false, nil
}

func (c *cconn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	s, cached, err := c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	if !cached {
		s.Close()
	}
	return res, err
}

func (c *cconn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	s, cached, err := c.get(ctx, q)
	if err != nil {
		return nil, err
	}
	s.busy = true
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.busy = false
		if !cached {
			s.Close()
		}
		return nil, err
	}
	return &crows{Rows: rows, done: func() {
		s.busy = false
		if !cached {
			s.Close()
		}
	}}, nil
}

func (c *cconn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *cconn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cconn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cconn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cconn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *cconn) Close() error {
	for _, s := range c.stmts {
		s.Close()
	}
	return c.Conn.Close()
}

type crows struct {
	driver.Rows
	done   func()
	closed bool
}

func (r *crows) Close() error {
	err := r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.done()
	}
	return err
}

func (r *crows) ColumnTypeDatabaseTypeName(i int) string {
	return r.Rows.(driver.RowsColumnTypeDatabaseTypeName).ColumnTypeDatabaseTypeName(i)
}

func (r *crows) ColumnTypeScanType(i int) reflect.Type {
	return r.Rows.(driver.RowsColumnTypeScanType).ColumnTypeScanType(i)
}
