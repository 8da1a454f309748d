package testbed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent/openai/openaifake"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/loadgen"
	"github.com/soisnode/soisnode/testbed/poll"
)

// The external-process benchmarks (docs/benchmarks.md, "Measured from
// outside"): the built binaries as child processes, each server pinned to
// CPU 0 with GOMAXPROCS=1 and the load generator (wrk when on PATH, else
// ./testbed/cmd/loadgen; SOIS_BENCH_LOADGEN) a separate process on CPU 1.
// Run them with -benchtime=1x: each sub-benchmark sends load for fixed
// durations (SOIS_BENCH_SECONDS per run, default 2) and reports metrics;
// b.N is not used.

// extRounds is how many rounds the 202 contenders alternate.
const extRounds = 3

// extAccept is the node's 202 throughput of this run, for the turns rows'
// ratio (sub-benchmarks run in order in one process).
var extAccept float64

// BenchmarkExternal runs, on SQLite:
//
//   - Accept: POST /api/agent → 202, 32 connections, in extRounds rounds
//     alternating five servers: "node" (soisnode serve as shipped: the
//     local agent works the accepted turns on the same core meanwhile),
//     "gated" (soisnode with a model that never answers: its workers hang,
//     so only the accept path runs), "base" (benchbase: bare net/http,
//     the credential check and the node's three rows in one transaction),
//     "one" (benchbase -one: one INSERT, no credential check) and "a2ago"
//     (testbed/a2agosut -submitted: a bare a2a-go v2 JSON-RPC server with
//     its in-memory task store, not durable, sent a non-blocking
//     SendMessage, every answer checked to be a submitted task). Metrics:
//     each one's req/s and p50, the ratios to base, one and a2ago, the
//     node's idle and peak RSS. The working node and a2ago are stopped
//     (SIGSTOP) outside their rounds, so the work they leave behind an
//     answer (the node's turns, a2a-go's task manager) is done during
//     their own later rounds.
//   - Turns/{local,zero}/c{1,8,32}: closed-loop callers with ?wait=10
//     until the turn's 200: completed turns/s, p50/p99 end to end, the
//     ratio to the 202 path's req/s, the node process's CPU per turn
//     (/proc/<pid>/stat), the node's own overhead per turn at p50/p99
//     (sois_turn_overhead_seconds read from its /metrics before and after
//     the run), peak RSS of the node.
//   - Sweep: open-loop offered load against the 202 path and against
//     ?wait= turns, latency p50/p90/p99 per rate, and the node's RSS at the
//     start and end of that sustained load; with SOIS_BENCH_SVG=path it
//     writes the SVG plot there.
//
// and on PostgreSQL one caller on an idle node (Turns/…/c1).
func BenchmarkExternal(b *testing.B) {
	env := newExtEnv(b)
	b.Run("sqlite/accept", func(b *testing.B) { env.accept(b, "sqlite") })
	var sweepTurns []float64
	for _, kind := range []string{"local", "zero"} {
		for _, c := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("sqlite/turns/%s/c%d", kind, c), func(b *testing.B) {
				if r := env.turns(b, "sqlite", kind, c); kind == "local" && c == 32 {
					sweepTurns = append(sweepTurns, r)
				}
			})
		}
	}
	for _, kind := range []string{"local", "zero"} {
		b.Run("postgres/turns/"+kind+"/c1", func(b *testing.B) { env.turns(b, "postgres", kind, 1) })
	}
	b.Run("sqlite/sweep", func(b *testing.B) {
		turns := 50.0
		if len(sweepTurns) > 0 && sweepTurns[0] > 0 {
			turns = sweepTurns[0]
		}
		env.sweep(b, "sqlite", turns)
	})
}

type extEnv struct {
	bin, baseBin string
	a2agoBin     string
	gen          testbed.Generator
	pinServer    string
	secs         time.Duration
}

