package scenario_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
)

// Issue "Dollar budgets": concurrent callers cannot spend more than the
// budget (each call reserves an upper bound of its cost), a spent key is
// told so, and budgets reset on calendar boundaries.

const (
	burstSize   = 50
	burstBudget = 20_000 * money.Micro(1) // $0.02: a dozen calls or so, far less than 50
)

func TestBudgetBoundUnderConcurrency(t *testing.T) {
	key := access.KeyParams{BudgetDaily: burstBudget, BudgetMonthly: budget.None, BudgetTotal: budget.None}
	tweak := func(c *node.Config) { c.Workers = burstSize }
	matrix(t, tweak, key, func(t *testing.T, e *env) {
		burst(t, []*testbed.Node{e.n}, e.fake, e.c)
	})
}

func TestBudgetBoundAcrossTwoNodes(t *testing.T) {
	for _, p := range providers {
		t.Run("postgres/"+p, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, p)
			cfg := baseConfig(t, databaseURL(t, "postgres"))
			fake.configure(&cfg)
			cfg.Workers = burstSize
			a := testbed.Start(t, cfg)
			b := testbed.Start(t, cfg) // same database and key file: one deployment, two processes
			c := testbed.Workspace(t, a.DB(), workspace.Owner, access.KeyParams{BudgetDaily: burstBudget, BudgetMonthly: budget.None, BudgetTotal: budget.None})
			burst(t, []*testbed.Node{a, b}, fake, c)
		})
	}
}

