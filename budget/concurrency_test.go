package budget_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// proc is one node process: its own database handle and Budgets.
type proc struct {
	db     *store.DB
	b      *budget.Budgets
	events *events
}

const (
	goroutines = 50
	attempts   = 5 // per goroutine
)

// hammer has 50 goroutines, spread over procs, reserve and then settle
// (or, for some, release) calls of max each against key k, and checks the
// promise: settled spend never exceeds limit + one call's max, spent is the
// ledger sum, and once the budget is spent every reservation is refused.
func hammer(t *testing.T, procs []proc, clk *clock, k key, limit, max money.Micro) {
	ctx := context.Background()
	var admitted, refused, released atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		p := procs[g%len(procs)]
		wg.Go(func() {
			for i := range attempts {
				h, err := p.b.Reserve(ctx, k.req(max))
				if errs.Is(err, errs.BudgetSpent) {
					refused.Add(1)
					continue
				}
				if err != nil {
					t.Errorf("reserve: %v", err)
					return
				}
				admitted.Add(1)
				if (g+i)%4 == 0 { // a failed call
					released.Add(1)
					if err := h.Release(ctx); err != nil {
						t.Errorf("release: %v", err)
					}
					continue
				}
				if err := settle(ctx, p.db, h, max); err != nil {
					t.Errorf("settle: %v", err)
				}
			}
		})
	}
	wg.Wait()
	db := procs[0].db
	spent := ledgerSum(t, db, k)
	t.Logf("admitted %d (released %d), refused %d, spent $%s of $%s", admitted.Load(), released.Load(), refused.Load(), spent.Short(), limit.Short())
	if admitted.Load()+refused.Load() != goroutines*attempts {
		t.Fatalf("admitted %d + refused %d != %d attempts", admitted.Load(), refused.Load(), goroutines*attempts)
	}
	if spent > limit+max {
		t.Fatalf("spent $%s > limit $%s + one call's max $%s", spent.Short(), limit.Short(), max.Short())
	}
	if spent > limit { // actual == max, so not even the one-call overshoot
		t.Fatalf("spent $%s > limit $%s", spent.Short(), limit.Short())
	}
	if refused.Load() == 0 {
		t.Fatal("no reservation was refused")
	}

	// Spend what is left, one call at a time; then every process refuses.
	for {
		h, err := procs[0].b.Reserve(ctx, k.req(max))
		if errs.Is(err, errs.BudgetSpent) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := settle(ctx, db, h, max); err != nil {
			t.Fatal(err)
		}
	}
	if got := ledgerSum(t, db, k); got != limit {
		t.Fatalf("after filling up, spent $%s, want exactly $%s", got.Short(), limit.Short())
	}
	for i, p := range procs {
		if _, err := p.b.Reserve(ctx, k.req(max)); !errs.Is(err, errs.BudgetSpent) {
			t.Fatalf("process %d: reserve on a spent budget: %v", i, err)
		}
		if err := p.b.Check(ctx, k.lim); !errs.Is(err, errs.BudgetSpent) {
			t.Fatalf("process %d: check on a spent budget: %v", i, err)
		}
		if _, err := p.b.Reserve(ctx, k.req(0)); err != nil {
			t.Fatalf("process %d: a free call was refused: %v", i, err)
		}
		for _, w := range status(t, p.b, k) {
			if w.Spent != limit || w.Reserved != 0 || (w.Limit == limit && w.Remaining() != 0) {
				t.Fatalf("process %d: %s window = %+v", i, w.Budget, w)
			}
		}
	}
	// The 80 % crossing fired exactly once among all processes.
	fired := 0
	for _, p := range procs {
		p.b.Close()
		fired += len(p.events.get())
	}
	if fired != 1 {
		t.Fatalf("threshold fired %d times across %d processes, want 1", fired, len(procs))
	}
}

func newProc(t *testing.T, db *store.DB, clk *clock) proc {
	ev := &events{}
	return proc{db: db, b: newBudgets(t, db, clk, budget.Options{OnThreshold: ev.add}), events: ev}
}

func TestConcurrentReservations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock("2026-03-15T12:00:00Z")
		k := newKey(t, db, limits{daily: usd("1"), monthly: usd("100"), total: usd("1000")})
		hammer(t, []proc{newProc(t, db, clk)}, clk, k, usd("1"), usd("0.10"))
	})
}

// Two node processes — two separate database handles on one database —
// share the budget without overspending it.
func TestConcurrentReservationsTwoProcesses(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			clk := newClock("2026-03-15T12:00:00Z")
			a, b := openDB(t, url), openDB(t, url)
			k := newKey(t, a, limits{daily: budget.None, monthly: usd("0.75"), total: budget.None})
			hammer(t, []proc{newProc(t, a, clk), newProc(t, b, clk)}, clk, k, usd("0.75"), usd("0.05"))
		})
	}
}

func openDB(t *testing.T, url string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
