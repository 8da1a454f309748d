package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestHistory: spend lands on its UTC day, days without spend are zero,
// days before the span and other keys are left out.
func TestHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-01T23:30:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("5"), monthly: none, total: none})
		other := newKey(t, db, limits{daily: usd("5"), monthly: none, total: none})
		mustSpend(t, b, db, k, usd("1"), usd("0.25")) // Mar 1, before the span
		clk.Set("2026-03-10T00:00:00Z")
		mustSpend(t, b, db, k, usd("1"), usd("0.5"))
		clk.Set("2026-03-10T23:59:59Z")
		mustSpend(t, b, db, k, usd("1"), usd("0.125"))
		mustSpend(t, b, db, other, usd("1"), usd("1"))
		clk.Set("2026-03-12T08:00:00Z")
		mustSpend(t, b, db, k, usd("1"), usd("0.001"))

		days, err := b.History(ctx, k.lim.KeyID, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"0", "0", "0.625", "0", "0.001"}
		if len(days) != 5 {
			t.Fatalf("%d days", len(days))
		}
		for i, d := range days {
			if day := time.Date(2026, 3, 8+i, 0, 0, 0, 0, time.UTC); !d.Start.Equal(day) || d.Spent != usd(want[i]) {
				t.Errorf("day %d = %v %s, want %v %s", i, d.Start, d.Spent.Short(), day, want[i])
			}
		}
		if _, err := b.History(ctx, k.lim.KeyID, 0); err == nil {
			t.Fatal("a history of 0 days")
		}
	})
}
