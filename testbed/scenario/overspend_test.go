package scenario_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/workspace"
)

// Issue "Hold every money promise under faults", item 1: a model that
// bills more than it was asked for. Each call reserves an upper bound of
// its cost (docs/budgets.md); a provider reporting past it has its true
// cost recorded and its turn stopped, so the spend stays within
//
//	limit + Σ overrun,  overrun = reported cost − reserved, per call
//
// and once the budget is spent the provider hears nothing more.

// overBudget is the key: a $0.05 total budget.
const overBudget = 50_000 * money.Micro(1)

func TestOverReportingModelSQLite(t *testing.T) {
	t.Parallel()
	fake := newFake(t, "openai")
	cfg := baseConfig(t, databaseURL(t, "sqlite"))
	fake.configure(&cfg)
	cfg.Workers = burstSize
	n := testbed.Start(t, cfg)
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: overBudget})
	overBurst(t, []string{n.URL()}, initCreds{Token: c.Token, APIKey: c.APIKey}, c.KeyID, n.DB(), fake)
}

// Two `soisnode serve` processes (the real binary) on one PostgreSQL
// database share the key.
func TestOverReportingModelTwoProcessesPostgres(t *testing.T) {
	t.Parallel()
	bin := soisnodeBinary(t)
	url := databaseURL(t, "postgres")
	dir := t.TempDir()
	fake := newFake(t, "gemini")
	env := func(addr string) []string {
		return processEnv(dir, url, addr, append(fake.env(), "SOIS_WORKERS="+strconv.Itoa(burstSize))...)
	}
	addrs := []string{freeAddr(t), freeAddr(t)}
	creds := initNode(t, bin, env(addrs[0]))
	db := openDB(t, url)
	var keyID string
	if err := db.QueryRow(t.Context(), `SELECT id FROM api_keys`).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	setTotalBudget(t, db, overBudget, keyID)
	var bases []string
	for i, addr := range addrs {
		c := serveChild(t, bin, env(addr), "serve "+strconv.Itoa(i+1))
		base := "http://" + addr
		waitReady(t, c, base)
		bases = append(bases, base)
	}
	overBurst(t, bases, creds, keyID, db, fake)
}

// billedRow is a ledger row with its reservation.
type billedRow struct {
	conv           string
	cost, reserved money.Micro
	unconfirmed    bool
}

