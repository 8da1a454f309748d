package negotiation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// AddActions appends receipts of what this side did locally to an open
// negotiation. Run it in the transaction that appends the turn the
// actions belong to.
func AddActions(ctx context.Context, tx store.Tx, workspaceID, id string, actions []workspace.Receipt) error {
	if len(actions) == 0 {
		return nil
	}
	var raw string
	err := tx.QueryRow(ctx, `SELECT actions FROM negotiations WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&raw)
	if err == store.ErrNoRows {
		return errs.E(errs.NotFound, "no negotiation %s", id)
	}
	if err != nil {
		return fmt.Errorf("negotiation: actions of %s: %w", id, err)
	}
	var all []workspace.Receipt
	if err := json.Unmarshal([]byte(raw), &all); err != nil {
		return fmt.Errorf("negotiation: actions of %s: %w", id, err)
	}
	b, err := json.Marshal(append(all, actions...))
	if err != nil {
		return fmt.Errorf("negotiation: actions of %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE negotiations SET actions = ? WHERE workspace_id = ? AND id = ?`, string(b), workspaceID, id); err != nil {
		return fmt.Errorf("negotiation: actions of %s: %w", id, err)
	}
	return nil
}

// ReplaceJWS stores a re-signed envelope for one of this side's turns
// (same content, fresh iat, exp and nonce), sent when the first one
// expired before the peer could take it.
func ReplaceJWS(ctx context.Context, q store.Querier, workspaceID, id string, seq int64, jws string) error {
	if _, err := q.Exec(ctx, `UPDATE negotiation_turns SET jws = ? WHERE workspace_id = ? AND negotiation_id = ? AND seq = ?`,
		jws, workspaceID, id, seq); err != nil {
		return fmt.Errorf("negotiation: re-sign turn %d of %s: %w", seq, id, err)
	}
	return nil
}

// ListParams select a page of a workspace's negotiations.
type ListParams struct {
	WorkspaceID string
	Status      Status // "" for every status
	Limit       int    // default 20, at most 100
	Cursor      string // next_cursor of the previous page
}

// List returns a page of the workspace's negotiations, newest first,
// without their turns, and the cursor of the next page ("" on the last).
func List(ctx context.Context, q store.Querier, p ListParams) ([]Negotiation, string, error) {
	if p.Status != "" && !p.Status.known() {
		return nil, "", errs.E(errs.Invalid, "unknown status %q", p.Status)
	}
	query := `SELECT ` + negotiationCols + ` FROM negotiations WHERE workspace_id = ?`
	args := []any{p.WorkspaceID}
	if p.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(p.Status))
	}
	if p.Cursor != "" {
		c, err := store.DecodeAfter(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		query += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, c.At, c.At, c.ID)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	page, more, err := workspace.QueryPage(ctx, q, workspace.PageLimit(p.Limit), func(r store.Row) (Negotiation, error) {
		n := Negotiation{WorkspaceID: p.WorkspaceID, Turns: []Turn{}}
		return n, scanNegotiation(r, &n)
	}, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("negotiation: list: %w", err)
	}
	next := ""
	if more && len(page) > 0 {
		last := page[len(page)-1]
		next = store.AfterRow(last.CreatedAt, last.ID).Cursor()
	}
	return page, next, nil
}
