package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// IdempotencyWindow is how long an Idempotency-Key is remembered.
const IdempotencyWindow = 24 * time.Hour

// SubmitParams is one accepted message from a caller.
type SubmitParams struct {
	WorkspaceID    string
	KeyID          string
	MemberID       string
	ConversationID string          // empty: start a new conversation
	Message        string          // validated by the caller
	Metadata       json.RawMessage // nil: keep (or {} for a new conversation)
	IdempotencyKey string          // optional
	RequestHash    string          // hash of the request body, for idempotency
	Now            time.Time
	// Admit, when set, may refuse the new turn (the node's backlog limits)
	// inside tx, after an idempotent replay was answered and before
	// anything is written; its error is Submit's.
	Admit func(ctx context.Context, tx store.Tx) error
	// LeaseUntil, when non-zero, is written on the new turn (Unix µs): the
	// process that accepts it runs it at once and holds it until then
	// (queue.Pending.HeldUntil); the enqueuer then writes no job.
	LeaseUntil int64
	// TaskID, when set, names the protocol task (an A2A task, package
	// a2a) the new turn belongs to: it is written on the turn
	// (turns.task_id), where the task of a turn and the tasks of a
	// conversation are found. Empty for a turn sent over REST.
	TaskID string
	// With, when set, gives one more statement of the accept that needs
	// the new turn (a row naming it): Submit runs it right after writing
	// the turn and before queuing it. On PostgreSQL, for a new
	// conversation, it is sent in the same statement as the conversation
	// and its turn (its main statement, after a data-modifying WITH), so
	// the whole accept is one round trip.
	With func(conversationID string, turn int) Stmt
}

// Stmt is a statement SubmitParams.With adds to Submit: Query (an INSERT,
// with ? parameters and no WITH clause of its own) and its Args; Check,
// when set, is given the rows it affected and may refuse the accept (its
// error is Submit's, before the turn is queued).
type Stmt struct {
	Query string
	Args  []any
	Check func(rows int64) error
}

// Submitted says what Submit did.
type Submitted struct {
	ConversationID string
	Turn           int
	Replayed       bool // an earlier request with the same Idempotency-Key
}

// Enqueuer queues a turn for the agent inside the submitting transaction.
type Enqueuer func(ctx context.Context, tx store.Tx, conversationID string, turn int) error

