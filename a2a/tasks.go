package a2a

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Task is a stored A2A task: turns first..turn of a conversation, owned by
// one workspace and integration key.
type Task struct {
	ID             string
	WorkspaceID    string
	KeyID          string
	ConversationID string
	FirstTurn      int
	Turn           int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Owner is whose tasks a request may see: one integration key of one
// workspace.
type Owner struct {
	WorkspaceID string
	KeyID       string
}

const taskCols = `id, workspace_id, key_id, conversation_id, first_turn, turn, created_at, updated_at`

func scanTask(r interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var created, updated int64
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.KeyID, &t.ConversationID, &t.FirstTurn, &t.Turn, &created, &updated)
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	return t, err
}

// notFound is the answer for an unknown task and for another key's task
// alike, so a caller learns nothing about ids it does not own.
func notFound(id string) error { return errs.E(errs.NotFound, "no task %q", id) }

// getTask returns the owner's task id.
func getTask(ctx context.Context, q store.Querier, o Owner, id string) (Task, error) {
	t, err := scanTask(q.QueryRow(ctx, `SELECT `+taskCols+` FROM a2a_tasks WHERE id = ? AND workspace_id = ? AND key_id = ?`,
		id, o.WorkspaceID, o.KeyID))
	if err == store.ErrNoRows {
		return Task{}, notFound(id)
	}
	if err != nil {
		return Task{}, fmt.Errorf("a2a: get task: %w", err)
	}
	return t, nil
}

// errTaken is newTask's answer when the messageId that opens the task
// was sent before (the same key's task or answer holds it): nothing of
// the accept may stand, and the task it made is the answer.
var errTaken = errors.New("a2a: messageId already taken")

// newTask is the task row that opens task id for turn of conversationID,
// opened by messageID (whose message hashes to hash): a statement for
// conversation.SubmitParams.With, so it is written with the turn (on
// PostgreSQL, for a new conversation, in the turn's own statement). The
// row is the messageId's claim (the unique index a2a_tasks_message): the
// statement writes the task and claims its messageId, refusing it
// (errTaken, from Check) when the key has used messageId already, for a
// task or for an answer (a2a_messages). *t is the task once written.
func newTask(t *Task, id string, o Owner, messageID, hash string, now time.Time) func(conversationID string, turn int) conversation.Stmt {
	return func(conversationID string, turn int) conversation.Stmt {
		*t = Task{ID: id, WorkspaceID: o.WorkspaceID, KeyID: o.KeyID, ConversationID: conversationID,
			FirstTurn: turn, Turn: turn, CreatedAt: now, UpdatedAt: now}
		// INSERT … SELECT (not VALUES) for the NOT EXISTS; the casts give
		// PostgreSQL the parameters' types, which a SELECT list does not.
		return conversation.Stmt{
			Query: `INSERT INTO a2a_tasks (` + taskCols + `, message_id, request_hash)
		SELECT ?, ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM a2a_messages WHERE key_id = ? AND message_id = ?)
		ON CONFLICT DO NOTHING`,
			Args: []any{t.ID, t.WorkspaceID, t.KeyID, t.ConversationID, t.FirstTurn, t.Turn, store.Micros(now), store.Micros(now), messageID, hash,
				o.KeyID, messageID},
			Check: func(n int64) error {
				if n == 0 {
					return errTaken
				}
				return nil
			},
		}
	}
}

// advanceTask moves a task on to the turn that answers its question.
func advanceTask(ctx context.Context, tx store.Tx, t *Task, turn int, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE a2a_tasks SET turn = ?, updated_at = ? WHERE key_id = ? AND id = ?`, turn, store.Micros(now), t.KeyID, t.ID); err != nil {
		return fmt.Errorf("a2a: advance task: %w", err)
	}
	t.Turn, t.UpdatedAt = turn, now
	return nil
}

// claimMessage records that messageId (per key) answers task newTaskID,
// or finds the task an earlier message with the same messageId made or
// answered: one INSERT in the common case, so a resent answer returns the
// same task and a concurrent twin waits for, then sees, the first. (A
// message that opens a task claims its messageId with the task row,
// newTask.) On PostgreSQL the claim first locks a2a_tasks against new
// rows until the transaction ends, so a task being opened at the same
// moment with the same messageId is either seen here or sees this claim:
// answers are rare, new tasks are not, and this keeps the lock on the
// rare side.
func claimMessage(ctx context.Context, tx store.Tx, keyID, messageID, newTaskID, hash string, now time.Time) (taskID, priorHash string, found bool, err error) {
	if tx.Dialect() == store.Postgres {
		if _, err := tx.Exec(ctx, `LOCK TABLE a2a_tasks IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return "", "", false, fmt.Errorf("a2a: lock tasks: %w", err)
		}
	}
	n, err := tx.Exec(ctx, `INSERT INTO a2a_messages (key_id, message_id, task_id, request_hash, created_at)
		SELECT ?, ?, ?, ?, CAST(? AS BIGINT)
		WHERE NOT EXISTS (SELECT 1 FROM a2a_tasks WHERE key_id = ? AND message_id = ?)
		ON CONFLICT DO NOTHING`, keyID, messageID, newTaskID, hash, store.Micros(now), keyID, messageID)
	if err != nil {
		return "", "", false, fmt.Errorf("a2a: record message: %w", err)
	}
	if n == 1 {
		return newTaskID, hash, false, nil
	}
	prior, found, err := findMessage(ctx, tx, keyID, messageID)
	if err != nil {
		return "", "", false, err
	}
	if !found {
		return "", "", false, errors.New("a2a: find message: claimed, yet not found")
	}
	return prior.taskID, prior.hash, true, nil
}

