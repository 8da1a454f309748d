package budget

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// releaseTimeout bounds Release and Unconfirmed, which run even when the
// call's context was canceled (a canceled call is the common reason).
const releaseTimeout = 10 * time.Second

// Call names what a hold pays for, as its ledger row will.
type Call struct {
	ConversationID string
	Turn           int
	Model          string // the model asked; a Charge may name the one that answered
}

// Cap is an extra limit on a hold, besides the key's budgets: everything
// recorded in the ledger or held under Scope, plus the new hold, must stay
// within Limit. A negotiation's cap is one: {Name: "negotiation", Scope:
// "negotiation:<id>", Limit: its max_usd}.
type Cap struct {
	Name  string      // what a refusal calls it, e.g. "negotiation"
	Scope string      // tags the hold and its ledger row; not empty
	Limit money.Micro // not negative
}

// Request asks for a hold.
type Request struct {
	Key  Limits // the key's budgets, loaded with the key; KeyID is required
	Call Call
	// Min and Max bound the hold: Reserve holds as much as fits up to Max,
	// and refuses when less than Min fits. Max == 0 is a free call, which
	// runs even on a spent budget and holds nothing.
	Min, Max money.Micro
	Cap      *Cap // nil: no limit but the key's
}

// Charge is what a finished call cost, as its ledger row records it.
type Charge struct {
	Model        string // the model that answered; "" means the Call's
	InputTokens  int64
	CachedTokens int64 // part of InputTokens served from the provider's cache
	OutputTokens int64
	Cost         money.Micro
}

// Hold is money reserved for one call. Settle, Release or Unconfirmed
// ends it; a hold nobody ends is settled as unconfirmed spend (Sweep).
type Hold struct {
	b       *Budgets
	id      string // "" when no row was written (a free call)
	req     Request
	amount  money.Micro
	created time.Time
}

// Amount is what the hold reserved: between the request's Min and Max.
// The caller must not let the call cost more (cap its output to it).
func (h *Hold) Amount() money.Micro { return h.amount }

// Limited reports whether the hold was sized by a limit (a budget of the
// key or a Cap); a call that costs more than a limited hold must stop its
// turn, since the limit may now be overrun.
func (h *Hold) Limited() bool { return h.req.Key.Set() || h.req.Cap != nil }

// Reserve holds money for one call, or refuses with an errs.BudgetSpent
// error naming the budget (or the Cap) that cannot cover r.Min. An error of
// another kind means the hold could not be written: either way the call
// must not run. A hold is written for every priced call, budgets or not,
// so that a call lost in a crash is still counted (see Sweep).
func (b *Budgets) Reserve(ctx context.Context, r Request) (*Hold, error) {
	switch {
	case r.Key.KeyID == "":
		return nil, fmt.Errorf("budget: reserve without a key")
	case r.Min < 0 || r.Max < r.Min:
		return nil, fmt.Errorf("budget: reserve between %d and %d micro-USD", r.Min, r.Max)
	case r.Cap != nil && (r.Cap.Scope == "" || r.Cap.Limit < 0):
		return nil, fmt.Errorf("budget: a cap needs a scope and a limit that is not negative")
	}
	h := &Hold{b: b, req: r, created: b.now()}
	if r.Max == 0 {
		return h, nil
	}
	h.id = store.NewID()
	if !h.Limited() { // nothing to check: one write so a crash still counts it
		h.amount = r.Max
		if err := h.write(ctx, b.db); err != nil {
			return nil, err
		}
		return h, nil
	}
	var refusal *errs.Error
	var events []Event
	err := b.db.InTx(ctx, func(tx store.Tx) error {
		refusal, events = nil, nil
		now := b.now()
		h.created = now
		if err := lock(ctx, tx, r); err != nil {
			return err
		}
		if err := b.sweepTx(ctx, tx, `key_id = ? AND expires_at <= ?`, r.Key.KeyID, store.Micros(now)); err != nil {
			return err
		}
		var ws []Window
		if r.Key.Set() {
			us, err := readUsage(ctx, tx, r.Key, now)
			if err != nil {
				return err
			}
			if events, err = b.record(ctx, tx, r.Key, us, now); err != nil {
				return err
			}
			ws = windowsOf(us)
		}
		if r.Cap != nil {
			w, err := readCap(ctx, tx, *r.Cap)
			if err != nil {
				return err
			}
			ws = append(ws, w)
		}
		if w, over := blocking(ws, r.Min); over {
			refusal = spentError(w, r.Min)
			return nil // commit the threshold events; write no hold
		}
		h.amount = r.Max
		for _, w := range ws {
			h.amount = min(h.amount, w.Limit-w.Spent-w.Reserved)
		}
		return h.write(ctx, tx)
	})
	if err != nil {
		if errs.KindOf(err) != errs.Internal {
			return nil, err
		}
		return nil, fmt.Errorf("budget: reserve for key %s: %w", r.Key.KeyID, err)
	}
	b.emit(ctx, events)
	if refusal != nil {
		b.refused(refusal)
		return nil, refusal
	}
	return h, nil
}