func billed(t *testing.T, db *store.DB, keyID string) []billedRow {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT conversation_id, cost, reserved, unconfirmed FROM ledger WHERE key_id = ? ORDER BY created_at, id`, keyID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []billedRow
	for rows.Next() {
		var r billedRow
		var unconfirmed int
		if err := rows.Scan(&r.conv, &r.cost, &r.reserved, &unconfirmed); err != nil {
			t.Fatal(err)
		}
		r.unconfirmed = unconfirmed == 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// overBurst sends burstSize messages at once over the nodes at bases on key
// keyID (credentials c, total budget overBudget). The fake holds each call until every turn is in a
// call or finished, then asks for a tool (a turn not stopped would call
// again) and reports three input tokens per byte of the request — past
// any bound computed from the prompt's size — and the whole output limit.
func overBurst(t *testing.T, bases []string, c initCreds, keyID string, db *store.DB, fake *fakeModel) {
	var inFlight atomic.Int64
	fake.handle(func(_ int, r request) reply {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		// Held at most 15 s: past it the call is answered anyway (the
		// bound is then tested with fewer calls at once, not hung).
		poll.Until(15*time.Second, func() bool {
			var queued, running int
			err := db.QueryRow(context.Background(), `SELECT COALESCE(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0) FROM turns`).Scan(&queued, &running)
			return err != nil || queued == 0 && int64(running) <= inFlight.Load()
		})
		return reply{Calls: []call{{"contacts_search", map[string]any{"query": "Jane"}}}, Usage: &usage{In: 3 * int64(len(r.Body)), Out: r.MaxOut}}
	})

	ids := make([]string, burstSize)
	statuses := make([]int, burstSize)
	var wg sync.WaitGroup
	for i := range burstSize {
		wg.Go(func() {
			status, body := apiCall(t, "POST", bases[i%len(bases)]+"/api/agent", c, map[string]any{"message": "Find Jane"})
			statuses[i] = status
			if status == http.StatusAccepted {
				var a accepted
				if err := json.Unmarshal(body, &a); err != nil {
					t.Error(err)
				}
				ids[i] = a.ConversationID
			}
		})
	}
	wg.Wait()
	stopped := map[string]conversation{}
	for i, id := range ids {
		switch statuses[i] {
		case http.StatusAccepted:
			stopped[id] = waitStoppedHTTP(t, bases[(i+1)%len(bases)], c, id, 60*time.Second)
		case http.StatusPaymentRequired:
		default:
			t.Fatalf("POST %d = %d", i, statuses[i])
		}
	}

	rows := billed(t, db, keyID)
	var spent, held, overrun money.Micro
	perConv := map[string]int{}
	for _, r := range rows {
		spent += r.cost
		held += min(r.cost, r.reserved)
		overrun += max(r.cost-r.reserved, 0)
		perConv[r.conv]++
		if r.unconfirmed || r.cost <= r.reserved {
			t.Errorf("ledger row %+v: want the reported cost, above the reservation", r)
		}
	}
	t.Logf("%d calls billed $%s against a $%s budget: $%s within reservations, $%s over them", len(rows), spent.Short(), overBudget.Short(), held.Short(), overrun.Short())
	if len(rows) == 0 || fake.calls() != len(rows) {
		t.Fatalf("the fake got %d calls for %d ledger rows", fake.calls(), len(rows))
	}
	// The documented bound: reservations never exceed the limit, and the
	// spend past it is exactly the overruns.
	if held > overBudget || spent > overBudget+overrun {
		t.Fatalf("spent $%s: over the limit $%s plus the overruns $%s", spent.Short(), overBudget.Short(), overrun.Short())
	}
	for id, cv := range stopped {
		if perConv[id] > 1 {
			t.Errorf("conversation %s made %d calls: the turn went on after an overrun", id, perConv[id])
		}
		if cv.Status != "budget_exceeded" {
			t.Errorf("conversation %s: %s (%s), want budget_exceeded", id, cv.Status, cv.Error)
		}
		if perConv[id] == 1 && !strings.Contains(cv.Error, "billed") {
			t.Errorf("conversation %s stopped after its call with %q; want the overrun named", id, cv.Error)
		}
	}
	for _, r := range fake.requests() {
		if r.MaxOut <= 0 || r.MaxOut > 2048 {
			t.Errorf("a call asked for %d output tokens", r.MaxOut)
		}
	}

	// Spent: the provider hears nothing more, on either node.
	before := fake.calls()
	for _, base := range bases {
		status, body := apiCall(t, "POST", base+"/api/agent?wait=30", c, map[string]any{"message": "And another"})
		if status != http.StatusPaymentRequired {
			var cv conversation
			if err := json.Unmarshal(body, &cv); err != nil || cv.Status != "budget_exceeded" {
				t.Errorf("a message on the spent key: %d %s", status, body)
			}
		}
	}
	if fake.calls() != before {
		t.Errorf("the provider was called on a spent key")
	}
	status, body := apiCall(t, "GET", bases[len(bases)-1]+"/api/agent/budget", c, nil)
	var b budgetStatus
	if status != http.StatusOK || json.Unmarshal(body, &b) != nil {
		t.Fatalf("GET /api/agent/budget = %d %s", status, body)
	}
	if len(b.Budgets) != 1 || b.Budgets[0].SpentUSD != spent.Short() || b.Budgets[0].ReservedUSD != "0.00" {
		t.Errorf("GET /api/agent/budget: %+v; want spent %s, nothing reserved", b, spent.Short())
	}
}
