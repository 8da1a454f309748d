package node

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// domainMetrics are the node's domain series (docs/operating.md has the
// table): turns, model calls, budget refusals, webhook deliveries and MCP
// tool calls. Federation and the queue's backlog have their own
// (fedmetrics.go, backlog.go).
type domainMetrics struct {
	turns         *prometheus.CounterVec
	turnSeconds   *prometheus.HistogramVec
	turnOverhead  prometheus.Histogram
	modelCalls    *prometheus.CounterVec
	modelTokens   *prometheus.CounterVec
	modelCost     *prometheus.CounterVec
	budgetRefused *prometheus.CounterVec
	deliveries    *prometheus.CounterVec
	toolCalls     *prometheus.CounterVec
	toolSeconds   *prometheus.HistogramVec

	now func() time.Time // the node's clock: when a turn's outcome committed

	// finished holds a turn's outcome from the finishing transaction
	// (onTurnFinished) until it commits (turnDone) or rolls back
	// (turnRolledBack), so a rolled-back finish counts nothing and
	// leaves nothing. Keyed by conversation id.
	mu       sync.Mutex
	finished map[string]finishedTurn
}

// finishedTurn is a turn outcome waiting for its transaction to commit.
type finishedTurn struct {
	status   conversation.Status
	duration time.Duration
	// accepted is when the turn was accepted (its created_at) and model
	// the wall time of its model calls; timed: both cover the whole turn
	// (one run did all of it), so its own overhead is observed.
	accepted time.Time
	model    time.Duration
	timed    bool
}

// overheadBuckets are sois_turn_overhead_seconds's: fine from 100 µs to
// 1 s, where a turn's own overhead lies on an idle to a loaded node.
var overheadBuckets = []float64{
	.0001, .0002, .0003, .0004, .0005, .0006, .0008, .001, .0012, .0015, .002, .0025, .003, .004, .005, .006, .008,
	.01, .015, .02, .03, .05, .075, .1, .15, .2, .3, .5, .75, 1,
}

// newDomainMetrics registers the domain series on reg; now is the node's
// clock (nil: time.Now).
func newDomainMetrics(reg *prometheus.Registry, now func() time.Time) *domainMetrics {
	if now == nil {
		now = time.Now
	}
	m := &domainMetrics{
		now:      now,
		finished: map[string]finishedTurn{},
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_turns_total", Help: "Turns finished on this node, by outcome (completed, input_required, failed, ...).",
		}, []string{"status"}),
		turnSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sois_turn_duration_seconds", Help: "Time a finished turn ran, from its start to its outcome, by outcome.",
			Buckets: []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
		}, []string{"status"}),
		turnOverhead: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sois_turn_overhead_seconds",
			Help:    "The node's own time per finished turn: from its acceptance to its committed outcome, minus the wall time of its model calls (turns run in one go only).",
			Buckets: overheadBuckets,
		}),
		modelCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_model_calls_total", Help: "Model calls by provider, model and outcome (ok, error).",
		}, []string{"provider", "model", "outcome"}),
		modelTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_model_tokens_total", Help: "Tokens of model calls as the provider reported them, by provider, model and direction (input, output).",
		}, []string{"provider", "model", "direction"}),
		modelCost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_model_cost_usd_total", Help: "Cost of model calls in US dollars at the node's price table, by provider and model.",
		}, []string{"provider", "model"}),
		budgetRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_budget_refusals_total", Help: "Messages and model calls refused because a budget had too little left, by budget (daily, monthly, total, negotiation).",
		}, []string{"budget"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_webhook_attempts_total", Help: "Webhook delivery attempts by outcome: delivered, retry (will be tried again), dead (schedule ran out), disabled (410 Gone).",
		}, []string{"outcome"}),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_mcp_tool_calls_total", Help: "MCP tool calls by tool and outcome (ok, refused, error).",
		}, []string{"tool", "outcome"}),
		toolSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sois_mcp_tool_call_duration_seconds", Help: "MCP tool call latency by tool.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 30},
		}, []string{"tool"}),
	}
	reg.MustRegister(m.turns, m.turnSeconds, m.turnOverhead, m.modelCalls, m.modelTokens, m.modelCost, m.budgetRefused, m.deliveries, m.toolCalls, m.toolSeconds)
	return m
}

// turnFinishing notes a turn's outcome inside its finishing transaction,
// with the wall time of its model calls (model) when timed (the run that
// finishes it started it: agent.Finished.FirstRun).
func (m *domainMetrics) turnFinishing(conversationID string, t conversation.Turn, model time.Duration, timed bool) {
	var d time.Duration
	if t.FinishedAt != nil {
		start := t.CreatedAt
		if t.StartedAt != nil {
			start = *t.StartedAt
		}
		d = max(0, t.FinishedAt.Sub(start))
	}
	m.mu.Lock()
	m.finished[conversationID] = finishedTurn{status: t.Status, duration: d, accepted: t.CreatedAt, model: model, timed: timed && !t.CreatedAt.IsZero()}
	m.mu.Unlock()
}