// burst sends burstSize messages at once, spread over nodes, on key c
// whose daily budget is burstBudget, and checks the bound.
//
// The fake holds every call until each turn of the burst is either in a
// model call or finished, so all of them contend for the budget at once,
// and answers with the request's whole output limit, so each call costs
// close to its reservation: the hardest case for the bound.
func burst(t *testing.T, nodes []*testbed.Node, fake *fakeModel, c testbed.Creds) {
	db := nodes[0].DB()
	var maxHold atomic.Int64  // the largest reservation seen while a call is in flight
	var inFlight atomic.Int64 // model calls being answered
	fake.handle(func(_ int, r request) reply {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		var m int64
		if err := db.QueryRow(context.Background(), `SELECT COALESCE(MAX(amount), 0) FROM budget_holds WHERE key_id = ?`, c.KeyID).Scan(&m); err == nil {
			for old := maxHold.Load(); m > old && !maxHold.CompareAndSwap(old, m); old = maxHold.Load() {
			}
		}
		// Held at most 15 s: past it the call is answered anyway.
		poll.Until(15*time.Second, func() bool {
			var all, active int
			err := db.QueryRow(context.Background(), `SELECT count(*), COALESCE(SUM(CASE WHEN status IN ('queued', 'running') THEN 1 ELSE 0 END), 0) FROM turns`).Scan(&all, &active)
			return err != nil || all >= burstSize && int64(active) <= inFlight.Load()
		})
		return reply{Text: "Done.", Usage: &usage{In: int64(len(r.Body)+3) / 4, Out: r.MaxOut}}
	})

	ids := make([]string, burstSize)
	statuses := make([]int, burstSize)
	var wg sync.WaitGroup
	for i := range burstSize {
		wg.Go(func() {
			n := nodes[i%len(nodes)]
			r := n.Do("POST", "/api/agent", c, map[string]any{"message": "Say done"})
			statuses[i] = r.Status
			if r.Status == http.StatusAccepted {
				var a accepted
				r.JSON(t, &a)
				ids[i] = a.ConversationID
			}
		})
	}
	wg.Wait()

	var completed, exceeded, refused int
	for i, id := range ids {
		switch statuses[i] {
		case http.StatusAccepted:
		case http.StatusPaymentRequired:
			refused++
			continue
		default:
			t.Fatalf("POST %d = %d", i, statuses[i])
		}
		cv := waitStopped(t, nodes[(i+1)%len(nodes)], c, id)
		switch cv.Status {
		case "completed":
			completed++
		case "budget_exceeded":
			exceeded++
			checkRefusedTurn(t, db, cv)
		default:
			t.Errorf("conversation %s: %s (%s)", id, cv.Status, cv.Error)
		}
	}
	rows := ledger(t, db, "key_id = ?", c.KeyID)
	spent, hold := sum(rows), money.Micro(maxHold.Load())
	t.Logf("burst: %d completed, %d budget_exceeded, %d refused at POST; spent %s of %s; one call reserves up to %s",
		completed, exceeded, refused, spent, burstBudget, hold)
	if hold <= 0 {
		t.Fatalf("no reservation seen while calls were in flight")
	}
	if completed == 0 || exceeded+refused == 0 || completed+exceeded+refused != burstSize {
		t.Errorf("%d completed, %d budget_exceeded, %d refused: want some of each, %d in all", completed, exceeded, refused, burstSize)
	}
	if fake.calls() != len(rows) || len(rows) != completed {
		t.Errorf("the fake got %d calls for %d ledger rows and %d completed turns", fake.calls(), len(rows), completed)
	}

	// Calls in flight hold more than they finally cost, so the burst may
	// leave room for a few more: spend it one message at a time until the
	// budget refuses one.
	for i := 0; ; i++ {
		if i == 10 {
			t.Fatalf("the budget never ran out")
		}
		r := nodes[i%len(nodes)].Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "One more"})
		if r.Status == http.StatusPaymentRequired {
			break
		}
		var cv conversation
		r.JSON(t, &cv)
		if cv.Status == "budget_exceeded" {
			checkRefusedTurn(t, db, cv)
			break
		}
		if cv.Status != "completed" {
			t.Fatalf("drain: %+v", cv)
		}
	}
	rows = ledger(t, db, "key_id = ?", c.KeyID)
	spent = sum(rows)
	// Every call reserved an upper bound of its cost (the prompt by its
	// size, the output limit it sent) and the fake bills within it, so the
	// limit itself holds, with no overshoot at all.
	if spent > burstBudget {
		t.Errorf("spent %s, over the limit %s", spent, burstBudget)
	}
	for _, r := range billed(t, db, c.KeyID) {
		if r.cost > r.reserved || r.unconfirmed {
			t.Errorf("ledger row %+v: cost above its reservation", r)
		}
	}
	if fake.calls() != len(rows) {
		t.Errorf("the fake got %d calls for %d ledger rows", fake.calls(), len(rows))
	}

	// Spent: the provider hears nothing more, whether the node refuses at
	// the door (402) or in the turn (budget_exceeded).
	before := fake.calls()
	for _, n := range nodes {
		r := n.Do("POST", "/api/agent?wait=30", c, map[string]any{"message": "And another"})
		if r.Status != http.StatusPaymentRequired {
			var cv conversation
			r.JSON(t, &cv)
			if cv.Status != "budget_exceeded" {
				t.Errorf("a message on the spent key: %d %+v", r.Status, cv)
			}
		}
	}
	if fake.calls() != before {
		t.Errorf("the provider was called on a spent key")
	}

	b := getBudget(t, nodes[len(nodes)-1], c)
	if len(b.Budgets) != 1 {
		t.Fatalf("budgets: %+v", b)
	}
	w := b.Budgets[0]
	midnight := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if w.Budget != "daily" || w.LimitUSD != burstBudget.Short() || w.SpentUSD != spent.Short() || w.ReservedUSD != "0.00" ||
		w.RemainingUSD != max(burstBudget-spent, 0).Short() || w.ResetsAt == nil || !w.ResetsAt.Equal(midnight) {
		t.Errorf("GET /api/agent/budget: %+v; want spent %s of %s, resetting at %s", w, spent.Short(), burstBudget.Short(), midnight)
	}
}

// checkRefusedTurn asserts a budget_exceeded turn says so plainly and cost
// nothing.
func checkRefusedTurn(t *testing.T, db *store.DB, cv conversation) {
	t.Helper()
	if !strings.Contains(cv.Reply, "budget") || cv.Error == "" || cv.CostUSD != "0.000000" {
		t.Errorf("refused turn: reply %q, error %q, cost %s", cv.Reply, cv.Error, cv.CostUSD)
	}
	if n := len(ledger(t, db, "conversation_id = ?", cv.ID)); n != 0 {
		t.Errorf("refused turn %s has %d ledger rows", cv.ID, n)
	}
}
