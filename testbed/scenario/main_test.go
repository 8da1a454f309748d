package scenario_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/price"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) {
	storetest.Main(m, func() {
		if binDir != "" {
			os.RemoveAll(binDir)
		}
	})
}

// databases are the two stores every scenario runs on.
var databases = []string{"sqlite", "postgres"}

// databaseURL is a new database of kind with the node's schema (a copy of
// a template), for nodes in this process or soisnode processes.
func databaseURL(t *testing.T, kind string) string {
	u := storetest.SQLiteURL(t)
	if kind == "postgres" {
		u = storetest.PostgresURL(t)
	}
	storetest.FromTemplate(t, u, "node", node.Migrate)
	return u
}

// baseConfig is a node on url with nothing read from the environment (no
// SMTP relay, no keys) and its key file in a temporary folder.
func baseConfig(t *testing.T, url string) node.Config {
	return node.Config{
		DatabaseURL: url,
		DataDir:     t.TempDir(),
		Getenv:      func(string) string { return "" },
		TurnTimeout: 20 * time.Second,
	}
}

// env is one started node with its fake model and a workspace.
type env struct {
	n    *testbed.Node
	fake *fakeModel
	c    testbed.Creds
}

// budgeted is the key most scenarios use: a daily budget, so every model
// call is reserved and settled for real.
var budgeted = access.KeyParams{BudgetDaily: 5 * money.Dollar, BudgetMonthly: budget.None, BudgetTotal: budget.None}

// matrix runs fn on a fresh node for each database and provider, the four
// combinations in parallel. tweak adjusts the node's config.
func matrix(t *testing.T, tweak func(*node.Config), key access.KeyParams, fn func(t *testing.T, e *env)) {
	for _, db := range databases {
		for _, p := range providers {
			t.Run(db+"/"+p, func(t *testing.T) {
				t.Parallel()
				fn(t, start(t, db, p, tweak, key))
			})
		}
	}
}

// start starts a node on a fresh database of kind db, with the fake of
// provider p, and creates a workspace whose key has params key.
func start(t *testing.T, db, p string, tweak func(*node.Config), key access.KeyParams) *env {
	fake := newFake(t, p)
	cfg := baseConfig(t, databaseURL(t, db))
	fake.configure(&cfg)
	if tweak != nil {
		tweak(&cfg)
	}
	n := testbed.Start(t, cfg)
	return &env{n: n, fake: fake, c: testbed.Workspace(t, n.DB(), workspace.Owner, key)}
}

// The API's shapes, as a caller decodes them.
type conversation struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Reply       string `json:"reply"`
	Error       string `json:"error"`
	CostUSD     string `json:"cost_usd"`
	SignedReply string `json:"signed_reply"`
	Turns       []turn `json:"turns"`
}

type turn struct {
	Turn    int       `json:"turn"`
	Message string    `json:"message"`
	Reply   string    `json:"reply"`
	Status  string    `json:"status"`
	Error   string    `json:"error"`
	CostUSD string    `json:"cost_usd"`
	Actions []receipt `json:"actions"`
}

type receipt struct {
	Tool    string `json:"tool"`
	OK      bool   `json:"ok"`
	Ref     string `json:"ref"`
	Summary string `json:"summary"`
}

type accepted struct {
	ConversationID string `json:"conversation_id"`
	Status         string `json:"status"`
}

type problem struct {
	Status      int     `json:"status"`
	Detail      string  `json:"detail"`
	Budget      string  `json:"budget"`
	LimitUSD    string  `json:"limit_usd"`
	SpentUSD    string  `json:"spent_usd"`
	ReservedUSD string  `json:"reserved_usd"`
	ResetsAt    *string `json:"resets_at"`
}

type budgetStatus struct {
	KeyID   string   `json:"key_id"`
	Budgets []window `json:"budgets"`
}

type window struct {
	Budget       string     `json:"budget"`
	LimitUSD     string     `json:"limit_usd"`
	SpentUSD     string     `json:"spent_usd"`
	Unconfirmed  string     `json:"unconfirmed_usd"`
	ReservedUSD  string     `json:"reserved_usd"`
	RemainingUSD string     `json:"remaining_usd"`
	ResetsAt     *time.Time `json:"resets_at"`
}

// send posts message (continuing conversation id when set) and waits for
// the turn to stop.
func send(t *testing.T, n *testbed.Node, c testbed.Creds, id, message string) conversation {
	t.Helper()
	body := map[string]any{"message": message}
	if id != "" {
		body["conversation_id"] = id
	}
	r := n.Do("POST", "/api/agent?wait=30", c, body)
	switch r.Status {
	case http.StatusOK:
		var cv conversation
		r.JSON(t, &cv)
		return cv
	case http.StatusAccepted:
		var a accepted
		r.JSON(t, &a)
		return waitStopped(t, n, c, a.ConversationID)
	}
	t.Fatalf("POST /api/agent = %d %s", r.Status, r.Body)
	return conversation{}
}