// lock serialises the reservers of r's key and of its cap's scope across
// processes. On SQLite the write transaction is serial already. The key's
// lock is an advisory one on its id, not a lock of its api_keys row: the
// turn read that row once, with its limits, and a reservation reads no
// more of it (TestPaidTurnReadsTheKeyOnce in agent).
func lock(ctx context.Context, tx store.Tx, r Request) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	if r.Key.Set() {
		if err := advisoryLock(ctx, tx, "budget-key:"+r.Key.KeyID); err != nil {
			return fmt.Errorf("budget: lock key %s: %w", r.Key.KeyID, err)
		}
	}
	if r.Cap != nil {
		if err := advisoryLock(ctx, tx, "budget:"+r.Cap.Scope); err != nil {
			return fmt.Errorf("budget: lock scope %s: %w", r.Cap.Scope, err)
		}
	}
	return nil
}

// advisoryLock takes PostgreSQL's transaction-scoped advisory lock named
// name.
func advisoryLock(ctx context.Context, tx store.Tx, name string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(CAST(? AS TEXT), 1))`, name)
	return err
}

// write inserts the hold's row.
func (h *Hold) write(ctx context.Context, q store.Querier) error {
	r := h.req
	_, err := q.Exec(ctx, `INSERT INTO budget_holds (id, key_id, workspace_id, conversation_id, turn, model, scope, amount, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.id, r.Key.KeyID, r.Key.WorkspaceID, r.Call.ConversationID, r.Call.Turn, r.Call.Model, h.scope(), int64(h.amount),
		store.Micros(h.created), store.Micros(h.created.Add(h.b.ttl)))
	if err != nil {
		return fmt.Errorf("budget: write hold: %w", err)
	}
	return nil
}

func (h *Hold) scope() string {
	if h.req.Cap == nil {
		return ""
	}
	return h.req.Cap.Scope
}

// refused tells Options.OnRefusal of a refusal made by spentError.
func (b *Budgets) refused(e *errs.Error) {
	if b.onRefusal == nil {
		return
	}
	if name, ok := e.Detail["budget"].(string); ok {
		b.onRefusal(Name(name))
	}
}

