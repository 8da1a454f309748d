package conversation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

const convCols = `id, workspace_id, key_id, member_id, status, reply, error, signed_reply, cost, metadata, created_at, updated_at`

func scanConv(r interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var status, meta string
	var cost, created, updated int64
	if err := r.Scan(&c.ID, &c.WorkspaceID, &c.KeyID, &c.MemberID, &status, &c.Reply, &c.Error, &c.SignedReply, &cost, &meta, &created, &updated); err != nil {
		return Conversation{}, err
	}
	c.Status, c.Cost, c.CostUSD = Status(status), money.Micro(cost), money.Micro(cost).String()
	c.Metadata = json.RawMessage(meta)
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	c.Turns = []Turn{}
	return c, nil
}

// Get returns a conversation of a workspace with all its turns. Another
// workspace's conversation is NotFound, exactly like an unknown id.
func Get(ctx context.Context, q store.Querier, workspaceID, id string) (Conversation, error) {
	c, err := scanConv(q.QueryRow(ctx, `SELECT `+convCols+` FROM conversations WHERE id = ? AND workspace_id = ?`, id, workspaceID))
	if err == store.ErrNoRows {
		return Conversation{}, errs.E(errs.NotFound, "no conversation %q", id)
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("conversation: get: %w", err)
	}
	c.Turns, err = turns(ctx, q, id)
	return c, err
}

// Load returns a conversation by id in any workspace (background work).
func Load(ctx context.Context, q store.Querier, id string) (Conversation, error) {
	c, err := scanConv(q.QueryRow(ctx, `SELECT `+convCols+` FROM conversations WHERE id = ?`, id))
	if err == store.ErrNoRows {
		return Conversation{}, errs.E(errs.NotFound, "no conversation %q", id)
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("conversation: load: %w", err)
	}
	c.Turns, err = turns(ctx, q, id)
	return c, err
}

func turns(ctx context.Context, q store.Querier, id string) ([]Turn, error) {
	rows, err := q.Query(ctx, `SELECT turn, message, reply, status, error, actions, cost, created_at, started_at, finished_at
		FROM turns WHERE conversation_id = ? ORDER BY turn`, id)
	if err != nil {
		return nil, fmt.Errorf("conversation: turns: %w", err)
	}
	defer rows.Close()
	out := []Turn{}
	for rows.Next() {
		var t Turn
		var status, actions string
		var cost, created, started, finished int64
		if err := rows.Scan(&t.Turn, &t.Message, &t.Reply, &status, &t.Error, &actions, &cost, &created, &started, &finished); err != nil {
			return nil, fmt.Errorf("conversation: turns: %w", err)
		}
		t.Status, t.Cost, t.CostUSD = Status(status), money.Micro(cost), money.Micro(cost).String()
		t.Actions = []workspace.Receipt{}
		if err := json.Unmarshal([]byte(actions), &t.Actions); err != nil {
			return nil, fmt.Errorf("conversation: turn actions: %w", err)
		}
		t.CreatedAt, t.StartedAt, t.FinishedAt = store.Time(created), optTime(started), optTime(finished)
		out = append(out, t)
	}
	return out, rows.Err()
}

// ListParams selects a page of a key's conversations, newest first.
type ListParams struct {
	WorkspaceID string
	KeyID       string // empty: every key of the workspace (the console's list)
	MemberID    string // empty: any member; else only the conversations this member started
	Status      Status // empty: any
	Limit       int    // 1..100, default 20
	Cursor      string // from a previous page's NextCursor
}

// Page is one page of conversations (without their turns' details beyond
// the latest reply).
type Page struct {
	Conversations []Conversation `json:"conversations"`
	NextCursor    string         `json:"next_cursor"`
}

// List returns a page of the workspace's conversations (of one key, one
// member, one status when asked).
func List(ctx context.Context, q store.Querier, p ListParams) (Page, error) {
	if p.Limit <= 0 {
		p.Limit = 20
	}
	if p.Limit > 100 {
		return Page{}, errs.E(errs.Invalid, "limit must be at most 100")
	}
	if p.Status != "" && !p.Status.Valid() {
		return Page{}, errs.E(errs.Invalid, "unknown status %q", p.Status)
	}
	where := `workspace_id = ?`
	args := []any{p.WorkspaceID}
	if p.KeyID != "" {
		where += ` AND key_id = ?`
		args = append(args, p.KeyID)
	}
	if p.MemberID != "" {
		where += ` AND member_id = ?`
		args = append(args, p.MemberID)
	}
	if p.Status != "" {
		where += ` AND status = ?`
		args = append(args, string(p.Status))
	}
	if p.Cursor != "" {
		c, err := store.DecodeAfter(p.Cursor)
		if err != nil {
			return Page{}, err
		}
		where += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, c.At, c.At, c.ID)
	}
	args = append(args, p.Limit+1)
	rows, err := q.Query(ctx, `SELECT `+convCols+` FROM conversations WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT ?`, args...)
	if err != nil {
		return Page{}, fmt.Errorf("conversation: list: %w", err)
	}
	defer rows.Close()
	page := Page{Conversations: []Conversation{}}
	for rows.Next() {
		c, err := scanConv(rows)
		if err != nil {
			return Page{}, fmt.Errorf("conversation: list: %w", err)
		}
		page.Conversations = append(page.Conversations, c)
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if len(page.Conversations) > p.Limit {
		page.Conversations = page.Conversations[:p.Limit]
		last := page.Conversations[p.Limit-1]
		page.NextCursor = store.AfterRow(last.CreatedAt, last.ID).Cursor()
	}
	return page, nil
}
