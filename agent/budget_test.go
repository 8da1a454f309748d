package agent_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/price"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

// A token of input costs 1 micro-dollar, a token of output 10.
var testPrice = price.Price{Model: "billed-1", Rates: price.Rates{Input: money.Dollar, CachedInput: money.Dollar, Output: 10 * money.Dollar}}

type testPricer struct{}

func (testPricer) MaxCost(_ string, req agent.Request) (money.Micro, bool) {
	return testPrice.MaxCost(price.PromptBound(req), int64(req.MaxOutputTokens)), true
}
func (testPricer) Cost(_ string, u agent.Usage) (money.Micro, bool) { return testPrice.Cost(u), true }

// billedProvider answers every call with a tool call (so a turn that is not
// stopped calls again), reporting usage computed by usage from the request.
type billedProvider struct {
	usage func(req agent.Request) agent.Usage
	block bool // wait for the call's context to end instead of answering

	mu   sync.Mutex
	reqs []agent.Request
}

func (p *billedProvider) Name() string  { return "billed" }
func (p *billedProvider) Model() string { return "billed-1" }
func (p *billedProvider) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	n := len(p.reqs)
	p.mu.Unlock()
	if p.block {
		<-ctx.Done()
		return agent.Response{}, ctx.Err()
	}
	msg := agent.Message{Text: "done"}
	if n == 1 {
		msg = agent.Message{Calls: []agent.ToolCall{{ID: "c1", Name: "contacts_search", Args: json.RawMessage(`{"query":"x"}`)}}}
	}
	return agent.Response{Message: msg, Usage: p.usage(req)}, nil
}

func (p *billedProvider) requests() []agent.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]agent.Request(nil), p.reqs...)
}

// budgetTurn submits one message on a new key with daily budget limit
// (budget.None for none) and returns the conversation's id and key.
func budgetTurn(t *testing.T, db *store.DB, limit money.Micro) (string, access.Key) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	var convID string
	var key access.Key
	err := db.InTx(ctx, func(tx store.Tx) error {
		ws, _ := access.CreateWorkspace(ctx, tx, "W", now)
		m, _ := access.AddMember(ctx, tx, ws.ID, "M", "m@example.com", workspace.Owner, now)
		k, _, err := access.CreateKey(ctx, tx, ws.ID, access.KeyParams{BudgetDaily: limit, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, now)
		if err != nil {
			return err
		}
		key = k
		s, err := conversation.Submit(ctx, tx, conversation.SubmitParams{WorkspaceID: ws.ID, KeyID: k.ID, MemberID: m.ID, Message: "find x", Now: now},
			func(context.Context, store.Tx, string, int) error { return nil })
		convID = s.ConversationID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return convID, key
}

// runBudgeted runs one turn on p with a daily budget of limit; it returns
// the turn, its ledger rows' (cost, reserved, unconfirmed) and the holds
// left behind.
func runBudgeted(t *testing.T, db *store.DB, p agent.Provider, limit money.Micro, timeout time.Duration) (conversation.Turn, []ledgerRow, int) {
	t.Helper()
	ctx := context.Background()
	convID, key := budgetTurn(t, db, limit)
	r := paidRunner(t, db, p, timeout)
	if err := r.Run(ctx, convID, 1); err != nil {
		t.Fatal(err)
	}
	cv, err := conversation.Load(ctx, db, convID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT cost, reserved, unconfirmed FROM ledger WHERE key_id = ? ORDER BY created_at`, key.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []ledgerRow
	for rows.Next() {
		var l ledgerRow
		if err := rows.Scan(&l.cost, &l.reserved, &l.unconfirmed); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	var holds int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM budget_holds WHERE key_id = ?`, key.ID).Scan(&holds); err != nil {
		t.Fatal(err)
	}
	return cv.Turns[0], out, holds
}

// paidRunner runs turns on p, priced by testPricer, with budgets on db and
// one tool, contacts_search, that finds nothing.
func paidRunner(t *testing.T, db *store.DB, p agent.Provider, timeout time.Duration) *agent.Runner {
	t.Helper()
	b := budget.New(db, time.Now, budget.Options{})
	t.Cleanup(b.Close)
	reg := workspace.NewRegistry(db, nil)
	reg.Add(workspace.Tool{Name: "contacts_search", Description: "search", Scope: "contacts:read", Effect: workspace.Read, Schema: json.RawMessage(`{"type":"object"}`),
		Run: func(context.Context, workspace.Env, json.RawMessage) (workspace.Result, error) {
			return workspace.Result{Data: []string{}}, nil
		}})
	return &agent.Runner{DB: db, Registry: reg, Provider: p, Pricer: testPricer{}, Budgets: b, TurnTimeout: timeout, MaxOutputTokens: 2048, MinOutputTokens: 256}
}

type ledgerRow struct {
	cost, reserved money.Micro
	unconfirmed    int
}

// promptOf runs one turn without a budget to learn the prompt bound of the
// first call: every turn of these tests sends the same first prompt.
func promptOf(t *testing.T, db *store.DB) int64 {
	p := &billedProvider{usage: func(agent.Request) agent.Usage { return agent.Usage{InputTokens: 1, OutputTokens: 1} }}
	runBudgeted(t, db, p, budget.None, time.Minute)
	return price.PromptBound(p.requests()[0])
}

// The call's output limit is cut to what the budget can pay, so the spend
// lands exactly on the limit and never past it.
func TestCallCappedToBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bound := promptOf(t, db)
		limit := money.Micro(bound) + 1000*10 // the prompt and 1000 output tokens
		p := &billedProvider{usage: func(req agent.Request) agent.Usage {
			return agent.Usage{InputTokens: price.PromptBound(req), OutputTokens: int64(req.MaxOutputTokens)} // the most it may bill
		}}
		turn, rows, holds := runBudgeted(t, db, p, limit, time.Minute)
		reqs := p.requests()
		if len(reqs) != 1 || reqs[0].MaxOutputTokens != 1000 {
			t.Fatalf("%d calls, the first with max output %d; want one call capped to 1000", len(reqs), reqs[0].MaxOutputTokens)
		}
		if turn.Status != conversation.BudgetExceeded || len(rows) != 1 || rows[0].cost != limit || rows[0].reserved != limit || holds != 0 {
			t.Fatalf("turn %s (%s), ledger %+v, %d holds; want one row of exactly the limit %s", turn.Status, turn.Error, rows, holds, limit)
		}
	})
}

