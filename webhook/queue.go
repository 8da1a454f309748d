package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// DB is what the queue needs from the database; *store.DB implements it.
type DB interface {
	store.Querier
	store.Transactor
}

// Queue reads and administers deliveries (API, `soisnode deliveries …`).
type Queue struct {
	db  DB
	now func() time.Time
}

// NewQueue returns a Queue on db; now nil means time.Now.
func NewQueue(db DB, now func() time.Time) *Queue {
	if now == nil {
		now = time.Now
	}
	return &Queue{db: db, now: now}
}

// Filter selects deliveries for List.
type Filter struct {
	WorkspaceID string // "" = every workspace (operator tools only)
	KeyID       string // "" = any key
	Status      Status // "" = any
	Before      string // cursor: only ids before this one (ids sort by creation)
	Limit       int    // default 50, at most 500
}

const listColumns = `id, workspace_id, key_id, event, url, status, attempts, next_attempt_at,
	last_status, last_error, created_at, updated_at`

// List returns deliveries newest first, without bodies. Pass the last id as
// Filter.Before for the next page.
func (q *Queue) List(ctx context.Context, f Filter) ([]Delivery, error) {
	var where []string
	var args []any
	if f.WorkspaceID != "" {
		where, args = append(where, "workspace_id = ?"), append(args, f.WorkspaceID)
	}
	if f.KeyID != "" {
		where, args = append(where, "key_id = ?"), append(args, f.KeyID)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, errs.E(errs.Invalid, "unknown delivery status %q", f.Status)
		}
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Before != "" {
		if !store.ValidID(f.Before) {
			return nil, errs.E(errs.Invalid, "invalid cursor %q: pass the id of the last delivery of the previous page (next_cursor)", f.Before)
		}
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	sql := `SELECT ` + listColumns + ` FROM deliveries`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	sql += ` ORDER BY id DESC LIMIT ?`
	rows, err := q.db.Query(ctx, sql, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("webhook: list deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("webhook: list deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhook: list deliveries: %w", err)
	}
	return out, nil
}

func scanDelivery(r store.Row) (Delivery, error) {
	var d Delivery
	var status string
	var next, created, updated int64
	err := r.Scan(&d.ID, &d.WorkspaceID, &d.KeyID, &d.Event, &d.URL, &status, &d.Attempts, &next,
		&d.LastStatus, &d.LastError, &created, &updated)
	d.Status = Status(status)
	d.CreatedAt, d.UpdatedAt = store.Time(created), store.Time(updated)
	if next > 0 {
		d.NextAttemptAt = store.Time(next)
	}
	return d, err
}

// Get returns a delivery with its body and its attempts, oldest first.
// workspaceID "" finds it in any workspace (operator tools); a delivery of
// another workspace is errs.NotFound.
func (q *Queue) Get(ctx context.Context, workspaceID, id string) (Delivery, []Attempt, error) {
	d, err := scanDelivery(q.db.QueryRow(ctx, `SELECT `+listColumns+` FROM deliveries WHERE id = ?`, id))
	if errors.Is(err, store.ErrNoRows) || (err == nil && workspaceID != "" && d.WorkspaceID != workspaceID) {
		return Delivery{}, nil, errs.E(errs.NotFound, "no delivery %s", id)
	}
	if err != nil {
		return Delivery{}, nil, fmt.Errorf("webhook: get delivery: %w", err)
	}
	if err := q.db.QueryRow(ctx, `SELECT body FROM deliveries WHERE id = ?`, id).Scan(&d.Body); err != nil {
		return Delivery{}, nil, fmt.Errorf("webhook: get delivery body: %w", err)
	}
	rows, err := q.db.Query(ctx, `SELECT attempt, status_code, latency_ms, response, error, at
		FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt`, id)
	if err != nil {
		return Delivery{}, nil, fmt.Errorf("webhook: get attempts: %w", err)
	}
	defer rows.Close()
	var attempts []Attempt
	for rows.Next() {
		a := Attempt{DeliveryID: id}
		var latency, at int64
		if err := rows.Scan(&a.Number, &a.StatusCode, &latency, &a.Response, &a.Error, &at); err != nil {
			return Delivery{}, nil, fmt.Errorf("webhook: get attempts: %w", err)
		}
		a.Latency, a.At = time.Duration(latency)*time.Millisecond, store.Time(at)
		attempts = append(attempts, a)
	}
	return d, attempts, rows.Err()
}

// Redeliver puts a delivery back in the queue, due now, with a fresh
// schedule and the same delivery id (receivers de-duplicate on it). It is
// how an operator retries a dead or disabled delivery; it also lifts a 410
// block on the delivery's URL, since the operator asked for it explicitly.
func (q *Queue) Redeliver(ctx context.Context, workspaceID, id string) error {
	return q.db.InTx(ctx, func(tx store.Tx) error {
		var ws, url string
		err := tx.QueryRow(ctx, `SELECT workspace_id, url FROM deliveries WHERE id = ?`, id).Scan(&ws, &url)
		if errors.Is(err, store.ErrNoRows) || (err == nil && workspaceID != "" && ws != workspaceID) {
			return errs.E(errs.NotFound, "no delivery %s", id)
		}
		if err != nil {
			return fmt.Errorf("webhook: redeliver: %w", err)
		}
		now := store.Micros(q.now())
		if _, err := tx.Exec(ctx, `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?,
			last_error = '', updated_at = ? WHERE id = ?`, now, now, id); err != nil {
			return fmt.Errorf("webhook: redeliver: %w", err)
		}
		return enableURL(ctx, tx, ws, url)
	})
}

// EnableURL lifts a 410 block on url, so new deliveries are sent to it again.
// Call it when an integration key's response_url is saved.
func (q *Queue) EnableURL(ctx context.Context, workspaceID, url string) error {
	return enableURL(ctx, q.db, workspaceID, url)
}

func enableURL(ctx context.Context, db store.Querier, workspaceID, url string) error {
	if _, err := db.Exec(ctx, `DELETE FROM webhook_disabled_urls WHERE workspace_id = ? AND url = ?`, workspaceID, url); err != nil {
		return fmt.Errorf("webhook: enable url: %w", err)
	}
	return nil
}
