package budget_test

import (
	"context"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestOnRefusal: every refusal, by Check or by Reserve, a key's window or
// a cap, is told to Options.OnRefusal with that budget's name; a
// reservation that fits is not.
func TestOnRefusal(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t, url)
			var mu sync.Mutex
			var got []budget.Name
			b := newBudgets(t, db, newClock("2026-03-15T12:00:00Z"), budget.Options{OnRefusal: func(n budget.Name) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, n)
			}})
			k := newKey(t, db, limits{daily: usd("1"), monthly: usd("5"), total: none})
			mustSpend(t, b, db, k, usd("0.50"), usd("0.50"))
			if _, err := b.Reserve(ctx, k.req(usd("0.60"))); !errs.Is(err, errs.BudgetSpent) {
				t.Fatalf("reserve past the daily budget: %v", err)
			}
			mustSpend(t, b, db, k, usd("0.50"), usd("0.50"))
			if err := b.Check(ctx, k.lim); !errs.Is(err, errs.BudgetSpent) {
				t.Fatalf("check with the daily budget spent: %v", err)
			}
			free := newKey(t, db, limits{daily: none, monthly: none, total: none})
			r := free.req(usd("0.20"))
			r.Cap = &budget.Cap{Name: "negotiation", Scope: "negotiation:r1", Limit: usd("0.10")}
			if _, err := b.Reserve(ctx, r); !errs.Is(err, errs.BudgetSpent) {
				t.Fatalf("reserve past the cap: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 3 || got[0] != budget.Daily || got[1] != budget.Daily || got[2] != "negotiation" {
				t.Fatalf("refusals told: %v, want [daily daily negotiation]", got)
			}
		})
	}
}
