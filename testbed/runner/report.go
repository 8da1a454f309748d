package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// Report is what a run established: written as report.md and report.json.
type Report struct {
	Scenario    string         `json:"scenario"`
	Description string         `json:"description"`
	Scale       string         `json:"scale"`
	Dir         string         `json:"dir"`
	Command     string         `json:"command"`
	Machine     string         `json:"machine"`
	Started     time.Time      `json:"started"`
	Seconds     float64        `json:"seconds"`
	Passed      bool           `json:"passed"`
	Error       string         `json:"error,omitempty"`
	Nodes       []NodeReport   `json:"nodes"`
	Steps       []StepResult   `json:"steps"`
	Faults      []string       `json:"faults,omitempty"`
	Callers     []CallerReport `json:"callers,omitempty"`
	ModelCalls  int            `json:"model_calls"`
	Checks      []CheckResult  `json:"checks"`
	Notes       []string       `json:"notes,omitempty"`
}

// NodeReport names a node, its database kind and its log.
type NodeReport struct {
	Name     string `json:"name"`
	Database string `json:"database"`
	Share    string `json:"share,omitempty"`
	Provider string `json:"provider"`
	Log      string `json:"log"`
}

// StepResult is one step's outcome.
type StepResult struct {
	Step    string  `json:"step"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
}

// CallerReport holds one caller's figures.
type CallerReport struct {
	Name        string         `json:"name"`
	Kind        string         `json:"kind"`
	Messages    int            `json:"messages"`
	Concurrency int            `json:"concurrency"`
	Accepted    int            `json:"accepted"`
	Refused     int            `json:"refused"`
	Statuses    map[string]int `json:"statuses"`
	Seconds     float64        `json:"seconds"`       // first send → last turn stopped
	TurnsPerSec float64        `json:"turns_per_sec"` // completed turns / Seconds
	LatencyP50  float64        `json:"latency_p50_ms,omitempty"`
	LatencyP95  float64        `json:"latency_p95_ms,omitempty"`
	Lost        int            `json:"responses_lost,omitempty"`
	Deliveries  int            `json:"deliveries,omitempty"`
	Attempts    int            `json:"delivery_attempts,omitempty"`
	Retried     int            `json:"deliveries_retried,omitempty"`
	Redelivered int            `json:"deliveries_repeated_after_2xx,omitempty"`
	SpentUSD    string         `json:"spent_usd"`
	BudgetUSD   string         `json:"budget_usd,omitempty"`
}

// CheckResult is one expectation's verdict.
type CheckResult struct {
	Check    string   `json:"check"`
	Passed   bool     `json:"passed"`
	Problems []string `json:"problems,omitempty"`
}

func newReport(spec *Spec, opts Options) *Report {
	host, _ := os.Hostname()
	rep := &Report{Scenario: spec.Name, Description: strings.TrimSpace(spec.Description), Scale: opts.Scale, Command: opts.Command,
		Machine: fmt.Sprintf("%s %s/%s, %d CPUs, %s", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version()), Started: time.Now().UTC()}
	for _, n := range spec.Nodes {
		p := n.Provider
		if p == "" {
			p = "local"
		}
		rep.Nodes = append(rep.Nodes, NodeReport{Name: n.Name, Database: n.Database, Share: n.Share, Provider: p, Log: n.Name + ".log"})
	}
	return rep
}

func (rep *Report) finish(err error) {
	rep.Seconds = time.Since(rep.Started).Seconds()
	rep.Error = errText(err)
	rep.Passed = err == nil && len(rep.Checks) > 0
	for _, c := range rep.Checks {
		rep.Passed = rep.Passed && c.Passed
	}
}

// figures computes a caller's report row.
func (r *run) figures(ctx context.Context, c *caller) CallerReport {
	cr := CallerReport{Name: c.spec.Name, Kind: c.spec.Kind, Messages: c.count, Concurrency: c.conc,
		Accepted: int(c.accepted.Load()), Refused: len(c.refusals), Statuses: map[string]int{}, Lost: c.lost, BudgetUSD: c.spec.BudgetTotal}
	var last time.Time
	completed := 0
	for i, cv := range c.final {
		if c.convs[i] == "" {
			continue
		}
		cr.Statuses[cv.Status]++
		if cv.Status == "completed" {
			completed++
		}
	}
	var spent int64
	var lastFinish int64
	db := r.groupOf[c.spec.Nodes[0]].db
	_ = db.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE key_id = ?`, c.keyID).Scan(&spent)
	_ = db.QueryRow(ctx, `SELECT CAST(COALESCE(MAX(t.finished_at), 0) AS BIGINT) FROM turns t JOIN conversations c ON c.id = t.conversation_id WHERE c.key_id = ?`, c.keyID).Scan(&lastFinish)
	cr.SpentUSD = money.Micro(spent).String()
	last = c.finished
	if t := store.Time(lastFinish); lastFinish > 0 && t.After(last) {
		last = t
	}
	if !c.started.IsZero() && last.After(c.started) {
		cr.Seconds = last.Sub(c.started).Seconds()
		cr.TurnsPerSec = float64(completed) / cr.Seconds
	}
	if len(c.latency) > 0 {
		l := slices.Clone(c.latency)
		slices.Sort(l)
		cr.LatencyP50 = float64(l[len(l)/2].Microseconds()) / 1000
		cr.LatencyP95 = float64(l[min(len(l)-1, len(l)*95/100)].Microseconds()) / 1000
	}
	if c.spec.Kind == "webhook" && r.recv != nil {
		attempts, _, _ := r.recv.snapshot(c.spec.Name)
		cr.Deliveries = len(attempts)
		for _, as := range attempts {
			cr.Attempts += len(as)
			ok := 0
			for i, a := range as {
				if a.Answer >= 200 && a.Answer < 300 {
					ok++
				} else if i == 0 {
					cr.Retried++
				}
			}
			if ok > 1 {
				cr.Redelivered++
			}
		}
	}
	return cr
}