func newExtEnv(b *testing.B) *extEnv {
	e := &extEnv{
		bin:      buildBinary(b, "SOIS_BENCH_BIN", "github.com/soisnode/soisnode/cmd/soisnode"),
		baseBin:  buildBinary(b, "SOIS_BENCH_BASE_BIN", "github.com/soisnode/soisnode/testbed/benchbase/cmd/benchbase"),
		a2agoBin: buildBinary(b, "SOIS_BENCH_A2AGO_BIN", "github.com/soisnode/soisnode/testbed/a2agosut"),
		secs:     2 * time.Second,
	}
	e.gen.Loadgen = buildBinary(b, "SOIS_BENCH_LOADGEN", "github.com/soisnode/soisnode/testbed/cmd/loadgen")
	if p, err := exec.LookPath("wrk"); err == nil {
		e.gen.Wrk = p
	}
	e.pinServer, e.gen.Pin = testbed.Pinning()
	if s := os.Getenv("SOIS_BENCH_SECONDS"); s != "" {
		var n float64
		if _, err := fmt.Sscan(s, &n); err == nil && n > 0 {
			e.secs = time.Duration(n * float64(time.Second))
		}
	}
	b.Logf("external: generator %s, server CPU %q, load CPU %q, %s per run",
		e.gen.Name(testbed.Spec{}), e.pinServer, e.gen.Pin, e.secs)
	return e
}

// server starts a pinned child process: argv after the binary, env extra.
func (e *extEnv) server(b *testing.B, name, bin string, args []string, extra []string, addr string, creds testbed.Creds, dir string) *process {
	cmd := exec.Command(bin, args...)
	if e.pinServer != "" {
		cmd = exec.Command("taskset", append([]string{"-c", e.pinServer, bin}, args...)...)
	}
	cmd.Env = childEnv(append([]string{"GOMAXPROCS=1"}, extra...)...)
	return startProcess(b, name, cmd, addr, creds, dir)
}

// serverCmd is `soisnode args…` unpinned, with env extra.
func (e *extEnv) serverCmd(args []string, extra []string) *exec.Cmd {
	cmd := exec.Command(e.bin, args...)
	cmd.Env = childEnv(extra...)
	return cmd
}

// node starts `soisnode serve` on a fresh database of dialect, with the
// backlog limits lifted (load from one key outruns the workers by design)
// and model the OpenAI-compatible base URL ("" for the local agent).
func (e *extEnv) node(b *testing.B, name, dialect, model string) *process {
	url := storetest.URLTB(b, dialect)
	dir := b.TempDir()
	creds := initWorkspace(b, e.bin, url, dir)
	addr := freeAddr(b)
	extra := []string{"SOIS_DATABASE_URL=" + url, "SOIS_DATA_DIR=" + dir, "SOIS_LISTEN=" + addr,
		"SOIS_MAX_BACKLOG=1000000000", "SOIS_MAX_QUEUED_PER_KEY=1000000000"}
	if model != "" {
		extra = append(extra, "SOIS_LLM_BASE_URL="+model, "SOIS_LLM_API_KEY=bench", "SOIS_MODEL=gpt-4o-mini")
	}
	return e.server(b, name, e.bin, []string{"serve"}, extra, addr, creds, dir)
}

// base starts benchbase on a fresh database (with one: -one).
func (e *extEnv) base(b *testing.B, name, dialect string, one bool) *process {
	url := storetest.URLTB(b, dialect)
	dir := b.TempDir()
	creds := initWorkspace(b, e.bin, url, dir)
	addr := freeAddr(b)
	args := []string{"-db", url, "-listen", addr}
	if one {
		args = append(args, "-one", creds.WorkspaceID+","+creds.MemberID+","+creds.KeyID)
	}
	return e.server(b, name, e.baseBin, args, nil, addr, creds, dir)
}

// a2ago starts the a2a-go reference server (a2agosut -submitted).
func (e *extEnv) a2ago(b *testing.B, name string) *process {
	addr := freeAddr(b)
	return e.server(b, name, e.a2agoBin, []string{"-listen", addr, "-submitted"}, nil, addr, testbed.Creds{}, b.TempDir())
}

