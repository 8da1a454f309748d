package budget_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

const none = budget.None

func TestReserveSettleRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("1"), monthly: usd("10"), total: none})

		h, err := b.Reserve(ctx, k.req(usd("0.30")))
		if err != nil {
			t.Fatal(err)
		}
		ws := status(t, b, k)
		if len(ws) != 2 {
			t.Fatalf("status = %+v, want daily and monthly only", ws)
		}
		if d := window(t, ws, budget.Daily); d.Reserved != usd("0.30") || d.Spent != 0 || d.Remaining() != usd("0.70") || d.Limit != usd("1") {
			t.Fatalf("daily after reserve = %+v", d)
		}
		if err := settle(ctx, db, h, usd("0.20")); err != nil {
			t.Fatal(err)
		}
		d := window(t, status(t, b, k), budget.Daily)
		if d.Reserved != 0 || d.Spent != usd("0.20") || d.Remaining() != usd("0.80") {
			t.Fatalf("daily after settle = %+v", d)
		}

		h, err = b.Reserve(ctx, k.req(usd("0.50")))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if d := window(t, status(t, b, k), budget.Daily); d.Reserved != 0 || d.Spent != usd("0.20") {
			t.Fatalf("daily after release = %+v", d)
		}
		// Release works even for a call whose context was canceled.
		h, err = b.Reserve(ctx, k.req(usd("0.50")))
		if err != nil {
			t.Fatal(err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if err := h.Release(canceled); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT count(*) FROM budget_holds`); n != 0 {
			t.Fatalf("%d holds left, want 0", n)
		}

		// Settling writes the ledger row: spent == ledger.
		for i := range 3 {
			h, err := b.Reserve(ctx, k.req(usd("0.10")))
			if err != nil {
				t.Fatalf("reserve %d: %v", i, err)
			}
			if err := settle(ctx, db, h, usd("0.05")); err != nil {
				t.Fatal(err)
			}
		}
		b.Close()
		for _, w := range status(t, b, k) {
			if w.Spent != ledgerSum(t, db, k) || w.Spent != usd("0.35") || w.Reserved != 0 {
				t.Fatalf("%s window = %+v, want spent = ledger sum 0.35", w.Budget, w)
			}
		}
	})
}

func TestRefusalDetail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("1"), monthly: none, total: usd("4.50")})

		mustSpend(t, b, db, k, usd("0.95"), usd("0.95"))
		_, err := b.Reserve(ctx, k.req(usd("0.10")))
		e := spentErr(t, err)
		want := map[string]any{"budget": "daily", "limit_usd": "1.00", "spent_usd": "0.95", "reserved_usd": "0.00", "resets_at": "2026-03-16T00:00:00Z"}
		for name, v := range want {
			if e.Detail[name] != v {
				t.Errorf("detail %s = %v, want %v (message %q)", name, e.Detail[name], v, e.Message)
			}
		}
		if e.Message != "daily budget of $1.00 too low for this call ($0.95 spent, $0.00 reserved by calls in progress; this call needs at least $0.10); resets at 2026-03-16T00:00:00Z" {
			t.Errorf("message = %q", e.Message)
		}
		// Not yet fully spent: the admission check lets the caller in.
		if err := b.Check(ctx, k.lim); err != nil {
			t.Fatalf("check with $0.05 left: %v", err)
		}
		// A reservation that fits exactly is admitted.
		mustSpend(t, b, db, k, usd("0.05"), usd("0.05"))
		e = spentErr(t, b.Check(ctx, k.lim))
		if e.Detail["spent_usd"] != "1.00" || e.Detail["budget"] != "daily" || !strings.HasPrefix(e.Message, "daily budget of $1.00 spent ($1.00 spent") {
			t.Errorf("check detail = %v", e.Detail)
		}
		// $0 calls (the local agent) still run.
		h, err := b.Reserve(ctx, k.req(0))
		if err != nil {
			t.Fatalf("free call refused: %v", err)
		}
		if err := settle(ctx, db, h, 0); err != nil {
			t.Fatal(err)
		}

		// Next day the daily budget admits again. When the daily and the total
		// both refuse, the total is named (it resets last: never), without
		// resets_at.
		clk.Set("2026-03-16T00:00:00Z")
		if err := b.Check(ctx, k.lim); err != nil {
			t.Fatalf("check after midnight: %v", err)
		}
		mustSpend(t, b, db, k, usd("1"), usd("1"))
		clk.Set("2026-03-17T08:00:00Z")
		mustSpend(t, b, db, k, usd("1"), usd("1"))
		clk.Set("2026-03-18T08:00:00Z")
		mustSpend(t, b, db, k, usd("0.90"), usd("0.90"))
		_, err = b.Reserve(ctx, k.req(usd("0.70"))) // over the daily and the total
		e = spentErr(t, err)
		if e.Detail["budget"] != "total" || e.Detail["spent_usd"] != "3.90" || e.Detail["limit_usd"] != "4.50" {
			t.Errorf("total detail = %v", e.Detail)
		}
		// Only the daily over: the daily is named.
		_, err = b.Reserve(ctx, k.req(usd("0.50")))
		if e := spentErr(t, err); e.Detail["budget"] != "daily" {
			t.Errorf("with the daily over, named %v", e.Detail["budget"])
		}
		if _, has := e.Detail["resets_at"]; has || !strings.Contains(e.Message, "does not reset") {
			t.Errorf("total refusal has a reset: %v %q", e.Detail, e.Message)
		}
	})
}

func TestWindowsResetOnCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-12-31T23:59:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		daily := newKey(t, db, limits{daily: usd("1"), monthly: none, total: none})
		monthly := newKey(t, db, limits{daily: none, monthly: usd("1"), total: none})
		total := newKey(t, db, limits{daily: none, monthly: none, total: usd("1")})
		for _, k := range []key{daily, monthly, total} {
			mustSpend(t, b, db, k, usd("1"), usd("1"))
			spentErr(t, b.Check(ctx, k.lim))
		}
		// Dec 31 → Jan 1 resets the day and the month, never the total.
		clk.Set("2027-01-01T00:00:00Z")
		for _, k := range []key{daily, monthly} {
			if err := b.Check(ctx, k.lim); err != nil {
				t.Fatalf("after new year: %v", err)
			}
			if _, err := b.Reserve(ctx, k.req(usd("1"))); err != nil {
				t.Fatalf("reserve after new year: %v", err)
			}
		}
		spentErr(t, b.Check(ctx, total.lim))

		// Through a leap February: the day resets, the month only on March 1.
		clk.Set("2028-02-28T23:00:00Z")
		mustSpend(t, b, db, monthly, usd("1"), usd("1"))
		clk.Set("2028-02-29T01:00:00Z")
		spentErr(t, b.Check(ctx, monthly.lim))
		if w := window(t, status(t, b, monthly), budget.Monthly); !w.ResetsAt.Equal(time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("resets_at = %v", w.ResetsAt)
		}
		clk.Set("2028-03-01T00:00:00Z")
		if err := b.Check(ctx, monthly.lim); err != nil {
			t.Fatalf("check on March 1: %v", err)
		}
	})
}

// A hold whose call died with its process is never released by time: it
// counts as reserved until a sweep settles it as spent at its reserved
// amount, marked unconfirmed; a settle that still arrives replaces it.
func TestCrashedHoldBecomesUnconfirmedSpend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{HoldTTL: 5 * time.Minute})
		k := newKey(t, db, limits{daily: usd("1"), monthly: none, total: none})

		// A "process" reserves and dies without settling or releasing.
		crashed, err := b.Reserve(ctx, k.req(usd("0.95")))
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Reserve(ctx, k.req(usd("0.10")))
		if e := spentErr(t, err); e.Detail["reserved_usd"] != "0.95" || e.Detail["spent_usd"] != "0.00" {
			t.Fatalf("detail = %v", e.Detail)
		}
		clk.Add(5*time.Minute - time.Microsecond)
		if n, err := b.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before the TTL settled %d holds (%v)", n, err)
		}
		clk.Add(time.Microsecond)
		if w := window(t, status(t, b, k), budget.Daily); w.Reserved != usd("0.95") || w.Spent != 0 {
			t.Fatalf("after the TTL, before a sweep: %+v; the hold must still count", w)
		}
		if n, err := b.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep settled %d holds (%v), want 1", n, err)
		}
		w := window(t, status(t, b, k), budget.Daily)
		if w.Reserved != 0 || w.Spent != usd("0.95") || w.Unconfirmed != usd("0.95") {
			t.Fatalf("after the sweep: %+v; want 0.95 spent, all unconfirmed", w)
		}
		if n := count(t, db, `SELECT count(*) FROM ledger WHERE key_id = ? AND unconfirmed = 1 AND cost = reserved AND cost = ? AND hold_id IS NOT NULL`, k.id, int64(usd("0.95"))); n != 1 {
			t.Fatalf("%d unconfirmed ledger rows at the reserved amount, want 1", n)
		}
		if n, err := b.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("a second sweep settled %d holds (%v)", n, err)
		}
		spentErr(t, func() error { _, err := b.Reserve(ctx, k.req(usd("0.10"))); return err }())

		// The crashed call's own settle arrives after all: its real cost
		// replaces the unconfirmed row, not added to it.
		if err := settle(ctx, db, crashed, usd("0.30")); err != nil {
			t.Fatal(err)
		}
		w = window(t, status(t, b, k), budget.Daily)
		if w.Spent != usd("0.30") || w.Unconfirmed != 0 || ledgerSum(t, db, k) != usd("0.30") {
			t.Fatalf("after the late settle: %+v, ledger %s", w, ledgerSum(t, db, k))
		}

		// Reserve sweeps the key's expired holds itself.
		if _, err := b.Reserve(ctx, k.req(usd("0.20"))); err != nil {
			t.Fatal(err)
		}
		clk.Add(5 * time.Minute)
		if _, err := b.Reserve(ctx, k.req(usd("0.10"))); err != nil {
			t.Fatal(err)
		}
		if w := window(t, status(t, b, k), budget.Daily); w.Spent != usd("0.50") || w.Unconfirmed != usd("0.20") || w.Reserved != usd("0.10") {
			t.Fatalf("after a reserve past the TTL: %+v", w)
		}
	})
}

// The holds left by an earlier run of a turn, and a hold whose call was
// cut off, are settled as unconfirmed spend at once.
func TestSettleTurnAndUnconfirmed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: none, monthly: none, total: none}) // no budget: holds are written all the same
		other := k.req(usd("0.07"))
		other.Call.Turn = 2
		if _, err := b.Reserve(ctx, k.req(usd("0.04"))); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reserve(ctx, other); err != nil {
			t.Fatal(err)
		}
		var lost money.Micro
		if err := db.InTx(ctx, func(tx store.Tx) error {
			var err error
			lost, err = b.SettleTurn(ctx, tx, "c1", 1)
			return err
		}); err != nil || lost != usd("0.04") {
			t.Fatalf("settled %s of turn 1 (%v), want 0.04", lost, err)
		}
		if n := count(t, db, `SELECT count(*) FROM budget_holds WHERE key_id = ? AND turn = 2`, k.id); n != 1 {
			t.Fatalf("turn 2's hold was touched")
		}
		h, err := b.Reserve(ctx, k.req(usd("0.02")))
		if err != nil {
			t.Fatal(err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		if err := h.Unconfirmed(canceled); err != nil {
			t.Fatal(err)
		}
		if got := money.Micro(count(t, db, `SELECT CAST(SUM(cost) AS BIGINT) FROM ledger WHERE key_id = ? AND unconfirmed = 1`, k.id)); got != usd("0.06") {
			t.Fatalf("unconfirmed spend %s, want 0.06", got)
		}
	})
}

func TestKeysWithoutBudgets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: none, monthly: none, total: none})
		for range 3 {
			h, err := b.Reserve(ctx, k.req(1000*money.Dollar))
			if err != nil {
				t.Fatal(err)
			}
			if err := settle(ctx, db, h, 500*money.Dollar); err != nil {
				t.Fatal(err)
			}
			if h, err = b.Reserve(ctx, k.req(money.Dollar)); err != nil {
				t.Fatal(err)
			}
			if err := h.Release(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM budget_holds`); n != 0 {
			t.Fatalf("a key without budgets wrote %d holds", n)
		}
		if err := b.Check(ctx, k.lim); err != nil {
			t.Fatal(err)
		}
		ws := status(t, b, k)
		if ws == nil || len(ws) != 0 {
			t.Fatalf("status = %#v, want empty", ws)
		}
		if raw, _ := json.Marshal(budget.JSONs(ws)); string(raw) != "[]" {
			t.Fatalf("json = %s", raw)
		}
	})
}

func TestZeroBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: 0, monthly: none, total: none})
		if _, err := b.Reserve(ctx, k.req(0)); err != nil {
			t.Fatalf("free call under a $0 budget: %v", err)
		}
		_, err := b.Reserve(ctx, k.req(1))
		spentErr(t, err)
		spentErr(t, b.Check(ctx, k.lim))
	})
}

func TestStatusJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("5"), monthly: none, total: usd("100")})
		mustSpend(t, b, db, k, usd("1"), usd("0.000412"))
		if _, err := b.Reserve(ctx, k.req(usd("0.02"))); err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(budget.JSONs(status(t, b, k)))
		if err != nil {
			t.Fatal(err)
		}
		want := `[{"budget":"daily","limit_usd":"5.00","spent_usd":"0.000412","unconfirmed_usd":"0.00","reserved_usd":"0.02","remaining_usd":"4.979588",` +
			`"window_start":"2026-03-15T00:00:00Z","resets_at":"2026-03-16T00:00:00Z"},` +
			`{"budget":"total","limit_usd":"100.00","spent_usd":"0.000412","unconfirmed_usd":"0.00","reserved_usd":"0.02","remaining_usd":"99.979588"}]`
		if string(raw) != want {
			t.Fatalf("json =\n%s\nwant\n%s", raw, want)
		}
	})
}