// waitStopped long-polls the conversation until its turn stops.
func waitStopped(t *testing.T, n *testbed.Node, c testbed.Creds, id string) conversation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := n.Do("GET", "/api/agent/conversations/"+id+"?wait=10", c, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET conversation = %d %s", r.Status, r.Body)
		}
		var cv conversation
		r.JSON(t, &cv)
		if cv.Status != "queued" && cv.Status != "running" {
			return cv
		}
	}
	t.Fatalf("conversation %s did not stop in time", id)
	return conversation{}
}

func getBudget(t *testing.T, n *testbed.Node, c testbed.Creds) budgetStatus {
	t.Helper()
	r := n.Do("GET", "/api/agent/budget", c, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/agent/budget = %d %s", r.Status, r.Body)
	}
	var b budgetStatus
	r.JSON(t, &b)
	return b
}

// ledgerRow is one priced model call as stored.
type ledgerRow struct {
	Model               string
	Turn                int
	In, Cached, Out     int64
	Cost                money.Micro
	ConversationID, Key string
}

func ledger(t *testing.T, db *store.DB, where string, args ...any) []ledgerRow {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT model, turn, input_tokens, cached_tokens, output_tokens, cost, conversation_id, key_id
		FROM ledger WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		t.Fatalf("read ledger: %v", err)
	}
	defer rows.Close()
	var out []ledgerRow
	for rows.Next() {
		var r ledgerRow
		var cost int64
		if err := rows.Scan(&r.Model, &r.Turn, &r.In, &r.Cached, &r.Out, &cost, &r.ConversationID, &r.Key); err != nil {
			t.Fatalf("read ledger: %v", err)
		}
		r.Cost = money.Micro(cost)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read ledger: %v", err)
	}
	return out
}

func sum(rows []ledgerRow) money.Micro {
	var s money.Micro
	for _, r := range rows {
		s += r.Cost
	}
	return s
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkBilling asserts the money trail of conversation cv: one ledger row
// per answered model call, in order, with the fake's deterministic usage
// and the price table's cost, summing to each turn's and the
// conversation's cost_usd; the key's budget shows the same spend and no
// hold left behind.
func checkBilling(t *testing.T, e *env, cv conversation) {
	t.Helper()
	rows := ledger(t, e.n.DB(), "conversation_id = ?", cv.ID)
	var billed []request
	for _, r := range e.fake.requests() {
		if r.billed {
			billed = append(billed, r)
		}
	}
	if len(rows) != len(billed) {
		t.Fatalf("ledger has %d rows for %d answered model calls", len(rows), len(billed))
	}
	p, ok := price.Default().Lookup(e.fake.model)
	if !ok {
		t.Fatalf("model %s has no price", e.fake.model)
	}
	perTurn := map[int]money.Micro{}
	for i, r := range rows {
		want := billed[i].usage
		if r.Model != e.fake.model || r.In != want.In || r.Out != want.Out {
			t.Errorf("ledger row %d: %s in=%d out=%d; want %s in=%d out=%d", i, r.Model, r.In, r.Out, e.fake.model, want.In, want.Out)
		}
		if c := p.Cost(agent.Usage{InputTokens: r.In, CachedInputTokens: r.Cached, OutputTokens: r.Out}); r.Cost != c || c <= 0 {
			t.Errorf("ledger row %d: cost %s, the price table says %s", i, r.Cost, c)
		}
		perTurn[r.Turn] += r.Cost
	}
	for _, tn := range cv.Turns {
		if tn.CostUSD != perTurn[tn.Turn].String() {
			t.Errorf("turn %d cost_usd %s, ledger says %s", tn.Turn, tn.CostUSD, perTurn[tn.Turn])
		}
	}
	if cv.CostUSD != sum(rows).String() {
		t.Errorf("conversation cost_usd %s, ledger says %s", cv.CostUSD, sum(rows))
	}
	all := ledger(t, e.n.DB(), "key_id = ?", e.c.KeyID)
	b := getBudget(t, e.n, e.c)
	if len(b.Budgets) == 0 {
		return
	}
	if w := b.Budgets[0]; w.SpentUSD != sum(all).Short() || w.ReservedUSD != "0.00" {
		t.Errorf("budget after the turn: %+v; want spent %s, nothing reserved", w, sum(all).Short())
	}
}

// missing returns the subs that s does not contain.
func missing(s string, subs ...string) []string {
	var out []string
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			out = append(out, sub)
		}
	}
	return out
}
