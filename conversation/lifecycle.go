package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Start marks a queued (or interrupted running) turn as running. It
// returns false when the turn already stopped (finished or canceled), so a
// redelivered job does nothing.
func Start(ctx context.Context, tx store.Tx, id string, turn int, now time.Time) (bool, error) {
	attempt, err := StartRun(ctx, tx, id, turn, now)
	return attempt > 0, err
}

// StartRun is Start returning the run's attempt: 1 for the turn's first
// run, more for a run after one that was interrupted or died (a run that
// only found the turn waiting on a tool gives its attempt back, Waited,
// but never below 1), 0 when the turn already stopped.
func StartRun(ctx context.Context, tx store.Tx, id string, turn int, now time.Time) (int, error) {
	var attempt int
	err := tx.QueryRow(ctx, `UPDATE turns SET status = ?, attempts = attempts + 1,
		started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END
		WHERE conversation_id = ? AND turn = ? AND status IN (?, ?) RETURNING attempts`,
		string(Running), store.Micros(now), id, turn, string(Queued), string(Running)).Scan(&attempt)
	if err == store.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("conversation: start turn: %w", err)
	}
	if _, err = tx.Exec(ctx, `UPDATE conversations SET status = ?, updated_at = ? WHERE id = ?`, string(Running), store.Micros(now), id); err != nil {
		return 0, fmt.Errorf("conversation: start turn: %w", err)
	}
	return attempt, nil
}

// Waited takes back the attempt Start counted for a run that only found
// the turn still waiting on a tool (a negotiation): attempts count the
// runs that did work, not the polls of a wait.
func Waited(ctx context.Context, q store.Querier, id string, turn int) error {
	if _, err := q.Exec(ctx, `UPDATE turns SET attempts = attempts - 1 WHERE conversation_id = ? AND turn = ? AND attempts > 1`, id, turn); err != nil {
		return fmt.Errorf("conversation: turn waited: %w", err)
	}
	return nil
}

// TurnStatus returns the status of one turn.
func TurnStatus(ctx context.Context, q store.Querier, id string, turn int) (Status, error) {
	var s string
	err := q.QueryRow(ctx, `SELECT status FROM turns WHERE conversation_id = ? AND turn = ?`, id, turn).Scan(&s)
	if err == store.ErrNoRows {
		return "", errs.E(errs.NotFound, "no turn %d of conversation %q", turn, id)
	}
	return Status(s), err
}

// AddCost adds a model call's cost to the turn and the conversation.
func AddCost(ctx context.Context, tx store.Tx, id string, turn int, cost money.Micro) error {
	if cost == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE turns SET cost = cost + ? WHERE conversation_id = ? AND turn = ?`, int64(cost), id, turn); err != nil {
		return fmt.Errorf("conversation: add cost: %w", err)
	}
	_, err := tx.Exec(ctx, `UPDATE conversations SET cost = cost + ? WHERE id = ?`, int64(cost), id)
	return err
}

// Outcome is how a turn ended.
type Outcome struct {
	Status      Status
	Reply       string
	Error       string
	Actions     []workspace.Receipt
	SignedReply string
	Now         time.Time
	// Cost, when not zero, is the cost of a call recorded with the
	// outcome (a model's final answer), added to the turn's and the
	// conversation's cost by Finish's own statements (AddCost's, without
	// two more); when the turn had already stopped it is added all the
	// same, by AddCost.
	Cost money.Micro
}

// Finish records a turn's outcome, if the turn is still active. It
// returns false when the turn had already stopped (e.g. canceled meanwhile).
func Finish(ctx context.Context, tx store.Tx, id string, turn int, o Outcome) (bool, error) {
	if o.Actions == nil {
		o.Actions = []workspace.Receipt{}
	}
	actions, err := json.Marshal(o.Actions)
	if err != nil {
		return false, fmt.Errorf("conversation: finish: %w", err)
	}
	n, err := tx.Exec(ctx, `UPDATE turns SET status = ?, reply = ?, error = ?, actions = ?, finished_at = ?, cost = cost + ?
		WHERE conversation_id = ? AND turn = ? AND status IN (?, ?)`,
		string(o.Status), o.Reply, o.Error, string(actions), store.Micros(o.Now), int64(o.Cost), id, turn, string(Queued), string(Running))
	if err != nil {
		return false, fmt.Errorf("conversation: finish turn: %w", err)
	}
	if n == 0 {
		return false, AddCost(ctx, tx, id, turn, o.Cost)
	}
	_, err = tx.Exec(ctx, `UPDATE conversations SET status = ?, reply = ?, error = ?, signed_reply = ?, updated_at = ?, cost = cost + ? WHERE id = ?`,
		string(o.Status), o.Reply, o.Error, o.SignedReply, store.Micros(o.Now), int64(o.Cost), id)
	if err != nil {
		return false, fmt.Errorf("conversation: finish: %w", err)
	}
	return true, nil
}

// Cancel stops the conversation's active turn. With nothing to cancel it
// is a Conflict.
func Cancel(ctx context.Context, tx store.Tx, workspaceID, id string, now time.Time) error {
	var count int
	err := tx.QueryRow(ctx, `SELECT turn_count FROM conversations WHERE id = ? AND workspace_id = ?`, id, workspaceID).Scan(&count)
	if err == store.ErrNoRows {
		return errs.E(errs.NotFound, "no conversation %q", id)
	}
	if err != nil {
		return fmt.Errorf("conversation: cancel: %w", err)
	}
	ok, err := Finish(ctx, tx, id, count, Outcome{Status: Canceled, Reply: "Canceled by the caller.", Now: now})
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Conflict, "conversation %s has no queued or running turn to cancel", id)
	}
	return nil
}