// A call reserved before midnight and settled after it lands in the new
// day's ledger, so its hold already counts against the new day: calls in
// flight across midnight cannot spend the new day's limit twice.
func TestHoldAcrossMidnight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T23:59:50Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("1"), monthly: none, total: none})
		h, err := b.Reserve(ctx, k.req(usd("0.90")))
		if err != nil {
			t.Fatal(err)
		}
		clk.Set("2026-03-16T00:00:10Z")
		if w := window(t, status(t, b, k), budget.Daily); w.Reserved != usd("0.90") || w.Spent != 0 {
			t.Fatalf("new day = %+v, want yesterday's live hold reserved", w)
		}
		if _, err := b.Reserve(ctx, k.req(usd("0.20"))); !errs.Is(err, errs.BudgetSpent) {
			t.Fatalf("reserve over a carried hold: %v", err)
		}
		if err := settle(ctx, db, h, usd("0.90")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Reserve(ctx, k.req(usd("0.10"))); err != nil {
			t.Fatalf("reserve what is left: %v", err)
		}
	})
}

// TestFreeCallLedger: a free call (Max 0, no hold) that reports no usage
// writes no ledger row; one that reports tokens (an unpriced model on a
// key without budgets) still does, and a paid call always does.
func TestFreeCallLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock("2026-03-15T12:00:00Z")
		b := newBudgets(t, db, clk, budget.Options{})
		k := newKey(t, db, limits{daily: usd("1"), monthly: none, total: none})
		charge := func(max money.Micro, c budget.Charge) {
			t.Helper()
			h, err := b.Reserve(ctx, k.req(max))
			if err != nil {
				t.Fatal(err)
			}
			if err := db.InTx(ctx, func(tx store.Tx) error { return h.Settle(ctx, tx, c) }); err != nil {
				t.Fatal(err)
			}
		}
		charge(0, budget.Charge{})
		charge(0, budget.Charge{Model: "local"})
		if n := count(t, db, `SELECT count(*) FROM ledger WHERE key_id = ?`, k.id); n != 0 {
			t.Fatalf("free calls without usage wrote %d ledger rows", n)
		}
		charge(0, budget.Charge{InputTokens: 10, OutputTokens: 2})
		charge(usd("0.10"), budget.Charge{Cost: usd("0.05")})
		charge(usd("0.10"), budget.Charge{})
		if n := count(t, db, `SELECT count(*) FROM ledger WHERE key_id = ?`, k.id); n != 3 {
			t.Fatalf("%d ledger rows, want 3 (a free call with usage, two paid calls)", n)
		}
		if s := ledgerSum(t, db, k); s != usd("0.05") {
			t.Fatalf("ledger sum %s, want 0.05", s.Short())
		}
	})
}