// turnCommitted counts the outcome noted for conversationID, if any, and
// observes its own overhead: now (the outcome is committed, about to be
// handed to the requests waiting for it) minus its acceptance minus its
// model calls.
func (m *domainMetrics) turnCommitted(conversationID string) {
	m.mu.Lock()
	f, ok := m.finished[conversationID]
	delete(m.finished, conversationID)
	m.mu.Unlock()
	if !ok {
		return
	}
	m.turns.WithLabelValues(string(f.status)).Inc()
	m.turnSeconds.WithLabelValues(string(f.status)).Observe(f.duration.Seconds())
	if f.timed {
		m.turnOverhead.Observe(max(0, m.now().Sub(f.accepted)-f.model).Seconds())
	}
}

// turnRolledBack drops the outcome noted for conversationID: its
// finishing transaction rolled back, so it never happened.
func (m *domainMetrics) turnRolledBack(conversationID string) {
	m.mu.Lock()
	delete(m.finished, conversationID)
	m.mu.Unlock()
}

// turnCanceled counts a turn its caller canceled (REST or A2A), which
// stops outside the runner: it counts in sois_turns_total only, with no
// duration.
func (m *domainMetrics) turnCanceled() {
	m.turns.WithLabelValues(string(conversation.Canceled)).Inc()
}

// budgetRefusal counts one refusal (budget.Options.OnRefusal).
func (m *domainMetrics) budgetRefusal(b budget.Name) {
	m.budgetRefused.WithLabelValues(string(b)).Inc()
}

// deliveryAttempt counts one recorded webhook attempt by what it led to.
func (m *domainMetrics) deliveryAttempt(ev webhook.AttemptEvent) {
	outcome := string(ev.Status)
	if ev.Status == webhook.StatusPending {
		outcome = "retry"
	}
	m.deliveries.WithLabelValues(outcome).Inc()
}

// toolCall counts one MCP tool call (mcp.Options.OnCall).
func (m *domainMetrics) toolCall(tool, outcome string, d time.Duration) {
	m.toolCalls.WithLabelValues(tool, outcome).Inc()
	m.toolSeconds.WithLabelValues(tool).Observe(d.Seconds())
}

// meteredProvider counts every model call of the node (turns and
// negotiations) with its tokens and cost, then hands back the call's
// answer unchanged.
type meteredProvider struct {
	agent.Provider
	pricer agent.Pricer
	m      *domainMetrics
}

// Generate implements agent.Provider.
func (p meteredProvider) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	resp, err := p.Provider.Generate(ctx, req)
	model := resp.Model
	if model == "" {
		model = req.Model
	}
	if model == "" {
		model = p.Model()
	}
	name := p.Name()
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	p.m.modelCalls.WithLabelValues(name, model, outcome).Inc()
	p.m.modelTokens.WithLabelValues(name, model, "input").Add(float64(max(0, resp.Usage.InputTokens)))
	p.m.modelTokens.WithLabelValues(name, model, "output").Add(float64(max(0, resp.Usage.OutputTokens)))
	if cost, ok := p.pricer.Cost(model, resp.Usage); ok && cost > 0 {
		p.m.modelCost.WithLabelValues(name, model).Add(float64(cost) / float64(money.Dollar))
	}
	return resp, err
}

// deliveryBacklog exports the webhook deliveries due now and the dead
// ones, read from the database at scrape time.
type deliveryBacklog struct {
	db  *store.DB
	now func() time.Time
}

var (
	dueDesc       = prometheus.NewDesc("sois_webhook_due_deliveries", "Webhook deliveries due for an attempt now (pending, next attempt time passed).", nil, nil)
	dueOldestDesc = prometheus.NewDesc("sois_webhook_oldest_due_seconds", "How long the most overdue pending delivery has been due (0 with none).", nil, nil)
	deadDesc      = prometheus.NewDesc("sois_webhook_dead_deliveries", "Webhook deliveries whose retry schedule ran out (dead), waiting for an admin to redeliver.", nil, nil)
)

// Describe implements prometheus.Collector.
func (b deliveryBacklog) Describe(ch chan<- *prometheus.Desc) {
	ch <- dueDesc
	ch <- dueOldestDesc
	ch <- deadDesc
}

// Collect implements prometheus.Collector. A database that does not
// answer within a short timeout (or is closed, during shutdown) makes the
// three series invalid; the handler (ContinueOnError) still serves the
// rest.
func (b deliveryBacklog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := store.Micros(b.now())
	var due, dead, oldest int64
	err := b.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?),
		(SELECT coalesce(min(next_attempt_at), 0) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?),
		(SELECT count(*) FROM deliveries WHERE status = 'dead')`, now, now).Scan(&due, &oldest, &dead)
	if err != nil {
		for _, d := range []*prometheus.Desc{dueDesc, dueOldestDesc, deadDesc} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	age := 0.0
	if oldest > 0 {
		age = max(0, time.Duration(now-oldest)*time.Microsecond).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(dueDesc, prometheus.GaugeValue, float64(due))
	ch <- prometheus.MustNewConstMetric(dueOldestDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(dead))
}
