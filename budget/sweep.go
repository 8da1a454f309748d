package budget

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// orphan is a hold whose call is presumed dead.
type orphan struct {
	id, keyID, workspaceID, conversationID, model, scope string
	turn                                                 int
	amount, created                                      int64
}

// Sweep settles every hold older than HoldTTL as spent at its reserved
// amount, in a ledger row marked unconfirmed: a hold outlives HoldTTL only
// when the process running its call died. It returns how many it settled.
func (b *Budgets) Sweep(ctx context.Context) (int, error) {
	var n int
	// Usually there is none: a plain read, not a write transaction.
	if err := b.db.QueryRow(ctx, `SELECT count(*) FROM budget_holds WHERE expires_at <= ?`, store.Micros(b.now())).Scan(&n); err != nil {
		return 0, fmt.Errorf("budget: sweep expired holds: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	err := b.db.InTx(ctx, func(tx store.Tx) error {
		var err error
		n, _, err = b.sweep(ctx, tx, `expires_at <= ?`, store.Micros(b.now()))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("budget: sweep expired holds: %w", err)
	}
	return n, nil
}

// SettleTurn settles, inside tx, the holds left by earlier runs of a turn
// — the process running it died, so the turn is run again — as
// unconfirmed spend, and returns their sum (for the turn's cost). Call it
// in the transaction that (re)starts the turn, before its first Reserve.
func (b *Budgets) SettleTurn(ctx context.Context, tx store.Tx, conversationID string, turn int) (money.Micro, error) {
	_, total, err := b.sweep(ctx, tx, `conversation_id = ? AND turn = ?`, conversationID, turn)
	if err != nil {
		return 0, fmt.Errorf("budget: settle the holds of turn %d of %s: %w", turn, conversationID, err)
	}
	return total, nil
}

// Run sweeps expired holds every HoldTTL/4 (at most every minute) until
// ctx ends, so the spend of a call lost in a crash is counted even when its
// key makes no further call.
func (b *Budgets) Run(ctx context.Context) {
	every := min(b.ttl/4, time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := b.Sweep(ctx); err != nil && ctx.Err() == nil {
			b.log.WarnContext(ctx, "budget sweep failed", "err", err)
		} else if n > 0 {
			b.log.WarnContext(ctx, "settled holds of calls lost in a crash as unconfirmed spend", "holds", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepTx is sweep for callers that do not need the count.
func (b *Budgets) sweepTx(ctx context.Context, tx store.Tx, where string, args ...any) error {
	_, _, err := b.sweep(ctx, tx, where, args...)
	return err
}

// sweep settles the holds matching where as unconfirmed ledger rows and
// returns how many and their sum. A hold is deleted first and recorded only
// if this transaction deleted it, so a concurrent Settle or another
// process's sweep never counts it twice.
func (b *Budgets) sweep(ctx context.Context, tx store.Tx, where string, args ...any) (int, money.Micro, error) {
	rows, err := tx.Query(ctx, `SELECT id, key_id, workspace_id, conversation_id, turn, model, scope, amount, created_at FROM budget_holds WHERE `+where, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("budget: read holds: %w", err)
	}
	var found []orphan
	for rows.Next() {
		var o orphan
		if err := rows.Scan(&o.id, &o.keyID, &o.workspaceID, &o.conversationID, &o.turn, &o.model, &o.scope, &o.amount, &o.created); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("budget: read holds: %w", err)
		}
		found = append(found, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("budget: read holds: %w", err)
	}
	n, total := 0, money.Micro(0)
	for _, o := range found {
		c, err := tx.Exec(ctx, `DELETE FROM budget_holds WHERE id = ?`, o.id)
		if err != nil {
			return n, total, fmt.Errorf("budget: settle hold %s: %w", o.id, err)
		}
		if c == 0 {
			continue // settled meanwhile
		}
		// Dated when the call started: that is when it spent.
		_, err = tx.Exec(ctx, `INSERT INTO ledger (id, workspace_id, key_id, conversation_id, turn, model, cost, created_at, hold_id, reserved, unconfirmed, scope)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (hold_id) DO NOTHING`,
			store.NewID(), o.workspaceID, o.keyID, o.conversationID, o.turn, o.model, o.amount, o.created, o.id, o.amount, o.scope)
		if err != nil {
			return n, total, fmt.Errorf("budget: record hold %s as unconfirmed: %w", o.id, err)
		}
		n++
		total += money.Micro(o.amount)
	}
	return n, total, nil
}
