package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DeferTx is a transaction that can hold back statements which take no
// arguments and return nothing (SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK
// TO SAVEPOINT) until the next statement it runs: on PostgreSQL they are
// sent in one pipeline with it (a pgx.Batch, one round trip to the server
// for all of them) instead of one round trip each. On SQLite, in-process,
// Defer runs the statement at once.
//
// A deferred statement that fails fails the statement it was sent with
// (and, on PostgreSQL, breaks the transaction: everything after it in the
// same pipeline is skipped). Raw and Flush send whatever is held first,
// so a library joining the transaction (River's insert) sees it as it
// would without the deferral.
type DeferTx struct {
	Tx
	pg      pgx.Tx // nil on SQLite
	db      *DB
	pending []deferred
	err     error // a deferred statement failed: the transaction is broken
	begun   bool  // InDeferTx: the BEGIN held first in pending was sent
	lazy    bool  // InDeferTx's transaction (BEGIN held back)
}

// deferred is a statement held back: its text (as written) and arguments.
type deferred struct {
	q     string
	args  []any
	quiet bool // not told to the observer (BEGIN, as InTx's is not)
}

// Deferring wraps tx, a transaction of db's InTx, so that statements can
// be deferred (see DeferTx).
func Deferring(tx Tx) *DeferTx {
	t := &DeferTx{Tx: tx}
	if p, ok := tx.(pgTx); ok {
		t.pg, t.db = p.tx, p.db
	}
	return t
}

// Defer holds q (no arguments, no result) back to be sent with the next
// statement; on SQLite it runs q now.
func (t *DeferTx) Defer(ctx context.Context, q string) error {
	if t.pg == nil {
		_, err := t.Tx.Exec(ctx, q)
		return err
	}
	t.pending = append(t.pending, deferred{q: q})
	return nil
}

// DeferExec holds q, with args, back like Defer in a transaction of
// InDeferTx on PostgreSQL: a write whose result the caller does not need,
// only whether it failed, which fails the statement it is sent with (or
// InDeferTx's COMMIT, when nothing follows it: nothing of the
// transaction commits). Elsewhere (SQLite, or a transaction of InTx whose
// COMMIT would not send it) it runs q now.
func (t *DeferTx) DeferExec(ctx context.Context, q string, args ...any) error {
	if t.err != nil {
		return t.err
	}
	if !t.HoldsWrites() {
		_, err := t.Exec(ctx, q, args...)
		return err
	}
	t.pending = append(t.pending, deferred{q: q, args: args})
	return nil
}

// HoldsWrites says whether DeferExec holds writes back (a transaction of
// InDeferTx on PostgreSQL) rather than running them at once.
func (t *DeferTx) HoldsWrites() bool { return t.lazy }

// Held says how many deferred statements wait to be sent.
func (t *DeferTx) Held() int { return len(t.pending) }

// Flush sends the deferred statements now, on their own.
func (t *DeferTx) Flush(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if err := t.unabort(ctx); err != nil {
		return err
	}
	if len(t.pending) == 0 {
		return nil
	}
	n := len(t.pending)
	br := t.send(ctx, "")
	defer br.Close()
	for range n {
		if _, err := br.Exec(); err != nil {
			return t.fail(err)
		}
	}
	if err := br.Close(); err != nil {
		return t.fail(err)
	}
	return nil
}

// fail records that a deferred statement failed: the transaction is
// broken, and every later statement fails with the same error.
func (t *DeferTx) fail(err error) error {
	t.err = fmt.Errorf("store: deferred statement: %w", err)
	return t.err
}

// Err is the error of a deferred statement that failed, such as in a
// flush that Raw could not return (nil if none).
func (t *DeferTx) Err() error { return t.err }

// Raw implements Tx: the driver transaction, with the deferred statements
// sent first.
func (t *DeferTx) Raw() any {
	if err := t.Flush(context.Background()); err != nil && t.err == nil {
		t.err = err
	}
	return t.Tx.Raw()
}

// unabort sends the held statements that take no arguments (ROLLBACK TO
// SAVEPOINT and what follows it) at once, in one round trip of the simple
// protocol, when a statement that failed left the transaction aborted: in
// a pipeline, pgx first prepares the statements its connection has not
// prepared yet, and an aborted transaction refuses to prepare anything but
// ROLLBACK (TO SAVEPOINT) and COMMIT, which would fail the whole pipeline.
// The simple protocol runs each statement before it reads the next.
func (t *DeferTx) unabort(ctx context.Context) error {
	if len(t.pending) == 0 || t.pg == nil || t.pg.Conn().PgConn().TxStatus() != 'E' {
		return nil
	}
	var sb strings.Builder
	i := 0
	for ; i < len(t.pending) && t.pending[i].args == nil; i++ {
		if !t.pending[i].quiet {
			t.db.observe(t.pending[i].q)
		}
		sb.WriteString(t.pending[i].q)
		sb.WriteString(";")
	}
	t.pending = t.pending[:copy(t.pending, t.pending[i:])]
	if i == 0 {
		return nil
	}
	if _, err := t.pg.Conn().PgConn().Exec(ctx, sb.String()).ReadAll(); err != nil {
		return t.fail(err)
	}
	return nil
}

// send queues the deferred statements, then q (when not empty), in one
// batch; the deferred ones are gone from t.
func (t *DeferTx) send(ctx context.Context, q string, args ...any) pgx.BatchResults {
	b := &pgx.Batch{}
	for _, p := range t.pending {
		if !p.quiet {
			t.db.observe(p.q)
		}
		if p.args == nil {
			b.Queue(p.q)
		} else {
			b.Queue(Rebind(Postgres, p.q), p.args...)
		}
	}
	if t.lazy {
		t.begun = true // BEGIN, first in pending since InDeferTx, goes now
	}
	if q != "" {
		t.db.observe(q)
		b.Queue(Rebind(Postgres, q), args...)
	}
	t.pending = t.pending[:0]
	return t.pg.SendBatch(ctx, b)
}

// Exec implements Querier.
func (t *DeferTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	if t.err != nil {
		return 0, t.err
	}
	if err := t.unabort(ctx); err != nil {
		return 0, err
	}
	if len(t.pending) == 0 {
		return t.Tx.Exec(ctx, q, args...)
	}
	n := len(t.pending)
	br := t.send(ctx, q, args...)
	defer br.Close()
	for range n {
		if _, err := br.Exec(); err != nil {
			return 0, t.fail(err)
		}
	}
	tag, err := br.Exec()
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), br.Close()
}

// QueryRow implements Querier.
func (t *DeferTx) QueryRow(ctx context.Context, q string, args ...any) Row {
	if t.err != nil {
		return errRow{t.err}
	}
	if err := t.unabort(ctx); err != nil {
		return errRow{err}
	}
	if len(t.pending) == 0 {
		return t.Tx.QueryRow(ctx, q, args...)
	}
	n := len(t.pending)
	br := t.send(ctx, q, args...)
	for range n {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return errRow{t.fail(err)}
		}
	}
	return batchRow{br: br, row: br.QueryRow()}
}

// Query implements Querier; the deferred statements are sent first, on
// their own.
func (t *DeferTx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	if err := t.Flush(ctx); err != nil {
		return nil, err
	}
	return t.Tx.Query(ctx, q, args...)
}

// batchRow is the one row of a batch's last statement; Scan closes the batch.
type batchRow struct {
	br  pgx.BatchResults
	row pgx.Row
}

func (r batchRow) Scan(dest ...any) error {
	err := pgRow{r.row}.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
