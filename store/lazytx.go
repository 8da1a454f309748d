package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// InDeferTx runs fn in a transaction whose statements can be deferred
// (DeferTx), and commits it when fn returns nil, like InTx. On
// PostgreSQL the transaction's BEGIN is itself held back and sent in one
// pipeline with its first statement, and COMMIT goes in one pipeline with
// whatever is still held when fn returns (DeferExec's writes): a
// transaction of n statements costs n round trips to the server, not
// n + 2. A deferred write that fails fails the commit (nothing of the
// transaction stays). On SQLite it is InTx with Deferring.
func (db *DB) InDeferTx(ctx context.Context, fn func(tx *DeferTx) error) (err error) {
	if db.pool == nil {
		return db.InTx(ctx, func(tx Tx) error { return fn(Deferring(tx)) })
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	// A connection released inside a transaction (a failed ROLLBACK) or
	// busy is closed by the pool, not reused.
	defer conn.Release()
	ct := connTx{conn: conn.Conn()}
	t := &DeferTx{Tx: pgTx{ct, db}, pg: ct, db: db, lazy: true, pending: []deferred{{q: "BEGIN", quiet: true}}}
	defer func() {
		if err != nil && t.begun {
			_, _ = ct.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	return t.commit(ctx)
}

// commit sends what is held and COMMIT in one pipeline (InDeferTx).
func (t *DeferTx) commit(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if err := t.unabort(ctx); err != nil {
		return err
	}
	n := len(t.pending)
	t.pending = append(t.pending, deferred{q: "COMMIT", quiet: true})
	br := t.send(ctx, "")
	defer br.Close()
	for range n {
		if _, err := br.Exec(); err != nil {
			return t.fail(err)
		}
	}
	tag, err := br.Exec()
	if err == nil {
		err = br.Close()
	}
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if tag.String() != "COMMIT" {
		// COMMIT of a transaction a failed statement aborted answers
		// ROLLBACK: nothing was committed.
		return fmt.Errorf("store: commit: %w", errRolledBack)
	}
	return nil
}

var errRolledBack = errors.New("the transaction was rolled back")

// connTx is a pgx.Tx over a connection on which InDeferTx began (or will
// begin, with its first statement) a transaction: what a library joining
// the transaction through DeferTx.Raw (River's insert) runs on. BEGIN,
// COMMIT and ROLLBACK are InDeferTx's; it has no nested transactions and
// no large objects.
type connTx struct{ conn *pgx.Conn }

var _ pgx.Tx = connTx{}

func (t connTx) Begin(context.Context) (pgx.Tx, error) {
	return nil, errors.New("store: no nested transaction in a deferred transaction")
}
func (t connTx) Commit(context.Context) error {
	return errors.New("store: a deferred transaction is committed by InDeferTx")
}
func (t connTx) Rollback(context.Context) error {
	return errors.New("store: a deferred transaction is rolled back by InDeferTx")
}
func (t connTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}
func (t connTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}
func (t connTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }
func (t connTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}
func (t connTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}
func (t connTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}
func (t connTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}
func (t connTx) Conn() *pgx.Conn { return t.conn }