// claim is what an earlier message with a messageId left: the task it
// made or answered, and its hash.
type claim struct {
	taskID, hash string
}

// findMessage finds the key's earlier message with messageID: on the task
// it opened, or among the answers (and the records from before migration
// 0032) in a2a_messages.
func findMessage(ctx context.Context, q store.Querier, keyID, messageID string) (claim, bool, error) {
	var c claim
	err := q.QueryRow(ctx, `SELECT id, request_hash FROM a2a_tasks WHERE key_id = ? AND message_id = ?
		UNION ALL SELECT task_id, request_hash FROM a2a_messages WHERE key_id = ? AND message_id = ?`,
		keyID, messageID, keyID, messageID).Scan(&c.taskID, &c.hash)
	if err == store.ErrNoRows {
		return claim{}, false, nil
	}
	if err != nil {
		return claim{}, false, fmt.Errorf("a2a: find message: %w", err)
	}
	return c, true, nil
}

// listParams selects a page of an owner's tasks, newest first (by id: a
// task id is a ULID, in creation order).
type listParams struct {
	ContextID string
	Limit     int
	Cursor    string
	After     time.Time // only tasks updated after this; zero = any
}

// listTasks returns up to p.Limit tasks and the cursor of the next page.
func listTasks(ctx context.Context, q store.Querier, o Owner, p listParams) ([]Task, string, error) {
	where, args := ownedBy(o, p.ContextID)
	if !p.After.IsZero() {
		where += ` AND updated_at > ?`
		args = append(args, store.Micros(p.After))
	}
	if p.Cursor != "" {
		c, err := store.DecodeAfter(p.Cursor)
		if err != nil {
			return nil, "", errs.E(errs.Invalid, "invalid pageToken")
		}
		where += ` AND id < ?`
		args = append(args, c.ID)
	}
	rows, err := q.Query(ctx, `SELECT `+taskCols+` FROM a2a_tasks WHERE `+where+` ORDER BY id DESC LIMIT ?`,
		append(args, p.Limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("a2a: list tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, "", fmt.Errorf("a2a: list tasks: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("a2a: list tasks: %w", err)
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		last := out[len(out)-1]
		next = store.AfterRow(last.CreatedAt, last.ID).Cursor()
	}
	return out, next, nil
}

// ownedBy is the WHERE clause (and its arguments) of the owner's tasks,
// of one context when contextID is set: the key's range of the primary
// key, and for a context the tasks its turns name (turns' primary key).
func ownedBy(o Owner, contextID string) (string, []any) {
	where := `key_id = ? AND workspace_id = ?`
	args := []any{o.KeyID, o.WorkspaceID}
	if contextID != "" {
		where += ` AND id IN (SELECT task_id FROM turns WHERE conversation_id = ? AND task_id IS NOT NULL) AND conversation_id = ?`
		args = append(args, contextID, contextID)
	}
	return where, args
}

// countTasks is ListTasks' totalSize.
func countTasks(ctx context.Context, q store.Querier, o Owner, contextID string) (int, error) {
	var n int
	where, args := ownedBy(o, contextID)
	err := q.QueryRow(ctx, `SELECT count(*) FROM a2a_tasks WHERE `+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("a2a: count tasks: %w", err)
	}
	return n, nil
}

// tasksOfTurn returns the tasks whose latest turn is turn of a conversation
// (background work: any owner): the task the turn names, through its
// conversation's key (none for a turn sent over REST).
func tasksOfTurn(ctx context.Context, q store.Querier, conversationID string, turn int) ([]Task, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.workspace_id, t.key_id, t.conversation_id, t.first_turn, t.turn, t.created_at, t.updated_at
		FROM turns u JOIN conversations c ON c.id = u.conversation_id JOIN a2a_tasks t ON t.key_id = c.key_id AND t.id = u.task_id
		WHERE u.conversation_id = ? AND u.turn = ? AND t.turn = u.turn`, conversationID, turn)
	if err != nil {
		return nil, fmt.Errorf("a2a: tasks of turn: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("a2a: tasks of turn: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
