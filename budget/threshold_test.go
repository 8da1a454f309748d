package budget_test

import (
	"context"
	"testing"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestThresholdEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		var got events
		b := newBudgets(t, db, clk, budget.Options{OnThreshold: got.add})
		k := newKey(t, db, limits{daily: usd("1"), monthly: usd("10"), total: budget.None})

		mustSpend(t, b, db, k, usd("0.60"), usd("0.50"))
		b.Close()
		if evs := got.get(); len(evs) != 0 {
			t.Fatalf("events below the threshold: %+v", evs)
		}
		// Crossing 80 % of the daily budget, ledger row written after Settle.
		h, err := b.Reserve(ctx, k.req(usd("0.30")))
		if err != nil {
			t.Fatal(err)
		}
		if err := settle(ctx, db, h, usd("0.30")); err != nil {
			t.Fatal(err)
		}
		b.Close()
		evs := got.get()
		if len(evs) != 1 {
			t.Fatalf("events = %+v, want one", evs)
		}
		e := evs[0]
		day := budget.WindowOf(budget.Daily, clk.Now())
		if e.Budget != budget.Daily || e.KeyID != k.id || e.WorkspaceID != k.ws || e.Limit != usd("1") ||
			e.Spent != usd("0.80") || e.Percent != 80 || !e.Start.Equal(day.Start) || !e.ResetsAt.Equal(day.ResetsAt) {
			t.Fatalf("event = %+v", e)
		}
		// Further spend in the same window does not fire again.
		mustSpend(t, b, db, k, usd("0.10"), usd("0.10"))
		mustSpend(t, b, db, k, usd("0.10"), usd("0.10"))
		b.Close()
		if n := len(got.get()); n != 1 {
			t.Fatalf("%d events after more spend, want 1", n)
		}
		// A new day is a new window: it fires again when crossed.
		clk.Set("2026-03-16T09:00:00Z")
		mustSpend(t, b, db, k, usd("0.85"), usd("0.85"))
		b.Close()
		evs = got.get()
		if len(evs) != 2 || evs[1].Budget != budget.Daily || !evs[1].Start.Equal(budget.WindowOf(budget.Daily, clk.Now()).Start) {
			t.Fatalf("events = %+v, want a second daily one", evs)
		}
		if n := count(t, db, `SELECT count(*) FROM budget_threshold_events WHERE key_id = ?`, k.id); n != 2 {
			t.Fatalf("%d recorded events, want 2", n)
		}
	})
}

// A crossing whose background check never ran (the process died right
// after committing) is caught by the key's next reservation.
func TestThresholdCaughtByReserve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		var got events
		b := newBudgets(t, db, clk, budget.Options{OnThreshold: got.add})
		k := newKey(t, db, limits{daily: budget.None, monthly: budget.None, total: usd("2"), percent: 50})

		_, err := db.Exec(ctx, `INSERT INTO ledger (id, workspace_id, key_id, model, cost, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			"led_crashed", k.ws, k.id, "m", int64(usd("1.20")), store.Micros(clk.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reserve(ctx, k.req(usd("0.01"))); err != nil {
			t.Fatal(err)
		}
		evs := got.get() // Reserve emits before it returns
		if len(evs) != 1 || evs[0].Budget != budget.Total || evs[0].Spent != usd("1.20") || !evs[0].Start.IsZero() || !evs[0].ResetsAt.IsZero() {
			t.Fatalf("events = %+v", evs)
		}
		// Refused reservations still record a crossing, once.
		if _, err := b.Reserve(ctx, k.req(usd("5"))); err == nil {
			t.Fatal("over-budget reservation admitted")
		}
		if n := len(got.get()); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
	})
}
