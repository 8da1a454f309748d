package scenario_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// clock is a node clock that runs at real speed from wherever Set put it.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) Set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// spend records an earlier model call of cost on key c, at.
func spend(t *testing.T, n *testbed.Node, c testbed.Creds, cost money.Micro, at time.Time) {
	t.Helper()
	_, err := n.DB().Exec(context.Background(), `INSERT INTO ledger (id, workspace_id, key_id, conversation_id, turn, model, input_tokens, output_tokens, cost, created_at)
		VALUES (?, ?, ?, '', 0, 'gpt-4.1-mini', 1000, 1000, ?, ?)`, store.NewID(), c.WorkspaceID, c.KeyID, int64(cost), store.Micros(at))
	if err != nil {
		t.Fatalf("seed the ledger: %v", err)
	}
}

// refusedWith402 posts a message on a spent key and returns the problem,
// checking that the provider was not called and no turn was queued.
func refusedWith402(t *testing.T, e *env, c testbed.Creds) (problem, map[string]any) {
	t.Helper()
	before := e.fake.calls()
	turns := count(t, e.n.DB(), `SELECT count(*) FROM turns`)
	r := e.n.Do("POST", "/api/agent?wait=10", c, map[string]any{"message": "Say hello"})
	if r.Status != http.StatusPaymentRequired {
		t.Fatalf("POST on a spent key = %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("402 content type %q", ct)
	}
	var p problem
	r.JSON(t, &p)
	var raw map[string]any
	r.JSON(t, &raw)
	if e.fake.calls() != before || count(t, e.n.DB(), `SELECT count(*) FROM turns`) != turns {
		t.Errorf("a refused message reached the provider or queued a turn")
	}
	return p, raw
}

func TestBudgetResetsOnCalendarBoundaries(t *testing.T) {
	const limit = 50_000 * money.Micro(1) // $0.05
	for _, db := range databases {
		for _, p := range providers {
			t.Run(db+"/"+p, func(t *testing.T) {
				t.Parallel()
				clk := &clock{}
				e := start(t, db, p, func(c *node.Config) { c.Now = clk.Now }, budgeted)
				clk.Set(time.Date(2031, 3, 14, 23, 59, 30, 0, time.UTC)) // half a minute before midnight, for the checks below
				daily := testbed.Workspace(t, e.n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: limit, BudgetMonthly: budget.None, BudgetTotal: budget.None})
				monthly := testbed.Workspace(t, e.n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: budget.None, BudgetMonthly: limit, BudgetTotal: budget.None})
				total := testbed.Workspace(t, e.n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: limit})
				spend(t, e.n, daily, limit, clk.Now())
				spend(t, e.n, monthly, limit, time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC))
				spend(t, e.n, total, limit, time.Date(2031, 1, 2, 12, 0, 0, 0, time.UTC))

				// The daily budget is spent: 402 with the details, then a
				// new UTC day admits the key again.
				prob, _ := refusedWith402(t, e, daily)
				if prob.Budget != "daily" || prob.LimitUSD != "0.05" || prob.SpentUSD != "0.05" || prob.ResetsAt == nil ||
					*prob.ResetsAt != "2031-03-15T00:00:00Z" || prob.Status != 402 || prob.Detail == "" {
					t.Errorf("402 of the daily budget: %+v", prob)
				}
				w := getBudget(t, e.n, daily).Budgets
				if len(w) != 1 || w[0].SpentUSD != "0.05" || w[0].RemainingUSD != "0.00" || !w[0].ResetsAt.Equal(time.Date(2031, 3, 15, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("daily budget before midnight: %+v", w)
				}
				clk.Set(time.Date(2031, 3, 15, 0, 0, 2, 0, time.UTC))
				if cv := send(t, e.n, daily, "", "Say hello"); cv.Status != "completed" {
					t.Errorf("after midnight UTC: %+v", cv)
				}
				w = getBudget(t, e.n, daily).Budgets
				spentToday := sum(ledger(t, e.n.DB(), "key_id = ? AND conversation_id <> ''", daily.KeyID))
				if spentToday <= 0 || w[0].SpentUSD != spentToday.Short() || !w[0].ResetsAt.Equal(time.Date(2031, 3, 16, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("daily budget after midnight: %+v (spent today %s)", w, spentToday)
				}

				// The total budget never resets: no resets_at at all.
				prob, raw := refusedWith402(t, e, total)
				if _, ok := raw["resets_at"]; ok || prob.Budget != "total" || prob.LimitUSD != "0.05" || prob.SpentUSD != "0.05" {
					t.Errorf("402 of the total budget: %v", raw)
				}

				// The monthly budget is spent in March, and not in April.
				clk.Set(time.Date(2031, 3, 31, 23, 59, 30, 0, time.UTC))
				prob, _ = refusedWith402(t, e, monthly)
				if prob.Budget != "monthly" || prob.ResetsAt == nil || *prob.ResetsAt != "2031-04-01T00:00:00Z" {
					t.Errorf("402 of the monthly budget: %+v", prob)
				}
				clk.Set(time.Date(2031, 4, 1, 0, 0, 2, 0, time.UTC))
				if cv := send(t, e.n, monthly, "", "Say hello"); cv.Status != "completed" {
					t.Errorf("after the month's end: %+v", cv)
				}
				if w := getBudget(t, e.n, monthly).Budgets; len(w) != 1 || !w[0].ResetsAt.Equal(time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("monthly budget in April: %+v", w)
				}
				if prob, _ := refusedWith402(t, e, total); prob.Budget != "total" {
					t.Errorf("the total budget reset: %+v", prob)
				}
			})
		}
	}
}

