package budget

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/store"
)

// checkTimeout bounds a background threshold check, including its wait for
// the settling transaction to end.
const checkTimeout = time.Minute

// record writes a threshold event for every window of us that reached k's
// threshold and has none yet, and returns the events this transaction
// recorded. ON CONFLICT DO NOTHING makes exactly one writer win, also
// across processes; the caller emits the events after committing.
func (b *Budgets) record(ctx context.Context, tx store.Tx, k Limits, us []usage, now time.Time) ([]Event, error) {
	var events []Event
	for _, u := range us {
		if u.fired || !Reached(u.Limit, u.Spent, k.ThresholdPercent) {
			continue
		}
		n, err := tx.Exec(ctx, `INSERT INTO budget_threshold_events (key_id, budget, window_start, budget_limit, spent, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			k.KeyID, string(u.Budget), store.Micros(u.Start), int64(u.Limit), int64(u.Spent), store.Micros(now))
		if err != nil {
			return nil, fmt.Errorf("budget: record threshold event: %w", err)
		}
		if n == 1 {
			events = append(events, Event{
				KeyID: k.KeyID, WorkspaceID: k.WorkspaceID, Budget: u.Budget, Percent: k.ThresholdPercent,
				Limit: u.Limit, Spent: u.Spent, Start: u.Start, ResetsAt: u.ResetsAt,
			})
		}
	}
	return events, nil
}

// checkLater runs checkThresholds in the background: a Settle cannot run it
// itself, since the ledger row is not committed yet (and on SQLite the
// caller's transaction holds the only connection).
func (b *Budgets) checkLater(ctx context.Context, k Limits, holdID string, at time.Time) {
	ctx = context.WithoutCancel(ctx)
	b.pending.Add(1)
	go func() {
		defer b.pending.Done()
		ctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		if err := b.checkThresholds(ctx, k, holdID, at); err != nil {
			// Not lost: the key's next reservation records it.
			b.log.WarnContext(ctx, "budget threshold check failed", "key_id", k.KeyID, "err", err)
		}
	}()
}

// checkThresholds records and emits the threshold events of k's
// windows at the settle time at, after the transaction that settled holdID
// has ended. On SQLite, opening the transaction waits for that one; on
// PostgreSQL, locking the deleted hold row does. Using the settle time, not
// the check's, keeps a crossing at 23:59:59 in the day it happened.
func (b *Budgets) checkThresholds(ctx context.Context, k Limits, holdID string, at time.Time) error {
	var events []Event
	err := b.db.InTx(ctx, func(tx store.Tx) error {
		if tx.Dialect() == store.Postgres {
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM budget_holds WHERE id = ? FOR UPDATE`, holdID).Scan(&id)
			if err != nil && !errors.Is(err, store.ErrNoRows) {
				return fmt.Errorf("budget: wait for settle: %w", err)
			}
		}
		us, err := readUsage(ctx, tx, k, at)
		if err != nil {
			return err
		}
		events, err = b.record(ctx, tx, k, us, b.now())
		return err
	})
	if err != nil {
		return err
	}
	b.emit(ctx, events)
	return nil
}

// emit logs each event and hands it to OnThreshold.
func (b *Budgets) emit(ctx context.Context, events []Event) {
	for _, e := range events {
		b.log.InfoContext(ctx, "budget threshold reached",
			"key_id", e.KeyID, "workspace_id", e.WorkspaceID, "budget", string(e.Budget),
			"percent", e.Percent, "limit_usd", e.Limit.Short(), "spent_usd", e.Spent.Short(),
			"resets_at", resetsAt(e.ResetsAt))
		if b.onThreshold != nil {
			b.onThreshold(ctx, e)
		}
	}
}

// resetsAt formats a window end for logs: RFC 3339, or "never".
func resetsAt(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
