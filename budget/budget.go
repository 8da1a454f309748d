// Package budget is the one owner of money spent on AI: an integration
// key's dollar budgets — daily (UTC calendar day), monthly (UTC calendar
// month) and total — the holds that reserve money before a model call, and
// the ledger that records what each call cost. Nothing else writes the
// ledger or knows a limit.
//
// # Holds
//
// A caller that is about to spend asks for a hold and later settles it:
//
//	h, err := b.Reserve(ctx, budget.Request{Key: key.Limits(), Call: call, Min: min, Max: max})
//	… make the call with an output limit that h.Amount() pays for …
//	err = db.InTx(ctx, func(tx store.Tx) error { return h.Settle(ctx, tx, charge) })
//
// Reserve holds as much as fits between Min and Max: for every budget the
// key has,
//
//	spent in the window + every open hold + the new hold ≤ limit
//
// checked and written in one transaction that serialises reservers of the
// key (a row lock on PostgreSQL, the write lock on SQLite), also across node
// processes sharing the database. When less than Min fits, Reserve refuses
// with an errs.BudgetSpent error carrying budget, limit_usd, spent_usd,
// reserved_usd and resets_at (the 402 body). Settle writes the call's
// ledger row and deletes the hold in the caller's transaction, so spent is
// always the ledger sum; Release drops the hold of a call that was never
// billed; Unconfirmed settles a call whose outcome is unknown at its
// reserved amount.
//
// # Extra limits
//
// A Request may carry a Cap: a second limit on the same hold, besides the
// key's budgets. Its Scope tags the hold and the ledger row, and the hold
// fits only if everything already recorded or held in that scope, plus the
// hold, stays within Cap.Limit. A negotiation's cap is one line:
//
//	req.Cap = &budget.Cap{Name: "negotiation", Scope: "negotiation:" + id, Limit: n.MaxUSD}
//
// (agent.Runner.CapOf returns it for the conversations of a negotiation).
//
// # Crashes
//
// A hold is never silently released. When its turn is run again (the
// process running it died) or when it outlives Options.HoldTTL, it is
// settled as spent at its reserved amount in a ledger row marked
// unconfirmed (SettleTurn, Sweep, Run); if the call's own settle still
// arrives, it replaces that row with the real usage.
//
// # The bound
//
// A caller that reserves an upper bound of the call's cost (the agent
// reserves the prompt bounded by its size plus the output limit it sends)
// cannot make the key spend past its limit: spend ≤ limit + the sum of the
// overruns, an overrun being what a provider reports beyond the hold, which
// the agent records and then stops the turn. docs/budgets.md states the
// bound and the tests that prove it.
//
// The pure core (windows, thresholds, limits) is in window.go and
// limit.go; everything touching the database is in the other files.
package budget

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// DefaultHoldTTL is Options.HoldTTL when unset.
const DefaultHoldTTL = 10 * time.Minute

// Options configure Budgets. The zero value is usable.
type Options struct {
	// HoldTTL is how long a hold may stay unsettled before Sweep decides
	// its call died with its process and settles it as unconfirmed spend.
	// Keep it above the longest model call (the turn timeout: provider
	// timeout plus retries). Default DefaultHoldTTL.
	HoldTTL time.Duration
	// OnThreshold, if set, is called once per key, budget and window when
	// the spend in the window first reaches the key's threshold_percent of
	// its limit, after the transaction that recorded it committed. It runs
	// in Reserve's goroutine or in a background goroutine after a Settle;
	// keep it short (enqueue a webhook, say) and do not block on the
	// caller's transaction.
	OnThreshold func(ctx context.Context, e Event)
	// OnRefusal, if set, is called with the budget's name (daily, monthly,
	// total, or a cap's name such as "negotiation") each time Check or
	// Reserve refuses because that budget has too little left; the node
	// counts refusals for its metrics. Keep it short.
	OnRefusal func(budget Name)
	// Logger receives the threshold events and background failures.
	// Default slog.Default().
	Logger *slog.Logger
}

// Event reports that a key's spend reached its threshold in a window.
type Event struct {
	KeyID       string
	WorkspaceID string
	Budget      Name
	Percent     int         // the key's threshold_percent
	Limit       money.Micro // the budget's limit
	Spent       money.Micro // spend in the window when the event was recorded
	Start       time.Time   // the window's start; zero for Total
	ResetsAt    time.Time   // the window's end; zero for Total
}

// Budgets enforces the budgets of integration keys stored in one database
// and keeps their ledger. It is safe for concurrent use.
type Budgets struct {
	db          *store.DB
	now         func() time.Time
	ttl         time.Duration
	onThreshold func(context.Context, Event)
	onRefusal   func(Name)
	log         *slog.Logger
	pending     sync.WaitGroup // background threshold checks
}

// New returns Budgets over db (migrated), reading time from clock (nil
// means time.Now).
func New(db *store.DB, clock func() time.Time, opts Options) *Budgets {
	if clock == nil {
		clock = time.Now
	}
	if opts.HoldTTL <= 0 {
		opts.HoldTTL = DefaultHoldTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Budgets{db: db, now: clock, ttl: opts.HoldTTL, onThreshold: opts.OnThreshold, onRefusal: opts.OnRefusal, log: opts.Logger}
}

// Close waits for the threshold checks that settles started in the
// background. Call it after the last Settle, before closing the database.
func (b *Budgets) Close() { b.pending.Wait() }
