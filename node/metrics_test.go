package node_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// scrape reads /metrics into its metric families.
func scrape(t *testing.T, n *testbed.Node) map[string]*dto.MetricFamily {
	t.Helper()
	r := n.Do("GET", "/metrics", testbed.Creds{}, nil)
	if r.Status != 200 {
		t.Fatalf("GET /metrics = %d %s", r.Status, r.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(string(r.Body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// value is the sample of family name with exactly labels (name=value
// pairs); ok is false when there is none. A histogram gives its count.
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
next:
	for _, m := range mf.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// requireValue fails unless the sample is exactly want.
func requireValue(t *testing.T, mfs map[string]*dto.MetricFamily, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := value(mfs, name, labels...)
	if !ok || got != want {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

// waitValue polls /metrics until the sample is want.
func waitValue(t *testing.T, n *testbed.Node, want float64, name string, labels ...string) {
	t.Helper()
	var got float64
	var ok bool
	if !poll.Until(30*time.Second, func() bool {
		got, ok = value(scrape(t, n), name, labels...)
		return ok && got == want
	}) {
		t.Fatalf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
	}
}

// costPricer prices every call at a fixed cost within a fixed bound.
type costPricer struct{ max, cost money.Micro }

func (p costPricer) MaxCost(string, agent.Request) (money.Micro, bool) { return p.max, true }
func (p costPricer) Cost(string, agent.Usage) (money.Micro, bool)      { return p.cost, true }

// metricsNode starts a node whose scripted model answers with usage, and
// a receiver for its webhooks: /ok answers 200, /gone 410, /fail 500 and
// /hold waits for release.
type metricsNode struct {
	*testbed.Node
	attempts chan webhook.AttemptEvent
	release  chan struct{}
	held     chan struct{}
	recv     *httptest.Server
}

func startMetricsNode(t *testing.T, url string) *metricsNode {
	t.Helper()
	m := &metricsNode{attempts: make(chan webhook.AttemptEvent, 64), release: make(chan struct{}), held: make(chan struct{}, 8)}
	var once sync.Once
	m.recv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
		case "/gone":
			w.WriteHeader(http.StatusGone)
		case "/hold":
			m.held <- struct{}{}
			<-m.release
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(m.recv.Close)
	t.Cleanup(func() { once.Do(func() { close(m.release) }) }) // before the receiver closes
	step := func(req agent.Request) agent.Response {
		r := testbed.Echo(req)
		r.Usage = agent.Usage{InputTokens: 100, OutputTokens: 20}
		return r
	}
	m.Node = testbed.Start(t, node.Config{
		DatabaseURL: url, Provider: &testbed.Script{Step: step}, Pricer: costPricer{max: 1000, cost: 1000},
		WebhookAllowHosts: []string{"127.0.0.1"},
		OnDeliveryAttempt: func(ev webhook.AttemptEvent) { m.attempts <- ev },
	})
	return m
}

// turn sends one message for c and waits for its outcome.
func (m *metricsNode) turn(t *testing.T, c testbed.Creds, msg string) string {
	t.Helper()
	r := m.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": msg})
	var cv conv
	r.JSON(t, &cv)
	return cv.Status
}

// attempt waits for the next webhook attempt.
func (m *metricsNode) attempt(t *testing.T) webhook.AttemptEvent {
	t.Helper()
	select {
	case ev := <-m.attempts:
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook attempt")
	}
	return webhook.AttemptEvent{}
}

// TestDomainMetrics drives turns, model calls, budget refusals, webhook
// deliveries of every outcome and MCP tool calls, and reads each number
// back from /metrics.
func TestDomainMetrics(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			m := startMetricsNode(t, url)
			ctx := context.Background()

			// A turn with one model call: its outcome, duration, tokens
			// and cost; its webhook delivered.
			ok := testbed.Workspace(t, m.DB(), workspace.Owner, access.KeyParams{ResponseURL: m.recv.URL + "/ok", BudgetDaily: 1000, BudgetMonthly: -1, BudgetTotal: -1})
			if s := m.turn(t, ok, "hello"); s != "completed" {
				t.Fatalf("turn: %s", s)
			}
			// Two deliveries: the turn's, and the budget's threshold event
			// (the call spent all of it).
			for range 2 {
				if ev := m.attempt(t); ev.Status != webhook.StatusDelivered {
					t.Fatalf("delivery: %+v", ev)
				}
			}
			mfs := scrape(t, m.Node)
			// One message, alone: one accept in one transaction.
			requireValue(t, mfs, 1, "sois_accept_committed_total")
			requireValue(t, mfs, 1, "sois_accept_transactions_total")
			requireValue(t, mfs, 1, "sois_turns_total", "status", "completed")
			requireValue(t, mfs, 1, "sois_turn_duration_seconds", "status", "completed")
			requireValue(t, mfs, 1, "sois_model_calls_total", "provider", "script", "model", "script-1", "outcome", "ok")
			requireValue(t, mfs, 100, "sois_model_tokens_total", "provider", "script", "model", "script-1", "direction", "input")
			requireValue(t, mfs, 20, "sois_model_tokens_total", "provider", "script", "model", "script-1", "direction", "output")
			requireValue(t, mfs, 0.001, "sois_model_cost_usd_total", "provider", "script", "model", "script-1")
			requireValue(t, mfs, 2, "sois_webhook_attempts_total", "outcome", "delivered")

			// The call spent the key's whole $0.001 daily budget: the next
			// message is refused (402) and counted by window.
			if r := m.Do("POST", "/api/agent", ok, map[string]any{"message": "more"}); r.Status != http.StatusPaymentRequired {
				t.Fatalf("over budget: %d %s", r.Status, r.Body)
			}
			requireValue(t, scrape(t, m.Node), 1, "sois_budget_refusals_total", "budget", "daily")

			// A target that answers 410: disabled.
			gone := testbed.Workspace(t, m.DB(), workspace.Owner, access.KeyParams{ResponseURL: m.recv.URL + "/gone"})
			m.turn(t, gone, "to gone")
			if ev := m.attempt(t); ev.Status != webhook.StatusDisabled {
				t.Fatalf("delivery to gone: %+v", ev)
			}
			// A target that fails: retry, then (its schedule used up) dead.
			fail := testbed.Workspace(t, m.DB(), workspace.Owner, access.KeyParams{ResponseURL: m.recv.URL + "/fail"})
			m.turn(t, fail, "to fail")
			ev := m.attempt(t)
			if ev.Status != webhook.StatusPending {
				t.Fatalf("first failed attempt: %+v", ev)
			}
			if _, err := m.DB().Exec(ctx, `UPDATE deliveries SET attempts = ?, next_attempt_at = 0 WHERE id = ?`, len(webhook.DefaultSchedule.Delays), ev.DeliveryID); err != nil {
				t.Fatal(err)
			}
			if ev := m.attempt(t); ev.Status != webhook.StatusDead {
				t.Fatalf("last failed attempt: %+v", ev)
			}
			mfs = scrape(t, m.Node)
			requireValue(t, mfs, 1, "sois_webhook_attempts_total", "outcome", "disabled")
			requireValue(t, mfs, 1, "sois_webhook_attempts_total", "outcome", "retry")
			requireValue(t, mfs, 1, "sois_webhook_attempts_total", "outcome", "dead")
			requireValue(t, mfs, 1, "sois_webhook_dead_deliveries")
			requireValue(t, mfs, 0, "sois_webhook_due_deliveries")
			requireValue(t, mfs, 0, "sois_webhook_oldest_due_seconds")

			// A delivery in its attempt is due until it is recorded.
			hold := testbed.Workspace(t, m.DB(), workspace.Owner, access.KeyParams{ResponseURL: m.recv.URL + "/hold"})
			m.turn(t, hold, "to hold")
			select {
			case <-m.held:
			case <-time.After(30 * time.Second):
				t.Fatal("the held delivery never arrived")
			}
			mfs = scrape(t, m.Node)
			requireValue(t, mfs, 1, "sois_webhook_due_deliveries")
			if age, ok := value(mfs, "sois_webhook_oldest_due_seconds"); !ok || age < 0 {
				t.Errorf("oldest due age %v %v", age, ok)
			}

			// MCP tool calls by tool and outcome.
			s, err := connectMCP(t, m.Node, ok)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": "Jane Doe"}}); err != nil || res.IsError {
				t.Fatalf("contacts_create: %v %+v", err, res)
			}
			if res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "contacts_create", Arguments: map[string]any{"name": 42}}); err != nil || !res.IsError {
				t.Fatalf("bad arguments: %v %+v", err, res)
			}
			mfs = scrape(t, m.Node)
			requireValue(t, mfs, 1, "sois_mcp_tool_calls_total", "tool", "contacts_create", "outcome", "ok")
			requireValue(t, mfs, 1, "sois_mcp_tool_calls_total", "tool", "contacts_create", "outcome", "refused")
			requireValue(t, mfs, 2, "sois_mcp_tool_call_duration_seconds", "tool", "contacts_create")
		})
	}
}

// TestBudgetRefusalInTurn: a model call the daily budget cannot cover
// ends the turn budget_exceeded and counts a refusal of that window; a
// canceled turn counts as canceled.
func TestBudgetRefusalInTurn(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: &testbed.Script{Step: testbed.Echo}, Pricer: costPricer{max: 5000, cost: 5000}})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: -1, BudgetMonthly: 1000, BudgetTotal: -1})
	r := n.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": "too dear"})
	var cv conv
	r.JSON(t, &cv)
	if cv.Status != "budget_exceeded" {
		t.Fatalf("turn: %s", r.Body)
	}
	mfs := scrape(t, n)
	requireValue(t, mfs, 1, "sois_budget_refusals_total", "budget", "monthly")
	requireValue(t, mfs, 1, "sois_turns_total", "status", "budget_exceeded")
	if _, ok := value(mfs, "sois_model_calls_total", "provider", "script", "model", "script-1", "outcome", "ok"); ok {
		t.Error("a refused call was counted as made")
	}
}