// a2agoSpec is a non-blocking A2A SendMessage over JSON-RPC to p, every
// answer checked to be a submitted task (by wrk's Lua hook too). The
// messageId is the same in every request: a2a-go v2.3.1 keys nothing on
// it (each message without a taskId starts a new task; only a stored
// task's retried execution compares messageIds), so distinct ones would
// make no difference to the server.
func a2agoSpec(p *process) testbed.Spec {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": map[string]any{
		"message":       map[string]any{"messageId": "ext-bench", "role": "ROLE_USER", "parts": []any{map[string]string{"text": testbed.StandardMessage}}},
		"configuration": map[string]any{"returnImmediately": true},
	}})
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return testbed.Spec{URL: p.url + "/a2a", Header: h, Body: body, Conns: 32, Expect: http.StatusOK,
		Contains: `"TASK_STATE_SUBMITTED"`, CheckInWrk: true}
}

func spec(p *process, path string) testbed.Spec {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Bearer "+p.creds.Token)
	h.Set("X-Api-Key", p.creds.APIKey)
	return testbed.Spec{URL: p.url + path, Header: h, Body: testbed.StandardBody, Conns: 32, Expect: http.StatusAccepted}
}

// fakeModel is an OpenAI-compatible fake in this process: zero latency
// ("ok" at once), or hanging until b ends (gate).
func fakeModel(b *testing.B, hang bool) string {
	f := openaifake.Start(b)
	if hang {
		gate := make(chan struct{})
		f.Handle(func(openaifake.Request) openaifake.Reply { <-gate; return openaifake.Text("ok") })
		b.Cleanup(func() { close(gate) }) // runs before f.Close (last in, first out)
	}
	return f.BaseURL()
}

