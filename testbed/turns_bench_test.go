package testbed_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// BenchmarkTurns measures finished work: closed-loop callers each send
// the standard message with POST /api/agent?wait=30 and wait for the
// turn's result (200, completed) before sending the next, on SQLite and
// PostgreSQL, with
//
//   - local: the built-in local agent (the default provider; one tool
//     call, contacts_create, per turn);
//   - zero: a scripted model that answers at once with text (no tool):
//     everything measured is the node's own overhead per turn — accept,
//     queue, start, the model loop's bookkeeping, finish, wake-up.
//
// at 1, 8 and 32 callers. One caller on an idle node is the end-to-end
// latency a user sees (target p50 ≤ 10 ms); 32 callers give the finished
// turns per second to compare with the 202 path (BenchmarkAcceptPath).
//
// Metrics: turns/s (completed turns per second), p50-ms, p99-ms (end to
// end per turn, as the caller sees it), cpu-ms/turn (this process's CPU
// per turn, callers included), peak-RSS-MB.
func BenchmarkTurns(b *testing.B) {
	for _, d := range storetest.Dialects {
		for _, agentKind := range []string{"local", "zero"} {
			for _, callers := range []int{1, 8, 32} {
				b.Run(fmt.Sprintf("%s/%s/c%d", d, agentKind, callers), func(b *testing.B) {
					benchTurns(b, d, agentKind, callers)
				})
			}
		}
	}
}

func benchTurns(b *testing.B, dialect, agentKind string, callers int) {
	ctx := context.Background()
	_ = testbed.ResetPeak(0)
	cfg := node.Config{DatabaseURL: storetest.URLTB(b, dialect)}
	if agentKind == "zero" {
		cfg.Provider = &testbed.Script{Step: testbed.Echo}
	}
	n := testbed.Start(b, cfg)
	creds := testbed.Workspace(b, n.DB(), workspace.Owner, access.KeyParams{})
	p := testbed.Poster{Client: testbed.NewHTTPClient(callers), URL: n.URL(), Creds: creds}
	// Warm up: connections, statement caches, River's leader election.
	for range min(callers, 4) {
		if _, err := p.PostWait(ctx, 30); err != nil {
			b.Fatal(err)
		}
	}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	cpu0, cerr := testbed.ReadCPU(0)
	b.ResetTimer()
	elapsed, err := testbed.Load(ctx, b.N, callers, func(ctx context.Context) error {
		d, err := p.PostWait(ctx, 30)
		mu.Lock()
		lat = append(lat, d)
		mu.Unlock()
		return err
	})
	b.StopTimer()
	cpu1, cerr1 := testbed.ReadCPU(0)
	if err != nil {
		b.Fatal(err)
	}
	if cerr == nil && cerr1 == nil {
		// This process's CPU per turn: the node's and the callers' (their
		// HTTP client) together, hardly dependent on the machine's load.
		b.ReportMetric(ms(cpu1-cpu0)/float64(b.N), "cpu-ms/turn")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "turns/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	testbed.ReportPeak(b)
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
