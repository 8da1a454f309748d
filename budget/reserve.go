package budget

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// releaseTimeout bounds Release, which runs even when the call's context
// was canceled (a canceled call is the common reason to release).
const releaseTimeout = 10 * time.Second

// Reserve implements agent.Reserver. It holds max against every budget of
// s.KeyID, or refuses with an errs.BudgetSpent error naming the budget
// that cannot cover it. Two cases never touch the holds table and return a
// hold whose Settle and Release do nothing: max == 0 (a free call, such as
// the local agent's, runs even when the budgets are spent) and a key with
// no budget set.
func (b *Budgets) Reserve(ctx context.Context, s agent.Spend, max money.Micro) (agent.Hold, error) {
	if max < 0 {
		return nil, fmt.Errorf("budget: reserve a negative amount (%d micro-USD)", max)
	}
	if max == 0 {
		return freeHold{}, nil
	}
	// A cheap unlocked read first: most keys without budgets never lock.
	k, err := loadKey(ctx, b.db, s.KeyID, false)
	if err != nil {
		return nil, err
	}
	if !k.budgeted() {
		return freeHold{}, nil
	}
	h := &hold{b: b, id: rand.Text(), key: k}
	var refusal error
	var events []Event
	err = b.db.InTx(ctx, func(tx store.Tx) error {
		refusal, events = nil, nil
		k, err := loadKey(ctx, tx, s.KeyID, true)
		if err != nil {
			return err
		}
		h.key = k
		if !k.budgeted() { // budgets removed since the first read
			h.id = ""
			return nil
		}
		now := b.now()
		if _, err := tx.Exec(ctx, `DELETE FROM budget_holds WHERE key_id = ? AND expires_at <= ?`, k.id, now.UnixMicro()); err != nil {
			return fmt.Errorf("budget: drop expired holds: %w", err)
		}
		us, err := readUsage(ctx, tx, k, now)
		if err != nil {
			return err
		}
		if events, err = b.record(ctx, tx, k, us, now); err != nil {
			return err
		}
		if w, over := blocking(windowsOf(us), max); over {
			refusal = spentError(w, max)
			return nil // commit the threshold events; write no hold
		}
		_, err = tx.Exec(ctx, `INSERT INTO budget_holds (id, key_id, amount, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			h.id, k.id, int64(max), now.UnixMicro(), now.Add(b.ttl).UnixMicro())
		if err != nil {
			return fmt.Errorf("budget: write hold: %w", err)
		}
		return nil
	})
	if err != nil {
		if errs.KindOf(err) != errs.Internal {
			return nil, err
		}
		return nil, fmt.Errorf("budget: reserve for key %s: %w", s.KeyID, err)
	}
	b.emit(ctx, events)
	if refusal != nil {
		return nil, refusal
	}
	if h.id == "" {
		return freeHold{}, nil
	}
	return h, nil
}

// spentError is the refusal for window w; max is the call's maximum cost,
// or 0 for an admission check. Its Detail is what the 402 problem carries.
func spentError(w Window, max money.Micro) *errs.Error {
	state := "spent"
	if w.covers(1) { // money left, but less than this call may cost
		state = "too low for this call"
	}
	msg := fmt.Sprintf("%s budget of $%s %s ($%s spent, $%s reserved by calls in progress", w.Budget, w.Limit.Short(), state, w.Spent.Short(), w.Reserved.Short())
	if max > 0 {
		msg += fmt.Sprintf("; this call may cost up to $%s", max.Short())
	}
	msg += ")"
	if w.ResetsAt.IsZero() {
		msg += "; the total budget does not reset"
	} else {
		msg += "; resets at " + w.ResetsAt.UTC().Format(time.RFC3339)
	}
	e := errs.E(errs.BudgetSpent, "%s", msg).
		With("budget", string(w.Budget)).
		With("limit_usd", w.Limit.Short()).
		With("spent_usd", w.Spent.Short()).
		With("reserved_usd", w.Reserved.Short())
	if !w.ResetsAt.IsZero() {
		e = e.With("resets_at", w.ResetsAt.UTC().Format(time.RFC3339))
	}
	return e
}

// hold is a reservation written to budget_holds.
type hold struct {
	b   *Budgets
	id  string
	key key // as read at reservation
}

// Settle implements agent.Hold: it deletes the hold inside tx, where the
// caller writes the ledger row, so that spent always equals the ledger sum.
// A hold that already expired settles all the same (the ledger row is what
// counts). When the spend may have reached a threshold, an exact check runs
// in the background once tx has ended.
func (h *hold) Settle(ctx context.Context, tx store.Tx, actual money.Micro) error {
	if actual < 0 {
		return fmt.Errorf("budget: settle a negative amount (%d micro-USD)", actual)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM budget_holds WHERE id = ?`, h.id); err != nil {
		return fmt.Errorf("budget: settle hold: %w", err)
	}
	if actual == 0 {
		return nil
	}
	now := h.b.now()
	us, err := readUsage(ctx, tx, h.key, now)
	if err != nil {
		return err
	}
	// The ledger row may be written before or after Settle in tx, so add
	// actual to be sure not to miss a crossing; the background check then
	// reads the committed ledger and decides exactly.
	for _, u := range us {
		if !u.fired && Reached(u.Limit, u.Spent+actual, h.key.percent) {
			h.b.checkLater(ctx, h.key.id, h.id, now)
			break
		}
	}
	return nil
}

// Release implements agent.Hold: it deletes the hold, even when ctx was
// canceled. A hold that cannot be deleted still expires after HoldTTL.
func (h *hold) Release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if _, err := h.b.db.Exec(ctx, `DELETE FROM budget_holds WHERE id = ?`, h.id); err != nil {
		return fmt.Errorf("budget: release hold: %w", err)
	}
	return nil
}

// freeHold is the hold of a free call or of a key without budgets.
type freeHold struct{}

// Settle implements agent.Hold; there is nothing to settle.
func (freeHold) Settle(context.Context, store.Tx, money.Micro) error { return nil }

// Release implements agent.Hold; there is nothing to release.
func (freeHold) Release(context.Context) error { return nil }