// write puts report.json and report.md into dir.
func (rep *Report) write(dir string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("runner: report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(rep.Markdown()), 0o644); err != nil {
		return fmt.Errorf("runner: report: %w", err)
	}
	return nil
}

// Markdown renders the report.
func (rep *Report) Markdown() string {
	var b strings.Builder
	verdict := "PASSED"
	if !rep.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "# Scenario %s: %s\n\n", rep.Scenario, verdict)
	if rep.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", rep.Description)
	}
	fmt.Fprintf(&b, "* command: `%s`\n* scale: %s\n* machine: %s\n* started: %s, took %.1f s\n* model calls (fake model): %d\n",
		rep.Command, rep.Scale, rep.Machine, rep.Started.Format(time.RFC3339), rep.Seconds, rep.ModelCalls)
	if rep.Error != "" {
		fmt.Fprintf(&b, "* **error**: %s\n", rep.Error)
	}
	b.WriteString("\n## Nodes\n\n| node | database | provider | log |\n|---|---|---|---|\n")
	for _, n := range rep.Nodes {
		db := n.Database
		if n.Share != "" {
			db += " (shared with " + n.Share + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | [%s](%s) |\n", n.Name, db, n.Provider, n.Log, n.Log)
	}
	b.WriteString("\n## Steps\n\n| step | seconds | error |\n|---|---:|---|\n")
	for _, s := range rep.Steps {
		fmt.Fprintf(&b, "| %s | %.2f | %s |\n", strings.ReplaceAll(s.Step, "|", "\\|"), s.Seconds, s.Error)
	}
	if len(rep.Faults) > 0 {
		b.WriteString("\nFaults injected (UTC): " + strings.Join(rep.Faults, "; ") + "\n")
	}
	if len(rep.Callers) > 0 {
		b.WriteString("\n## Callers\n\n| caller | kind | messages | concurrency | accepted | refused | statuses | seconds | turns/s | p50 ms | p95 ms | deliveries | attempts | retried | repeated after 2xx | spent USD | budget USD |\n|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, c := range rep.Callers {
			var st []string
			for k, v := range c.Statuses {
				st = append(st, fmt.Sprintf("%s %d", k, v))
			}
			slices.Sort(st)
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s | %.2f | %.1f | %.0f | %.0f | %d | %d | %d | %d | %s | %s |\n",
				c.Name, c.Kind, c.Messages, c.Concurrency, c.Accepted, c.Refused, strings.Join(st, ", "), c.Seconds, c.TurnsPerSec,
				c.LatencyP50, c.LatencyP95, c.Deliveries, c.Attempts, c.Retried, c.Redelivered, c.SpentUSD, c.BudgetUSD)
		}
		for _, c := range rep.Callers {
			if c.Lost > 0 {
				fmt.Fprintf(&b, "\n%s: %d responses to POST /api/agent thrown away and the request sent again with the same Idempotency-Key.\n", c.Name, c.Lost)
			}
		}
	}
	b.WriteString("\n## Checks\n\n")
	for _, c := range rep.Checks {
		mark := "pass"
		if !c.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "* **%s** %s\n", mark, c.Check)
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "  * %s\n", p)
		}
	}
	if len(rep.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range rep.Notes {
			fmt.Fprintf(&b, "* %s\n", n)
		}
	}
	return b.String()
}