// heldNode starts a node with one worker whose scripted model holds every
// turn, so the first turn runs (held) and every later one stays queued.
func heldNode(t *testing.T, url string, cfg node.Config) (*testbed.Node, *testbed.Script) {
	t.Helper()
	script := &testbed.Script{Gate: make(chan struct{})}
	cfg.DatabaseURL, cfg.Provider, cfg.Workers = url, script, 1
	n := testbed.Start(t, cfg)
	t.Cleanup(func() { close(script.Gate) }) // before the node's shutdown
	return n, script
}

// fillRunning sends one message and waits until its turn is running (in
// the model call, held).
func fillRunning(t *testing.T, n *testbed.Node, s *testbed.Script, c testbed.Creds) {
	t.Helper()
	if r := n.Do("POST", "/api/agent", c, map[string]any{"message": "first"}); r.Status != 202 {
		t.Fatalf("first message: %d %s", r.Status, r.Body)
	}
	poll.Wait(t, 20*time.Second, "the first turn to reach the model", func() bool { return s.Calls() >= 1 })
}

// TestCanceledTurnMetric: a turn its caller cancels counts as canceled.
func TestCanceledTurnMetric(t *testing.T) {
	n, s := heldNode(t, storetest.SQLiteURL(t), node.Config{})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	fillRunning(t, n, s, c)
	var list struct {
		Data []conv `json:"conversations"`
	}
	n.Do("GET", "/api/agent/conversations", c, nil).JSON(t, &list)
	if len(list.Data) != 1 {
		t.Fatalf("conversations: %+v", list)
	}
	if r := n.Do("POST", "/api/agent/conversations/"+list.Data[0].ID+"/cancel", c, nil); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	requireValue(t, scrape(t, n), 1, "sois_turns_total", "status", "canceled")
}

