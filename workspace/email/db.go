package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// columns are the emails columns in scanEmail's order.
const columns = `id, sender_member_id, from_addr, to_addrs, cc_addrs, subject, body, attachments, status, error, message_id, created_at, sent_at`

// insert records e in the outbox of ws.
func insert(ctx context.Context, q store.Querier, ws string, e *Email) error {
	to, cc, atts := jsonText(e.To), jsonText(e.Cc), jsonText(e.Attachments)
	_, err := q.Exec(ctx, `INSERT INTO emails (workspace_id, `+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ws, e.ID, e.SenderMemberID, e.From, to, cc, e.Subject, e.Body, atts, e.Status, e.Error, e.MessageID,
		store.Micros(e.CreatedAt), micros(e.SentAt))
	if err != nil {
		return fmt.Errorf("email: record %s: %w", e.ID, err)
	}
	return nil
}

// Get returns email id of workspace ws (the page an email_send receipt
// "email/<id>" links to); another workspace's id is errs.NotFound.
func Get(ctx context.Context, q store.Querier, ws, id string) (Email, error) {
	e, err := scanEmail(q.QueryRow(ctx, `SELECT `+columns+` FROM emails WHERE workspace_id = ? AND id = ?`, ws, id))
	if errors.Is(err, store.ErrNoRows) {
		return Email{}, errs.E(errs.NotFound, "no email %q", id)
	}
	if err != nil {
		return Email{}, fmt.Errorf("email: get %s: %w", id, err)
	}
	return e, nil
}

// finish records the outcome of a delivery attempt.
func finish(ctx context.Context, q store.Querier, ws string, e Email) error {
	_, err := q.Exec(ctx, `UPDATE emails SET status = ?, error = ?, message_id = ?, sent_at = ? WHERE workspace_id = ? AND id = ?`,
		e.Status, e.Error, e.MessageID, micros(e.SentAt), ws, e.ID)
	if err != nil {
		return fmt.Errorf("email: record outcome of %s: %w", e.ID, err)
	}
	return nil
}

func scanEmail(r store.Row) (Email, error) {
	var e Email
	var to, cc, atts string
	var created, sent int64
	if err := r.Scan(&e.ID, &e.SenderMemberID, &e.From, &to, &cc, &e.Subject, &e.Body, &atts,
		&e.Status, &e.Error, &e.MessageID, &created, &sent); err != nil {
		return Email{}, err
	}
	for _, f := range []struct {
		text string
		dst  any
	}{{to, &e.To}, {cc, &e.Cc}, {atts, &e.Attachments}} {
		if err := json.Unmarshal([]byte(f.text), f.dst); err != nil {
			return Email{}, fmt.Errorf("email %s: stored JSON: %w", e.ID, err)
		}
	}
	e.CreatedAt = store.Time(created)
	if sent != 0 {
		t := store.Time(sent)
		e.SentAt = &t
	}
	return e, nil
}

// jsonText encodes v for a JSON TEXT column, readably ("<" stays "<"):
// nil slices become [].
func jsonText[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // slices of strings and plain structs always encode
	return strings.TrimSuffix(b.String(), "\n")
}

// micros stores an optional time: nil is 0.
func micros(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return store.Micros(*t)
}