// drain waits until p's backlog is empty (GET /readyz), so the turns a
// round accepted do not take the core from the next contender.
func drain(b *testing.B, p *process) {
	drained := poll.Until(2*time.Minute, func() bool {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			return false
		}
		var r struct {
			Queued int `json:"queued_turns"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		return r.Queued == 0
	})
	if !drained {
		b.Logf("%s: backlog not drained after 2 minutes", p.name)
		return
	}
	// A quiet pause for the last running turns (/readyz counts only the
	// queued ones): what it protects is the next round's measurement, no
	// check depends on those turns having ended.
	time.Sleep(200 * time.Millisecond)
}

func (e *extEnv) run(b *testing.B, s testbed.Spec) loadgen.Result {
	r, err := e.gen.Run(context.Background(), s)
	if err != nil {
		b.Fatal(err)
	}
	if r.Errors > 0 {
		b.Fatalf("%s: %d errors (%s)", s.URL, r.Errors, r.FirstError)
	}
	return r
}

func (e *extEnv) accept(b *testing.B, dialect string) {
	model := fakeModel(b, true)
	procs := []*process{
		e.node(b, "node", dialect, ""),
		e.node(b, "gated", dialect, model),
		e.base(b, "base", dialect, false),
		e.base(b, "one", dialect, true),
		e.a2ago(b, "a2ago"),
	}
	const a2agoIdx = 4
	time.Sleep(2 * time.Second) // settle: River's leader election, first maintenance
	idle := procs[0].mem(b)
	for _, p := range procs[:2] {
		_ = testbed.ResetPeak(p.cmd.Process.Pid)
	}
	res := make([][]loadgen.Result, len(procs))
	b.ResetTimer()
	// The working node's turns would take the CPU from the others' rounds,
	// and so would a2a-go's task manager, which goes on with each task
	// after its answer: both are stopped (SIGSTOP) outside their own
	// rounds, so what they accepted is worked during their later rounds,
	// as in a steady state.
	stopped := map[*process]bool{procs[0]: true, procs[a2agoIdx]: true}
	pause := func(p *process, stop bool) {
		if !stopped[p] {
			return
		}
		sig := syscall.SIGCONT
		if stop {
			sig = syscall.SIGSTOP
		}
		if err := p.cmd.Process.Signal(sig); err != nil {
			b.Fatal(err)
		}
	}
	for p := range stopped {
		pause(p, true)
	}
	for r := range extRounds {
		for k := range procs {
			i := (r + k) % len(procs)
			s := spec(procs[i], "/api/agent")
			if i == a2agoIdx {
				s = a2agoSpec(procs[i])
			}
			s.Duration = e.secs
			pause(procs[i], false)
			res[i] = append(res[i], e.run(b, s))
			pause(procs[i], true)
		}
	}
	for p := range stopped {
		pause(p, false)
	}
	b.StopTimer()
	med := func(rs []loadgen.Result, f func(loadgen.Result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	rps := func(r loadgen.Result) float64 { return r.RPS }
	p50 := func(r loadgen.Result) float64 { return r.P50 }
	ratio := func(a, c int) float64 { // median over rounds of a's rps / c's
		v := make([]float64, extRounds)
		for r := range extRounds {
			v[r] = res[a][r].RPS / res[c][r].RPS
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	for i, p := range procs {
		b.ReportMetric(med(res[i], rps), p.name+"-ops/s")
		b.ReportMetric(med(res[i], p50), p.name+"-p50-ms")
	}
	extAccept = med(res[0], rps)
	b.ReportMetric(ratio(0, 2), "ratio")
	b.ReportMetric(ratio(0, 3), "ratio-one")
	b.ReportMetric(ratio(1, 2), "gated-ratio")
	b.ReportMetric(ratio(1, 3), "gated-ratio-one")
	b.ReportMetric(ratio(0, a2agoIdx), "ratio-a2ago")
	b.ReportMetric(ratio(1, a2agoIdx), "gated-ratio-a2ago")
	b.ReportMetric(testbed.MB(idle.RSS), "node-idle-RSS-MB")
	b.ReportMetric(testbed.MB(procs[0].mem(b).Peak), "peak-RSS-MB")
	b.ReportMetric(testbed.MB(procs[1].mem(b).Peak), "gated-peak-RSS-MB")
	b.ReportMetric(testbed.MB(procs[a2agoIdx].mem(b).Peak), "a2ago-peak-RSS-MB")
	if e.gen.Wrk != "" {
		b.ReportMetric(1, "wrk")
	}
}

// turns runs closed-loop ?wait= callers against a fresh node and returns
// the completed turns per second.
func (e *extEnv) turns(b *testing.B, dialect, kind string, callers int) float64 {
	model := ""
	if kind == "zero" {
		model = fakeModel(b, false)
	}
	p := e.node(b, "node", dialect, model)
	warm := spec(p, "/api/agent?wait=10")
	warm.Conns, warm.Duration, warm.Expect, warm.Contains = 1, 500*time.Millisecond, http.StatusOK, `"status":"completed"`
	e.run(b, warm)
	_ = testbed.ResetPeak(p.cmd.Process.Pid)
	s := warm
	s.Conns, s.Duration = callers, e.secs
	own0 := overhead(b, p)
	cpu0, cerr := testbed.ReadCPU(p.cmd.Process.Pid)
	b.ResetTimer()
	r := e.run(b, s)
	b.StopTimer()
	cpu1, cerr1 := testbed.ReadCPU(p.cmd.Process.Pid)
	// The node's own overhead per turn of this run (the warm-up's turns
	// subtracted), from the histogram it exports.
	own, err := overhead(b, p).Sub(own0)
	if err != nil {
		b.Fatal(err)
	}
	if own.Count == 0 {
		b.Fatalf("%s: no turn observed in sois_turn_overhead_seconds", p.name)
	}
	b.Logf("%s/%s/c%d: %d turns completed in the run, %d observed in sois_turn_overhead_seconds (turns still running at its end finish after it)",
		dialect, kind, callers, r.Requests, own.Count)
	b.ReportMetric(own.Quantile(0.5)*1000, "own-p50-ms")
	b.ReportMetric(own.Quantile(0.99)*1000, "own-p99-ms")
	b.ReportMetric(r.RPS, "turns/s")
	b.ReportMetric(r.P50, "p50-ms")
	b.ReportMetric(r.P99, "p99-ms")
	if done := float64(r.Requests); cerr == nil && cerr1 == nil && done > 0 {
		// The node process's CPU per completed turn: its own cost, which
		// unlike the latency hardly depends on the machine's other load.
		b.ReportMetric(ms(cpu1-cpu0)/done, "node-cpu-ms/turn")
	}
	if extAccept > 0 && dialect == "sqlite" {
		b.ReportMetric(r.RPS/extAccept, "ratio-202")
	}
	b.ReportMetric(testbed.MB(p.mem(b).Peak), "peak-RSS-MB")
	return r.RPS
}

// overhead reads sois_turn_overhead_seconds from p's /metrics.
func overhead(b *testing.B, p *process) testbed.Histogram {
	h, err := testbed.ScrapeHistogram(p.url+"/metrics", "sois_turn_overhead_seconds")
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// sweep offers open-loop load at fractions of the measured capacity to
// the 202 path and to ?wait= turns, and plots latency against it.
func (e *extEnv) sweep(b *testing.B, dialect string, turnsCap float64) {
	p := e.node(b, "node", dialect, "")
	time.Sleep(time.Second)
	start := p.mem(b)
	acceptCap := extAccept
	if acceptCap == 0 {
		acceptCap = 200
	}
	fractions := []float64{0.25, 0.5, 0.75, 1.0, 1.25}
	curve := func(path string, capacity float64, expect int, contains string) []loadgen.Result {
		var out []loadgen.Result
		for _, f := range fractions {
			s := spec(p, path)
			s.Rate, s.Duration, s.Conns, s.Expect, s.Contains = capacity*f, e.secs, 256, expect, contains
			out = append(out, e.run(b, s))
			drain(b, p)
		}
		return out
	}
	b.ResetTimer()
	acc := curve("/api/agent", acceptCap, http.StatusAccepted, "")
	trn := curve("/api/agent?wait=10", turnsCap, http.StatusOK, `"status":"completed"`)
	b.StopTimer()
	end := p.mem(b)
	for i, f := range fractions {
		b.Logf("offered %.2fx: 202 path %.0f req/s offered, %.0f answered, p50/p90/p99 %.1f/%.1f/%.1f ms; turns %.0f offered, %.0f completed, %.1f/%.1f/%.1f ms",
			f, acc[i].Offered, acc[i].RPS, acc[i].P50, acc[i].P90, acc[i].P99, trn[i].Offered, trn[i].RPS, trn[i].P50, trn[i].P90, trn[i].P99)
	}
	b.ReportMetric(testbed.MB(start.RSS), "start-RSS-MB")
	b.ReportMetric(testbed.MB(end.RSS), "end-RSS-MB")
	b.ReportMetric(testbed.MB(end.Peak), "peak-RSS-MB")
	if path := os.Getenv("SOIS_BENCH_SVG"); path != "" {
		panel := func(title string, rs []loadgen.Result) testbed.Panel {
			pn := testbed.Panel{Title: title, XLabel: "offered load (requests/s, open loop)", YLabel: "latency (ms, log scale)"}
			for _, q := range []struct {
				name string
				f    func(loadgen.Result) float64
			}{{"p50", func(r loadgen.Result) float64 { return r.P50 }}, {"p90", func(r loadgen.Result) float64 { return r.P90 }}, {"p99", func(r loadgen.Result) float64 { return r.P99 }}} {
				s := testbed.Series{Name: q.name}
				for _, r := range rs {
					s.Points = append(s.Points, testbed.Point{X: r.Offered, Y: q.f(r)})
				}
				pn.Series = append(pn.Series, s)
			}
			return pn
		}
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		title := fmt.Sprintf("soisnode serve, SQLite, GOMAXPROCS=1 pinned: latency against offered load (%s)", time.Now().UTC().Format("2006-01-02"))
		if err := testbed.PlotSVG(f, title, []testbed.Panel{
			panel("POST /api/agent → 202", acc), panel("POST /api/agent?wait=10 → 200 (local agent)", trn),
		}); err != nil {
			b.Fatal(err)
		}
	}
}