// spentError is the refusal for window w; need is the least the call
// needs, or 0 for an admission check. Its Detail is what the 402 problem
// carries.
func spentError(w Window, need money.Micro) *errs.Error {
	state := "spent"
	if w.covers(1) { // money left, but less than this call needs
		state = "too low for this call"
	}
	msg := fmt.Sprintf("%s budget of $%s %s ($%s spent, $%s reserved by calls in progress", w.Budget, w.Limit.Short(), state, w.Spent.Short(), w.Reserved.Short())
	if need > 0 {
		msg += fmt.Sprintf("; this call needs at least $%s", need.Short())
	}
	msg += ")"
	if w.ResetsAt.IsZero() {
		msg += fmt.Sprintf("; the %s budget does not reset", w.Budget)
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

// Settle records the finished call: inside tx it deletes the hold and
// writes the call's ledger row with c, so spent always equals the ledger
// sum. A free call (Max 0, no hold) whose charge is zero, tokens
// included, writes no row. A hold already settled as unconfirmed (its process was thought
// dead) has its row replaced by c. When the spend may have reached a
// threshold, an exact check runs in the background once tx has ended.
func (h *Hold) Settle(ctx context.Context, tx store.Tx, c Charge) error {
	if c.Cost < 0 || c.InputTokens < 0 || c.CachedTokens < 0 || c.OutputTokens < 0 {
		return fmt.Errorf("budget: settle a negative charge (%+v)", c)
	}
	if c.Model == "" {
		c.Model = h.req.Call.Model
	}
	now := h.b.now()
	if h.id == "" {
		if c == (Charge{Model: c.Model}) {
			// A free call (no hold) that reported no usage and cost
			// nothing: the ledger, the record of spend, has nothing to
			// add; the call itself is recorded by its caller (the
			// agent's model step).
			return nil
		}
		return writeLedger(ctx, tx, h, c, now, false)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM budget_holds WHERE id = ?`, h.id); err != nil {
		return fmt.Errorf("budget: settle hold: %w", err)
	}
	if err := writeLedger(ctx, tx, h, c, now, false); err != nil {
		return err
	}
	if c.Cost == 0 || !h.req.Key.Set() {
		return nil
	}
	us, err := readUsage(ctx, tx, h.req.Key, now)
	if err != nil {
		return err
	}
	for _, u := range us {
		if !u.fired && Reached(u.Limit, u.Spent, h.req.Key.ThresholdPercent) {
			h.b.checkLater(ctx, h.req.Key, h.id, now)
			break
		}
	}
	return nil
}

// Release drops the hold of a call that was never billed (the provider
// refused it), even when ctx was canceled. A hold that cannot be deleted
// is settled as unconfirmed spend once it expires.
func (h *Hold) Release(ctx context.Context) error {
	if h.id == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if _, err := h.b.db.Exec(ctx, `DELETE FROM budget_holds WHERE id = ?`, h.id); err != nil {
		return fmt.Errorf("budget: release hold: %w", err)
	}
	return nil
}

// Unconfirmed settles a call whose outcome is unknown (it was cut off
// after the request left) as spent at the reserved amount, marked
// unconfirmed, even when ctx was canceled.
func (h *Hold) Unconfirmed(ctx context.Context) error {
	if h.id == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	return h.b.db.InTx(ctx, func(tx store.Tx) error {
		return h.b.sweepTx(ctx, tx, `id = ?`, h.id)
	})
}

// writeLedger inserts the ledger row of h's call, or replaces the
// unconfirmed row of the same hold.
func writeLedger(ctx context.Context, tx store.Tx, h *Hold, c Charge, now time.Time, unconfirmed bool) error {
	var holdID any
	if h.id != "" {
		holdID = h.id
	}
	_, err := tx.Exec(ctx, `INSERT INTO ledger (id, workspace_id, key_id, conversation_id, turn, model, input_tokens, cached_tokens, output_tokens, cost, created_at, hold_id, reserved, unconfirmed, scope)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (hold_id) DO UPDATE SET model = excluded.model, input_tokens = excluded.input_tokens, cached_tokens = excluded.cached_tokens,
			output_tokens = excluded.output_tokens, cost = excluded.cost, unconfirmed = excluded.unconfirmed`,
		store.NewID(), h.req.Key.WorkspaceID, h.req.Key.KeyID, h.req.Call.ConversationID, h.req.Call.Turn, c.Model,
		c.InputTokens, c.CachedTokens, c.OutputTokens, int64(c.Cost), store.Micros(now), holdID, int64(h.amount), b2i(unconfirmed), h.scope())
	if err != nil {
		return fmt.Errorf("budget: write ledger: %w", err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