// TestMetricsLint: the scraped exposition, with every domain series
// present, passes promlint without a single problem.
func TestMetricsLint(t *testing.T) {
	m := startMetricsNode(t, storetest.SQLiteURL(t))
	c := testbed.Workspace(t, m.DB(), workspace.Owner, access.KeyParams{ResponseURL: m.recv.URL + "/ok"})
	m.turn(t, c, "hello")
	m.attempt(t)
	s, err := connectMCP(t, m.Node, c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: "contacts_search", Arguments: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	r := m.Do("GET", "/metrics", testbed.Creds{}, nil)
	problems, err := promlint.New(strings.NewReader(string(r.Body))).Lint()
	if err != nil {
		t.Fatalf("promlint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	mfs := scrape(t, m.Node)
	for _, name := range domainFamilies {
		if mfs[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// domainFamilies are the domain series docs/operating.md documents.
var domainFamilies = []string{
	"sois_turns_total", "sois_turn_duration_seconds", "sois_turn_overhead_seconds",
	"sois_model_calls_total", "sois_model_tokens_total", "sois_model_cost_usd_total",
	"sois_webhook_attempts_total", "sois_webhook_due_deliveries", "sois_webhook_oldest_due_seconds", "sois_webhook_dead_deliveries",
	"sois_mcp_tool_calls_total", "sois_mcp_tool_call_duration_seconds",
	"sois_queue_queued_turns", "sois_queue_oldest_queued_seconds", "sois_queue_overloaded",
}

// TestMetricsDocumented: every sois_ family the node exports is in
// docs/operating.md's table.
func TestMetricsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/operating.md")
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{
		"sois_http_requests_total", "sois_http_request_seconds", "sois_queue_refused_total",
		"sois_budget_refusals_total", "sois_federation_rejections_total", "sois_negotiations_total",
	}, domainFamilies...)
	for _, name := range all {
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/operating.md does not document %s", name)
		}
	}
}

// alertRules is the shape of a Prometheus rules file (rulefmt).
type alertRules struct {
	Groups []struct {
		Name     string `yaml:"name"`
		Interval string `yaml:"interval"`
		Rules    []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestAlertRules: docs/alerts.yml is a well-formed rules file (strict
// fields, named unique groups, each rule an alert with an expression, a
// valid duration, a severity and a summary) whose expressions name only
// series the node exports. CI also runs promtool check rules on it.
func TestAlertRules(t *testing.T) {
	raw, err := os.ReadFile("../docs/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules alertRules
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("docs/alerts.yml: %v", err)
	}
	if len(rules.Groups) == 0 {
		t.Fatal("docs/alerts.yml has no groups")
	}

	// The families the node exports, with their histogram series.
	m := startMetricsNode(t, storetest.SQLiteURL(t))
	c := testbed.Workspace(t, m.DB(), workspace.Owner, access.KeyParams{ResponseURL: m.recv.URL + "/ok"})
	m.turn(t, c, "hello")
	m.attempt(t)
	exported := map[string]bool{}
	for name, mf := range scrape(t, m.Node) {
		exported[name] = true
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_count", "_sum"} {
				exported[name+s] = true
			}
		}
	}
	// Families that exist only once something happened (a refusal, a
	// rejection, a negotiation): registered vectors, documented.
	for _, name := range []string{"sois_budget_refusals_total", "sois_queue_refused_total", "sois_federation_rejections_total", "sois_negotiations_total", "sois_mcp_tool_calls_total"} {
		exported[name] = true
	}

	metricName := regexp.MustCompile(`\bsois_[a-z0-9_]+`)
	groups, alerts := map[string]bool{}, 0
	for _, g := range rules.Groups {
		if g.Name == "" || groups[g.Name] {
			t.Errorf("group name %q empty or repeated", g.Name)
		}
		groups[g.Name] = true
		for _, r := range g.Rules {
			if r.Alert == "" || r.Record != "" || strings.TrimSpace(r.Expr) == "" {
				t.Errorf("rule %+v: want an alert with an expression", r)
				continue
			}
			alerts++
			if r.For != "" {
				if _, err := model.ParseDuration(r.For); err != nil {
					t.Errorf("%s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("%s: wants a severity label and a summary", r.Alert)
			}
			names := metricName.FindAllString(r.Expr, -1)
			if len(names) == 0 {
				t.Errorf("%s: names no sois_ series", r.Alert)
			}
			for _, name := range names {
				if !exported[name] {
					t.Errorf("%s: %s is not a series the node exports", r.Alert, name)
				}
			}
		}
	}
	for _, want := range []string{"sois_webhook_dead_deliveries", "sois_queue_oldest_queued_seconds", "sois_budget_refusals_total"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("docs/alerts.yml has no alert on %s", want)
		}
	}
	if alerts < 3 {
		t.Errorf("%d alerts", alerts)
	}
}

// failingProvider answers every call with an error no retry fixes.
type failingProvider struct{}

func (failingProvider) Name() string  { return "failing" }
func (failingProvider) Model() string { return "broken-1" }
func (failingProvider) Generate(context.Context, agent.Request) (agent.Response, error) {
	return agent.Response{}, errors.New("the model is down")
}

// TestModelErrorMetric: a failed model call counts as an error of its
// provider and model, and its turn as failed.
func TestModelErrorMetric(t *testing.T) {
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: failingProvider{}})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	r := n.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": "hello"})
	var cv conv
	r.JSON(t, &cv)
	if cv.Status != "failed" {
		t.Fatalf("turn: %s", r.Body)
	}
	mfs := scrape(t, n)
	requireValue(t, mfs, 1, "sois_model_calls_total", "provider", "failing", "model", "broken-1", "outcome", "error")
	requireValue(t, mfs, 1, "sois_turns_total", "status", "failed")
	requireValue(t, mfs, 1, "sois_turn_duration_seconds", "status", "failed")
}

// TestTurnOverheadMetric: sois_turn_overhead_seconds observes every turn
// finished, with its model calls' time subtracted. The node's clock moves
// only inside the scripted model (one second per call), so each turn took
// exactly one second on it from acceptance to committed outcome (as
// sois_turn_duration_seconds shows), all of it the model's: the node's own
// overhead is exactly zero.
func TestTurnOverheadMetric(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(time.Now().Truncate(time.Second).UnixNano())
			now := func() time.Time { return time.Unix(0, clock.Load()) }
			step := func(req agent.Request) agent.Response {
				clock.Add(int64(time.Second))
				return testbed.Echo(req)
			}
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: &testbed.Script{Step: step}, Now: now})
			c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			const turns = 3
			for i := range turns {
				r := n.Do("POST", "/api/agent?wait=20", c, map[string]any{"message": fmt.Sprintf("hello %d", i)})
				var cv conv
				r.JSON(t, &cv)
				if cv.Status != "completed" {
					t.Fatalf("turn %d: %d %s", i, r.Status, r.Body)
				}
			}
			mfs := scrape(t, n)
			requireValue(t, mfs, turns, "sois_turns_total", "status", "completed")
			h := histogram(t, mfs, "sois_turn_overhead_seconds")
			if h.GetSampleCount() != turns || h.GetSampleSum() != 0 {
				t.Errorf("sois_turn_overhead_seconds: %d turns summing %v s, want %d summing 0", h.GetSampleCount(), h.GetSampleSum(), turns)
			}
			if d := histogram(t, mfs, "sois_turn_duration_seconds", "status", "completed"); d.GetSampleCount() != turns || d.GetSampleSum() != turns {
				t.Errorf("sois_turn_duration_seconds: %d turns summing %v s, want %d summing %d", d.GetSampleCount(), d.GetSampleSum(), turns, turns)
			}
		})
	}
}

// histogram is the histogram of family name with exactly labels.
func histogram(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels ...string) *dto.Histogram {
	t.Helper()
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
next:
	for _, m := range mfs[name].GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		if m.Histogram != nil {
			return m.Histogram
		}
	}
	t.Fatalf("no histogram %s%v", name, labels)
	return nil
}
