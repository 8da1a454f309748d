package testbed_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/benchbase"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// benchClients is how many parallel clients drive each contender
// (SOIS_BENCH_CLIENTS, default 16).
func benchClients() int {
	if n, err := strconv.Atoi(os.Getenv("SOIS_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 16
}

// benchRounds is how many times the contenders take turns.
const benchRounds = 10

// BenchmarkAcceptPath measures POST /api/agent → 202 with the message
// durably stored (conversation, turn and River job committed), over HTTP
// on loopback with parallel clients, on SQLite and PostgreSQL, next to two
// hand-written baselines in the same run:
//
//   - base: bare net/http + database/sql/pgx that checks both credentials
//     and inserts the same three rows (the same work, no framework);
//   - insert: the same without the credential check (the bare insert).
//
// The node's model provider holds every turn it is given (a gated
// testbed.Script), so after the first few jobs the workers sit idle and
// the numbers are the accept path alone; BenchmarkAcceptPathWorking lets
// the turns run.
//
// Metrics: node-ops/s, base-ops/s, ratio (= node/base, target ≥ 0.8),
// insert-ops/s, ratio-insert, peak-RSS-MB (this whole process: node,
// baselines and clients).
func BenchmarkAcceptPath(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchAccept(b, d, false) })
	}
}

// BenchmarkAcceptPathWorking is BenchmarkAcceptPath with the node's
// workers running the turns (an echoing testbed.Script) while messages
// arrive: the accept path sharing the machine and the database with the
// agent loop, River's fetches and the turn transactions. The baselines do
// no such work, so the ratio is a floor, not the framework's cost.
func BenchmarkAcceptPathWorking(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchAccept(b, d, true) })
	}
}

func benchAccept(b *testing.B, dialect string, working bool) {
	ctx := context.Background()
	_ = testbed.ResetPeak(0)
	script := &testbed.Script{Step: testbed.Echo}
	if !working {
		script.Gate = make(chan struct{})
	}
	// Every accepted turn stays queued (the model holds them): lift the
	// backlog limits, which would otherwise answer 503 (by design).
	n := testbed.Start(b, node.Config{DatabaseURL: storetest.URLTB(b, dialect), Provider: script, MaxBacklog: 1 << 30, MaxQueuedPerKey: 1 << 30})
	if !working {
		b.Cleanup(func() { close(script.Gate) }) // before the node's shutdown (cleanups run last-in first-out)
	}
	creds := testbed.Workspace(b, n.DB(), workspace.Owner, access.KeyParams{})

	base, baseCreds := startBaseline(b, dialect, true)
	insert, insertCreds := startBaseline(b, dialect, false)

	clients := benchClients()
	hc := testbed.NewHTTPClient(clients)
	contenders := []testbed.Contender{
		{Name: "node", Op: testbed.Poster{Client: hc, URL: n.URL(), Creds: creds}.Post},
		{Name: "base", Op: testbed.Poster{Client: hc, URL: base.URL, Creds: baseCreds}.Post},
		{Name: "insert", Op: testbed.Poster{Client: hc, URL: insert.URL, Creds: insertCreds}.Post},
	}
	b.ResetTimer()
	res, err := testbed.Race(ctx, b.N, clients, benchRounds, contenders...)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	// Durably stored: every 202 left a conversation, a turn and its job (or lease).
	requireRows(b, n.DB(), b.N)

	node, baseline, bare := res[0], res[1], res[2]
	b.ReportMetric(node.NsPerOp(), "ns/op")
	b.ReportMetric(node.OpsPerSec(), "node-ops/s")
	b.ReportMetric(baseline.OpsPerSec(), "base-ops/s")
	b.ReportMetric(testbed.Ratio(node, baseline), "ratio")
	b.ReportMetric(bare.OpsPerSec(), "insert-ops/s")
	b.ReportMetric(testbed.Ratio(node, bare), "ratio-insert")
	testbed.ReportPeak(b)
}

// startBaseline migrates a fresh database of dialect like a node would,
// creates a workspace in it and serves a benchbase.Baseline on loopback.
func startBaseline(b *testing.B, dialect string, auth bool) (*httptest.Server, testbed.Creds) {
	b.Helper()
	ctx := context.Background()
	url := storetest.URLTB(b, dialect)
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	if err := node.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	creds := testbed.Workspace(b, db, workspace.Owner, access.KeyParams{})
	db.Close()
	bl, err := benchbase.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	bl.Auth, bl.Fixed = auth, ids(creds)
	srv := httptest.NewServer(bl)
	b.Cleanup(func() { srv.Close(); bl.Close() })
	return srv, creds
}

// requireRows fails b unless db holds at least n accepted conversations,
// each with its turn, and each turn queued durably: a River job, or (a
// turn accepted with a free local-lane slot, queue.Pending) the lease on
// its own row.
func requireRows(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	for _, q := range []struct{ what, query string }{
		{"conversations", `SELECT count(*) FROM conversations`},
		{"turns", `SELECT count(*) FROM turns`},
		{"queued turns (River jobs and leased turns)", `SELECT (SELECT count(*) FROM river_job WHERE kind = 'agent_turn') +
			(SELECT count(*) FROM turns WHERE lease_until > 0)`},
	} {
		var got int
		if err := db.QueryRow(ctx, q.query).Scan(&got); err != nil {
			b.Fatal(err)
		}
		if got < n {
			b.Fatalf("%s: %d rows after %d accepted messages", q.what, got, n)
		}
	}
}

func ids(c testbed.Creds) benchbase.IDs {
	return benchbase.IDs{WorkspaceID: c.WorkspaceID, MemberID: c.MemberID, KeyID: c.KeyID}
}
