package testbed_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/loadgen"
)

// BenchmarkScaleOut measures completed turns per second with 1, 2 and 3
// `soisnode serve` processes on one PostgreSQL database serving one
// workspace (started as testbed/scenario starts nodes: the built binary,
// one data folder, each on its own port): 32 closed-loop callers with
// ?wait=10 and the local agent, split evenly over the processes, each
// group driven by its own load generator process. Processes are not
// pinned (three servers, PostgreSQL and the generators share the
// machine's CPUs). Run with -benchtime=1x; SOIS_BENCH_SECONDS per run.
//
// Metrics: turns/s, p50-ms, p99-ms (the worst group's), ratio (turns/s ÷
// the one-process row of the same run), peak-RSS-MB (the largest node).
func BenchmarkScaleOut(b *testing.B) {
	env := newExtEnv(b)
	env.gen.Pin = ""
	var one float64
	for _, procs := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("postgres/p%d", procs), func(b *testing.B) {
			r := env.scaleOut(b, procs)
			if procs == 1 {
				one = r
			}
			if one > 0 {
				b.ReportMetric(r/one, "ratio")
			}
		})
	}
}

func (e *extEnv) scaleOut(b *testing.B, procs int) float64 {
	url := storetest.URLTB(b, "postgres")
	dir := b.TempDir()
	creds := initWorkspace(b, e.bin, url, dir)
	var nodes []*process
	for i := range procs {
		addr := freeAddr(b)
		extra := []string{"SOIS_DATABASE_URL=" + url, "SOIS_DATA_DIR=" + dir, "SOIS_LISTEN=" + addr,
			"SOIS_MAX_BACKLOG=1000000000", "SOIS_MAX_QUEUED_PER_KEY=1000000000"}
		cmd := e.serverCmd([]string{"serve"}, extra)
		nodes = append(nodes, startProcess(b, fmt.Sprintf("node%d", i+1), cmd, addr, creds, dir))
	}
	specFor := func(p *process, conns int, d time.Duration) testbed.Spec {
		s := spec(p, "/api/agent?wait=10")
		s.Conns, s.Duration, s.Expect, s.Contains = conns, d, http.StatusOK, `"status":"completed"`
		return s
	}
	for _, p := range nodes { // warm up
		e.run(b, specFor(p, 1, 300*time.Millisecond))
		_ = testbed.ResetPeak(p.cmd.Process.Pid)
	}
	res := make([]loadgen.Result, procs)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	b.ResetTimer()
	for i, p := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.gen.Run(context.Background(), specFor(p, 32/procs, e.secs))
			if err == nil && r.Errors > 0 {
				err = fmt.Errorf("%s: %d errors (%s)", p.name, r.Errors, r.FirstError)
			}
			mu.Lock()
			defer mu.Unlock()
			res[i] = r
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	var rps, p50, p99, peak float64
	for i, r := range res {
		rps += r.RPS
		p50, p99 = max(p50, r.P50), max(p99, r.P99)
		peak = max(peak, testbed.MB(nodes[i].mem(b).Peak))
	}
	b.ReportMetric(rps, "turns/s")
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(peak, "peak-RSS-MB")
	return rps
}
