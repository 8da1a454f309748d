package budget_test

import (
	"context"
	"sync"
	"testing"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// A hold takes what fits between Min and Max: the smallest headroom of
// the key's windows.
func TestHoldSizedToHeadroom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("1"), monthly: usd("0.90"), total: none})
		mustSpend(t, b, db, k, usd("0.60"), usd("0.60"))

		r := k.req(0)
		r.Min, r.Max = usd("0.10"), usd("0.50")
		h, err := b.Reserve(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if h.Amount() != usd("0.30") || !h.Limited() { // the monthly's headroom, not the daily's 0.40
			t.Fatalf("amount %s, want 0.30", h.Amount())
		}
		_, err = b.Reserve(ctx, r)
		if e := spentErr(t, err); e.Detail["budget"] != "monthly" || e.Detail["reserved_usd"] != "0.30" {
			t.Fatalf("refusal detail %v", e.Detail)
		}
		r.Min = 0
		h0, err := b.Reserve(ctx, r)
		if err != nil || h0.Amount() != 0 {
			t.Fatalf("a hold with Min 0 on a full budget: %v, %v", h0, err)
		}
		if err := settle(ctx, db, h, usd("0.30")); err != nil {
			t.Fatal(err)
		}
		if got := ledgerSum(t, db, k); got != usd("0.90") {
			t.Fatalf("spent %s, want 0.90", got)
		}
		// A bad request is an error, not a refusal.
		r.Min, r.Max = usd("0.2"), usd("0.1")
		if _, err := b.Reserve(ctx, r); err == nil || errs.Is(err, errs.BudgetSpent) {
			t.Fatalf("Min > Max: %v", err)
		}
	})
}

// A Cap is a second limit on the same hold: what its scope recorded and
// holds, across keys and processes, never passes its limit.
func TestCapLimitsItsScope(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock("2026-03-15T12:00:00Z")
			a, b := openDB(t, url), openDB(t, url)
			ba, bb := newBudgets(t, a, clk, budget.Options{}), newBudgets(t, b, clk, budget.Options{})
			k1 := newKey(t, a, limits{daily: none, monthly: none, total: none})
			k2 := newKey(t, a, limits{daily: usd("10"), monthly: none, total: none})
			cap := &budget.Cap{Name: "negotiation", Scope: "negotiation:n1", Limit: usd("0.50")}

			var wg sync.WaitGroup
			var mu sync.Mutex
			admitted := 0
			for g := range 20 {
				wg.Go(func() {
					k, bs, db := k1, ba, a
					if g%2 == 1 {
						k, bs, db = k2, bb, b
					}
					r := k.req(usd("0.05"))
					r.Cap = cap
					h, err := bs.Reserve(ctx, r)
					if errs.Is(err, errs.BudgetSpent) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					if err := settle(ctx, db, h, usd("0.05")); err != nil {
						t.Error(err)
					}
					mu.Lock()
					admitted++
					mu.Unlock()
				})
			}
			wg.Wait()
			var inScope int64
			if err := a.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE scope = ?`, cap.Scope).Scan(&inScope); err != nil {
				t.Fatal(err)
			}
			if admitted != 10 || inScope != int64(usd("0.50")) {
				t.Fatalf("%d calls admitted, %d micro-USD in the scope; want 10 and exactly the cap", admitted, inScope)
			}
			r := k2.req(usd("0.01"))
			r.Cap = cap
			_, err := bb.Reserve(ctx, r)
			if e := spentErr(t, err); e.Detail["budget"] != "negotiation" || e.Detail["limit_usd"] != "0.50" || e.Detail["spent_usd"] != "0.50" {
				t.Fatalf("refusal detail %v", e.Detail)
			}
			// Another scope, and the key without the cap, are not limited.
			r.Cap = &budget.Cap{Name: "negotiation", Scope: "negotiation:n2", Limit: usd("0.50")}
			if _, err := bb.Reserve(ctx, r); err != nil {
				t.Fatal(err)
			}
			if _, err := bb.Reserve(ctx, k2.req(usd("0.01"))); err != nil {
				t.Fatal(err)
			}
		})
	}
}
