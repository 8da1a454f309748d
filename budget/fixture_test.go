package budget_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is an injectable clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(rfc3339 string) *clock {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err)
	}
	return &clock{t: t.UTC()}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(rfc3339 string) {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

// limits are a key's budgets; budget.None leaves one unset.
type limits struct {
	daily, monthly, total money.Micro
	percent               int
}

// key is an integration key inserted for a test.
type key struct {
	ws, id string
	lim    budget.Limits
}

// req asks for a hold of exactly amount (Min = Max) on k.
func (k key) req(amount money.Micro) budget.Request {
	return budget.Request{Key: k.lim, Call: budget.Call{ConversationID: "c1", Turn: 1, Model: "test-model"}, Min: amount, Max: amount}
}

// newKey inserts a workspace, an owner and an api key with l.
func newKey(t *testing.T, db *store.DB, l limits) key {
	t.Helper()
	ctx := context.Background()
	k := key{ws: "ws_" + rand.Text(), id: "key_" + rand.Text()}
	if l.percent == 0 {
		l.percent = 80
	}
	k.lim = budget.Limits{KeyID: k.id, WorkspaceID: k.ws, Daily: l.daily, Monthly: l.monthly, Total: l.total, ThresholdPercent: l.percent}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, []any{k.ws, "Acme", int64(1)}},
		{`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			[]any{"mem_" + rand.Text(), k.ws, "Owner", "owner@acme.test", "owner", int64(1)}},
		{`INSERT INTO api_keys (id, workspace_id, name, hash, budget_daily, budget_monthly, budget_total, threshold_percent, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			[]any{k.id, k.ws, "test", "hash_" + rand.Text(), int64(l.daily), int64(l.monthly), int64(l.total), l.percent, int64(1)}},
	}
	for _, s := range stmts {
		if _, err := db.Exec(ctx, s.q, s.args...); err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	return k
}

// settle settles h at actual in a transaction of its own, the way the
// agent loop does (with its other writes).
func settle(ctx context.Context, db *store.DB, h *budget.Hold, actual money.Micro) error {
	return db.InTx(ctx, func(tx store.Tx) error {
		return h.Settle(ctx, tx, budget.Charge{Cost: actual})
	})
}

// mustSpend reserves max and settles actual, failing the test on any error.
func mustSpend(t *testing.T, b *budget.Budgets, db *store.DB, k key, max, actual money.Micro) {
	t.Helper()
	ctx := context.Background()
	h, err := b.Reserve(ctx, k.req(max))
	if err != nil {
		t.Fatalf("reserve %s: %v", max.Short(), err)
	}
	if err := settle(ctx, db, h, actual); err != nil {
		t.Fatalf("settle: %v", err)
	}
}

func ledgerSum(t *testing.T, db *store.DB, k key) money.Micro {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE key_id = ?`, k.id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return money.Micro(n)
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// window returns the window of budget n in ws, failing when absent.
func window(t *testing.T, ws []budget.Window, n budget.Name) budget.Window {
	t.Helper()
	for _, w := range ws {
		if w.Budget == n {
			return w
		}
	}
	t.Fatalf("no %s window in %+v", n, ws)
	return budget.Window{}
}

func status(t *testing.T, b *budget.Budgets, k key) []budget.Window {
	t.Helper()
	ws, err := b.Status(context.Background(), k.lim)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// spentErr asserts err is a BudgetSpent error and returns it.
func spentErr(t *testing.T, err error) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.BudgetSpent {
		t.Fatalf("err = %v, want kind budget_spent", err)
	}
	return e
}

// events collects threshold events.
type events struct {
	mu   sync.Mutex
	list []budget.Event
}

func (e *events) add(_ context.Context, ev budget.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) get() []budget.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]budget.Event(nil), e.list...)
}

func usd(s string) money.Micro {
	m, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return m
}

// newBudgets builds Budgets on a test clock, logging to the test's output
// and waiting for background checks before the database closes.
func newBudgets(t *testing.T, db *store.DB, clk *clock, opts budget.Options) *budget.Budgets {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	b := budget.New(db, clk.Now, opts)
	t.Cleanup(b.Close)
	return b
}