// Submit records a message as a new queued turn and queues it, all in tx.
func Submit(ctx context.Context, tx store.Tx, p SubmitParams, enqueue Enqueuer) (Submitted, error) {
	convID := p.ConversationID
	if convID == "" {
		convID = store.NewID()
	}
	if p.IdempotencyKey != "" {
		if prior, found, err := claimIdempotency(ctx, tx, p, convID); err != nil || found {
			return prior, err
		}
	}
	if p.Admit != nil {
		if err := p.Admit(ctx, tx); err != nil {
			return Submitted{}, err
		}
	}
	turn := 1
	if p.ConversationID == "" && tx.Dialect() == store.Postgres {
		// One statement, one round trip: the conversation and its first
		// turn (the turn's foreign key is checked at the statement's end),
		// and p.With's statement when set.
		if err := createPostgres(ctx, tx, p, convID); err != nil {
			return Submitted{}, err
		}
	} else {
		if p.ConversationID == "" {
			_, err := tx.Exec(ctx, `INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
				convID, p.WorkspaceID, p.KeyID, p.MemberID, string(Queued), string(newMetadata(p.Metadata)), store.Micros(p.Now), store.Micros(p.Now))
			if err != nil {
				return Submitted{}, fmt.Errorf("conversation: create: %w", err)
			}
		} else {
			var err error
			if turn, err = nextTurn(ctx, tx, p); err != nil {
				return Submitted{}, err
			}
		}
		if err := addTurn(ctx, tx, p, convID, turn); err != nil {
			return Submitted{}, err
		}
		if err := runWith(ctx, tx, p, convID, turn); err != nil {
			return Submitted{}, err
		}
	}
	if p.IdempotencyKey != "" {
		if _, err := tx.Exec(ctx, `UPDATE idempotency_keys SET turn = ? WHERE key_id = ? AND idem_key = ?`, turn, p.KeyID, p.IdempotencyKey); err != nil {
			return Submitted{}, fmt.Errorf("conversation: idempotency: %w", err)
		}
	}
	if err := enqueue(ctx, tx, convID, turn); err != nil {
		return Submitted{}, fmt.Errorf("conversation: enqueue turn: %w", err)
	}
	return Submitted{ConversationID: convID, Turn: turn}, nil
}

// newMetadata is a new conversation's metadata: {} when none was sent.
func newMetadata(meta json.RawMessage) json.RawMessage {
	if len(meta) == 0 {
		return json.RawMessage(`{}`)
	}
	return meta
}

// createPostgres writes a new conversation and its first turn in one
// statement, with p.With's statement as its main one when set.
func createPostgres(ctx context.Context, tx store.Tx, p SubmitParams, convID string) error {
	q := `WITH c AS (INSERT INTO conversations (id, workspace_id, key_id, member_id, status, turn_count, metadata, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?))`
	args := []any{convID, p.WorkspaceID, p.KeyID, p.MemberID, string(Queued), string(newMetadata(p.Metadata)), store.Micros(p.Now), store.Micros(p.Now),
		convID, p.Message, string(Queued), store.Micros(p.Now), p.LeaseUntil, taskID(p)}
	const turn = `INSERT INTO turns (conversation_id, turn, message, status, created_at, lease_until, task_id) VALUES (?, 1, ?, ?, ?, ?, ?)`
	if p.With == nil {
		if _, err := tx.Exec(ctx, q+"\n"+turn, args...); err != nil {
			return fmt.Errorf("conversation: create: %w", err)
		}
		return nil
	}
	w := p.With(convID, 1)
	n, err := tx.Exec(ctx, q+", t AS ("+turn+")\n"+w.Query, append(args, w.Args...)...)
	return w.done(n, err, "create")
}

// runWith runs p.With's statement, when set, on its own.
func runWith(ctx context.Context, tx store.Tx, p SubmitParams, convID string, turn int) error {
	if p.With == nil {
		return nil
	}
	w := p.With(convID, turn)
	n, err := tx.Exec(ctx, w.Query, w.Args...)
	return w.done(n, err, "submit")
}

// done is the outcome of w, run as part of what (for the error): the
// statement's error, else Check's answer to its n rows.
func (w Stmt) done(n int64, err error, what string) error {
	if err != nil {
		return fmt.Errorf("conversation: %s: %w", what, err)
	}
	if w.Check != nil {
		return w.Check(n)
	}
	return nil
}

// addTurn inserts the queued turn of a message.
func addTurn(ctx context.Context, tx store.Tx, p SubmitParams, convID string, turn int) error {
	_, err := tx.Exec(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at, lease_until, task_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		convID, turn, p.Message, string(Queued), store.Micros(p.Now), p.LeaseUntil, taskID(p))
	if err != nil {
		return fmt.Errorf("conversation: add turn: %w", err)
	}
	return nil
}

// taskID is the turn's task_id: NULL for none.
func taskID(p SubmitParams) any {
	if p.TaskID == "" {
		return nil
	}
	return p.TaskID
}

// nextTurn moves an existing conversation to a new queued turn, refusing
// while its current turn is still running.
func nextTurn(ctx context.Context, tx store.Tx, p SubmitParams) (int, error) {
	var status, keyID, memberID string
	var count int
	err := tx.QueryRow(ctx, `SELECT status, turn_count, key_id, member_id FROM conversations WHERE id = ? AND workspace_id = ?`,
		p.ConversationID, p.WorkspaceID).Scan(&status, &count, &keyID, &memberID)
	if err == store.ErrNoRows || (err == nil && keyID != p.KeyID) {
		// Another key's conversation is not found, as in GET.
		return 0, errs.E(errs.NotFound, "no conversation %q", p.ConversationID)
	}
	if err != nil {
		return 0, fmt.Errorf("conversation: load: %w", err)
	}
	// Every turn runs as the conversation's member through its key (the
	// runner reads both from the conversation), so other credentials of
	// the workspace must not add a turn: they would act with the starter's
	// role, scopes and budget.
	if memberID != p.MemberID {
		return 0, errs.E(errs.Forbidden, "conversation %s was started by another member (access token); continue it with the same credentials, or start a new conversation", p.ConversationID)
	}
	metaSet, meta := 0, "{}"
	if len(p.Metadata) > 0 {
		metaSet, meta = 1, string(p.Metadata)
	}
	// The status condition makes this atomic against a concurrent message.
	n, err := tx.Exec(ctx, `UPDATE conversations SET status = ?, turn_count = turn_count + 1, updated_at = ?,
		metadata = CASE WHEN ? = 1 THEN ? ELSE metadata END
		WHERE id = ? AND status NOT IN (?, ?)`,
		string(Queued), store.Micros(p.Now), metaSet, meta, p.ConversationID, string(Queued), string(Running))
	if err != nil {
		return 0, fmt.Errorf("conversation: next turn: %w", err)
	}
	if n == 0 {
		return 0, errs.E(errs.Conflict, "conversation %s still has a turn %s; wait for it to finish or cancel it", p.ConversationID, status)
	}
	return count + 1, nil
}

// claimIdempotency records the key, or finds the earlier request that used it.
func claimIdempotency(ctx context.Context, tx store.Tx, p SubmitParams, convID string) (Submitted, bool, error) {
	// Forget keys older than the window so they can be reused.
	if _, err := tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE key_id = ? AND idem_key = ? AND created_at < ?`,
		p.KeyID, p.IdempotencyKey, store.Micros(p.Now.Add(-IdempotencyWindow))); err != nil {
		return Submitted{}, false, fmt.Errorf("conversation: idempotency: %w", err)
	}
	n, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (key_id, idem_key, request_hash, conversation_id, turn, created_at)
		VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING`,
		p.KeyID, p.IdempotencyKey, p.RequestHash, convID, store.Micros(p.Now))
	if err != nil {
		return Submitted{}, false, fmt.Errorf("conversation: idempotency: %w", err)
	}
	if n == 1 {
		return Submitted{}, false, nil
	}
	var hash, prior string
	var turn int
	err = tx.QueryRow(ctx, `SELECT request_hash, conversation_id, turn FROM idempotency_keys WHERE key_id = ? AND idem_key = ?`,
		p.KeyID, p.IdempotencyKey).Scan(&hash, &prior, &turn)
	if err != nil {
		return Submitted{}, false, fmt.Errorf("conversation: idempotency: %w", err)
	}
	if hash != p.RequestHash {
		return Submitted{}, false, errs.E(errs.Unprocessable, "Idempotency-Key %q was already used with a different request body", p.IdempotencyKey)
	}
	return Submitted{ConversationID: prior, Turn: turn, Replayed: true}, true, nil
}

// Pending is one turn being accepted (queue.Pending): HeldUntil is the
// lease the new turn's row carries (SubmitParams.LeaseUntil; 0: none,
// and Enqueue writes a River job), Enqueue runs inside the accepting
// transaction, then Done is told whether it committed. POST /api/agent
// (httpapi) and A2A SendMessage (a2a) accept through it.
type Pending interface {
	HeldUntil() int64
	Enqueue(ctx context.Context, tx store.Tx, conversationID string, turn int) error
	Done(committed bool)
}