// With less left than the minimum output is worth, the provider is not
// called at all.
func TestNoCallBelowMinimumOutput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bound := promptOf(t, db)
		p := &billedProvider{usage: func(agent.Request) agent.Usage { return agent.Usage{} }}
		turn, rows, holds := runBudgeted(t, db, p, money.Micro(bound)+255*10, time.Minute)
		if n := len(p.requests()); n != 0 || turn.Status != conversation.BudgetExceeded || len(rows) != 0 || holds != 0 {
			t.Fatalf("%d calls, turn %s, ledger %+v, %d holds; want no call, budget_exceeded, nothing recorded", n, turn.Status, rows, holds)
		}
		if !strings.Contains(turn.Error, "daily budget") {
			t.Fatalf("error %q does not name the budget", turn.Error)
		}
	})
}

// A provider that bills more than the bound: the true cost is recorded and
// the turn makes no further call, though the model asked for a tool.
func TestOverReportedUsageStopsTheTurn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := &billedProvider{usage: func(req agent.Request) agent.Usage {
			return agent.Usage{InputTokens: 10 * price.PromptBound(req), OutputTokens: int64(req.MaxOutputTokens)}
		}}
		turn, rows, holds := runBudgeted(t, db, p, 10*money.Dollar, time.Minute)
		if n := len(p.requests()); n != 1 {
			t.Fatalf("%d calls, want 1: the turn must stop after the overrun", n)
		}
		want := testPrice.Cost(p.usage(p.requests()[0]))
		if turn.Status != conversation.BudgetExceeded || !strings.Contains(turn.Error, "billed") ||
			len(rows) != 1 || rows[0].cost != want || rows[0].reserved >= want || rows[0].unconfirmed != 0 || holds != 0 {
			t.Fatalf("turn %s (%s), ledger %+v (true cost %s), %d holds", turn.Status, turn.Error, rows, want, holds)
		}
	})
}

// A call cut off by the turn's deadline may have been billed: its hold is
// recorded as unconfirmed spend, not released.
func TestCutOffCallIsUnconfirmedSpend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := &billedProvider{block: true}
		turn, rows, holds := runBudgeted(t, db, p, 10*money.Dollar, 300*time.Millisecond)
		if turn.Status != conversation.Failed || len(rows) != 1 || rows[0].unconfirmed != 1 || rows[0].cost != rows[0].reserved || rows[0].cost <= 0 || holds != 0 {
			t.Fatalf("turn %s, ledger %+v, %d holds; want one unconfirmed row at the reserved amount", turn.Status, rows, holds)
		}
	})
}

// A turn given up after its last attempt died mid-call: the hold that
// attempt left is counted as unconfirmed spend in the turn's cost.
func TestGiveUpCountsTheLostCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		convID, key := budgetTurn(t, db, 10*money.Dollar)
		b := budget.New(db, time.Now, budget.Options{})
		t.Cleanup(b.Close)
		// What a process that died mid-call leaves behind.
		if _, err := b.Reserve(ctx, budget.Request{Key: key.Limits(), Call: budget.Call{ConversationID: convID, Turn: 1, Model: "billed-1"}, Min: 1234, Max: 1234}); err != nil {
			t.Fatal(err)
		}
		r := &agent.Runner{DB: db, Budgets: b}
		r.GiveUp(ctx, convID, 1, context.DeadlineExceeded)
		c, err := conversation.Load(ctx, db, convID)
		if err != nil {
			t.Fatal(err)
		}
		var unconfirmed int64
		if err := db.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE conversation_id = ? AND unconfirmed = 1`, convID).Scan(&unconfirmed); err != nil {
			t.Fatal(err)
		}
		if c.Status != conversation.Failed || unconfirmed != 1234 || c.Turns[0].Cost != 1234 {
			t.Fatalf("status %s, unconfirmed %d, turn cost %s; want failed with the lost call's 1234 micro-USD", c.Status, unconfirmed, c.Turns[0].Cost)
		}
	})
}
