// Package budget enforces an integration key's dollar budgets — daily (UTC
// calendar day), monthly (UTC calendar month) and total — on the AI the
// agent spends for it.
//
// Every paid model call first reserves its maximum cost (a hold, like a card
// authorisation) and later settles to its actual cost in the transaction
// that writes its ledger row, or releases the hold when it fails. A
// reservation is admitted only if, for every budget the key has,
//
//	spent in the window + live holds + this call's maximum ≤ limit
//
// checked and written in one transaction that serialises reservers of the
// same key (a row lock on PostgreSQL, the write lock on SQLite), also across
// node processes sharing the database. Spent is always the ledger sum, so
// concurrent callers cannot spend more than the limit plus at most one
// call's maximum (the bound is the limit itself while actual ≤ maximum).
//
// The pure core (windows, thresholds, limits) is in window.go and
// limit.go; everything touching the database is in the other files. See
// docs/budgets.md for the user-facing description.
package budget

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// DefaultHoldTTL is Options.HoldTTL when unset.
const DefaultHoldTTL = 10 * time.Minute

// Options configure Budgets. The zero value is usable.
type Options struct {
	// HoldTTL is how long an unsettled hold counts against the budgets. A
	// hold outlives it only when its process crashed mid-call; keep it above
	// the longest model call (provider timeout plus retries). Default
	// DefaultHoldTTL.
	HoldTTL time.Duration
	// OnThreshold, if set, is called once per key, budget and window when
	// the spend in the window first reaches the key's threshold_percent of
	// its limit, after the transaction that recorded it committed. It runs
	// in Reserve's goroutine or in a background goroutine after a Settle;
	// keep it short (enqueue a webhook, say) and do not block on the
	// caller's transaction.
	OnThreshold func(ctx context.Context, e Event)
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

// Budgets enforces the budgets of integration keys stored in one database.
// It implements agent.Reserver and is safe for concurrent use.
type Budgets struct {
	db          *store.DB
	now         func() time.Time
	ttl         time.Duration
	onThreshold func(context.Context, Event)
	log         *slog.Logger
	pending     sync.WaitGroup // background threshold checks
}

var _ agent.Reserver = (*Budgets)(nil)

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
	return &Budgets{db: db, now: clock, ttl: opts.HoldTTL, onThreshold: opts.OnThreshold, log: opts.Logger}
}

// Close waits for the threshold checks that settles started in the
// background. Call it after the last Settle, before closing the database.
func (b *Budgets) Close() { b.pending.Wait() }

// key is what the budgets need of an api_keys row.
type key struct {
	id          string
	workspaceID string
	limits      [3]money.Micro // by names; None when not set
	percent     int            // threshold_percent
}

// budgeted reports whether any budget of k is set.
func (k key) budgeted() bool {
	for _, l := range k.limits {
		if l >= 0 {
			return true
		}
	}
	return false
}

// loadKey reads key id. With lock on PostgreSQL it also locks the row until
// q's transaction ends, which serialises reservers of the key across
// processes; SQLite's write transactions are serial already.
func loadKey(ctx context.Context, q store.Querier, id string, lock bool) (key, error) {
	query := `SELECT workspace_id, budget_daily, budget_monthly, budget_total, threshold_percent FROM api_keys WHERE id = ?`
	if lock && q.Dialect() == store.Postgres {
		query += ` FOR UPDATE`
	}
	k := key{id: id}
	var d, m, t int64
	err := q.QueryRow(ctx, query, id).Scan(&k.workspaceID, &d, &m, &t, &k.percent)
	switch {
	case errors.Is(err, store.ErrNoRows):
		return k, errs.E(errs.NotFound, "unknown integration key")
	case err != nil:
		return k, fmt.Errorf("budget: read key %s: %w", id, err)
	}
	k.limits = [3]money.Micro{normalise(d), normalise(m), normalise(t)}
	return k, nil
}

// normalise maps any negative stored limit to None.
func normalise(v int64) money.Micro {
	if v < 0 {
		return None
	}
	return money.Micro(v)
}
