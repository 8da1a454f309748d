package a2a_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// BenchmarkSendMessage measures a non-blocking A2A SendMessage over
// JSON-RPC (the task durably stored: task, message, conversation, turn and
// job committed) next to POST /api/agent on the same node, and next to a
// bare a2a-go v2 server with its in-memory task store doing the same (an
// executor that answers "submitted"), in a second race of its own (the
// bare server's background work would otherwise fall on the A2A
// contender's rounds more than on REST's). Theirs is not durable; ours is.
// The node's model holds every turn, so this is the accept path alone.
// The ratio is the median of ten rounds' ratios: make bench runs 10 000
// sends (rounds of 1 000, 150–300 ms each); at 1 000 sends a round lasts
// about 16 ms on SQLite, and one pause of the collector or one WAL
// checkpoint decides it (docs/benchmarks.md).
//
// Metrics: node-ops/s (A2A), base-ops/s (POST /api/agent), ratio (target ≥ 0.8),
// a2ago-ops/s, ratio-a2ago (= a2a/a2a-go), peak-RSS-MB.
func BenchmarkSendMessage(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchSend(b, d) })
	}
}

func benchSend(b *testing.B, dialect string) {
	_ = testbed.ResetPeak(0)
	script := &testbed.Script{Step: testbed.Echo, Gate: make(chan struct{})}
	// Every accepted turn stays queued (the model holds them): lift the
	// backlog limits, which would otherwise answer 503 (by design).
	n := testbed.Start(b, node.Config{DatabaseURL: storetest.URLTB(b, dialect), Provider: script, MaxBacklog: 1 << 30, MaxQueuedPerKey: 1 << 30})
	b.Cleanup(func() { close(script.Gate) })
	creds := testbed.Workspace(b, n.DB(), workspace.Owner, access.KeyParams{})
	bare := httptest.NewServer(a2asrv.NewJSONRPCHandler(a2asrv.NewHandler(submitted{})))
	b.Cleanup(bare.Close)

	clients := 16
	hc := testbed.NewHTTPClient(clients)
	var seq atomic.Int64
	send := func(url string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			id := fmt.Sprintf("bench-%d", seq.Add(1))
			body := `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"` + id +
				`","role":"ROLE_USER","parts":[{"text":"` + testbed.StandardMessage + `"}]},"configuration":{"returnImmediately":true}}}`
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+creds.Token)
			req.Header.Set("X-Api-Key", creds.APIKey)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(out), `"TASK_STATE_SUBMITTED"`) {
				return fmt.Errorf("SendMessage = %d %s", resp.StatusCode, out)
			}
			return nil
		}
	}
	a2aOp, restOp := testbed.Contender{Name: "a2a", Op: send(n.URL() + "/a2a")}, testbed.Contender{Name: "rest", Op: testbed.Poster{Client: hc, URL: n.URL(), Creds: creds}.Post}
	// Warm up, uncounted: every client's connection opened and both
	// paths' statements prepared, so the first round's contender pays
	// for neither.
	for _, c := range []testbed.Contender{a2aOp, restOp} {
		if _, err := testbed.Load(context.Background(), 4*clients, clients, c.Op); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	// Two races, each of two contenders taking turns: the bare a2a-go
	// server keeps executing its tasks in the background after it has
	// answered (a2a-go's task manager, copying every task through gob),
	// so in one race of three, rotated, that work spilled into the round
	// of whoever came next — the A2A contender twice as often as the
	// REST one. With two contenders each follows the other equally often.
	res, err := testbed.Race(context.Background(), b.N, clients, 10, a2aOp, restOp)
	if err != nil {
		b.StopTimer()
		b.Fatal(err)
	}
	// The bare server keeps every task in memory (about 25 KB each): at
	// most maxPeerOps sends each, so its heap does not swamp the peak
	// resident memory this benchmark reports for the node.
	peer, err := testbed.Race(context.Background(), min(b.N, maxPeerOps), clients, 10, a2aOp, testbed.Contender{Name: "a2a-go", Op: send(bare.URL)})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	a2a, rest, ours, theirs := res[0], res[1], peer[0], peer[1]
	b.ReportMetric(a2a.NsPerOp(), "ns/op")
	b.ReportMetric(a2a.OpsPerSec(), "node-ops/s")
	b.ReportMetric(rest.OpsPerSec(), "base-ops/s")
	b.ReportMetric(testbed.Ratio(a2a, rest), "ratio")
	b.ReportMetric(theirs.OpsPerSec(), "a2ago-ops/s")
	b.ReportMetric(testbed.Ratio(ours, theirs), "ratio-a2ago")
	testbed.ReportPeak(b)
}

// maxPeerOps bounds the race with the bare a2a-go server (its in-memory
// store grows with every task).
const maxPeerOps = 2000

// submitted is the bare server's executor: it acknowledges the message as
// a submitted task and stops.
type submitted struct{}

func (submitted) Execute(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[spec.Event, error] {
	return func(yield func(spec.Event, error) bool) { yield(spec.NewSubmittedTask(ec, ec.Message), nil) }
}

func (submitted) Cancel(_ context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[spec.Event, error] {
	return func(yield func(spec.Event, error) bool) {
		yield(spec.NewStatusUpdateEvent(ec, spec.TaskStateCanceled, nil), nil)
	}
}