func TestUnpricedModelWithBudget(t *testing.T) {
	tweak := func(c *node.Config) { c.Model = "acme-llm-1" }
	matrix(t, tweak, budgeted, func(t *testing.T, e *env) {
		cv := send(t, e.n, e.c, "", "Say hello")
		if cv.Status != "failed" || !strings.Contains(cv.Error, "no price") || !strings.Contains(cv.Error, "acme-llm-1") {
			t.Fatalf("conversation: %+v", cv)
		}
		if e.fake.calls() != 0 {
			t.Errorf("the provider was called %d times for an unpriced model on a budgeted key", e.fake.calls())
		}
		if n := count(t, e.n.DB(), `SELECT count(*) FROM budget_holds`); n != 0 {
			t.Errorf("%d holds", n)
		}

		// Without a budget there is nothing to protect: the call runs.
		free := testbed.Workspace(t, e.n.DB(), workspace.Owner, access.KeyParams{})
		if cv := send(t, e.n, free, "", "Say hello"); cv.Status != "completed" || e.fake.calls() != 1 {
			t.Errorf("unbudgeted key: %+v after %d calls", cv, e.fake.calls())
		}
	})
}

func TestLocalAgentRunsFreeOnSpentKey(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			n := testbed.Start(t, baseConfig(t, databaseURL(t, db))) // no provider configured: the local agent
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: 10_000, BudgetMonthly: budget.None, BudgetTotal: budget.None})
			spend(t, n, c, 10_000, time.Now())

			cv := send(t, n, c, "", "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com")
			if cv.Status != "completed" || cv.CostUSD != "0.000000" {
				t.Fatalf("local turn on a spent key: %+v", cv)
			}
			if k := count(t, n.DB(), `SELECT count(*) FROM contacts WHERE workspace_id = ? AND email = 'jane@acme.com'`, c.WorkspaceID); k != 1 {
				t.Errorf("%d contacts created", k)
			}
			acts := cv.Turns[0].Actions
			if len(acts) != 1 || acts[0].Tool != "contacts_create" || !acts[0].OK {
				t.Errorf("receipts %+v", acts)
			}
			// The ledger records spend: the local agent's calls are free and
			// report no usage, so they add no row (docs/budgets.md); the
			// turn's model step records them.
			if rows := ledger(t, n.DB(), "key_id = ?", c.KeyID); sum(rows) != 10_000 || len(rows) != 1 || rows[0].Model == "local" {
				t.Errorf("ledger %+v: want the seeded spend alone", rows)
			}
			if w := getBudget(t, n, c).Budgets; len(w) != 1 || w[0].SpentUSD != "0.01" || w[0].ReservedUSD != "0.00" {
				t.Errorf("budget: %+v", w)
			}
		})
	}
}
