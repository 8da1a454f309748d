package testbed_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/benchbase"
	"github.com/soisnode/soisnode/workspace"
)

// BenchmarkAcceptSteps is the diagnosis behind BenchmarkAcceptPath: the
// database work of one accepted message, step by step, from one client
// (no HTTP, no contention), next to the baseline's two steps on the same
// database in the same run. Each step is reported in µs per call (the
// median over the rounds, so a burst of load from elsewhere does not
// decide it):
//
//	node:  auth-µs (access.Authenticate),
//	       submit-µs (the transaction: conversation, turn, River InsertTx),
//	       submit-rawjob-µs (the same transaction with the job row written
//	       by one plain INSERT instead of River's InsertTx: River's share);
//	       and two steps the accept path no longer takes for a key without
//	       a budget and without ?wait= (docs/benchmarks.md):
//	       budget-µs (budget.Check), get-µs (conversation.Get)
//	base:  base-auth-µs, base-insert-µs (benchbase.Baseline's)
//
// node-µs = auth + submit, base-µs = base-auth + base-insert, and
// ratio = base-µs / node-µs: the accept path's throughput ratio if the
// database were its only cost (on SQLite, with its single connection, it
// nearly is).
func BenchmarkAcceptSteps(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(d, func(b *testing.B) { benchSteps(b, d) })
	}
}

func benchSteps(b *testing.B, dialect string) {
	ctx := context.Background()
	url := storetest.URLTB(b, dialect)
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := node.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	c := testbed.Workspace(b, db, workspace.Owner, access.KeyParams{})
	q, err := queue.New(db, queue.Config{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	budgets := budget.New(db, time.Now, budget.Options{})
	b.Cleanup(budgets.Close)
	bl, err := benchbase.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(bl.Close)

	lastID := ""
	submit := func(enqueue conversation.Enqueuer) func(context.Context) error {
		return func(ctx context.Context) error {
			return db.InTx(ctx, func(tx store.Tx) error {
				sub, err := conversation.Submit(ctx, tx, conversation.SubmitParams{
					WorkspaceID: c.WorkspaceID, KeyID: c.KeyID, MemberID: c.MemberID,
					Message: testbed.StandardMessage, Metadata: json.RawMessage(`{"source":"bench"}`), Now: time.Now(),
				}, enqueue)
				lastID = sub.ConversationID
				return err
			})
		}
	}
	rawJob := func(ctx context.Context, tx store.Tx, id string, turn int) error {
		args, _ := json.Marshal(queue.TurnArgs{ConversationID: id, Turn: turn})
		q := `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at) VALUES (jsonb(?), 'agent_turn', 5, 1, 'default', 'available', datetime('now', 'subsec'))`
		if tx.Dialect() == store.Postgres {
			q = `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at) VALUES (?::jsonb, 'agent_turn', 5, 1, 'default', 'available', now())`
		}
		_, err := tx.Exec(ctx, q, string(args))
		return err
	}
	if err := submit(q.EnqueueTurn)(ctx); err != nil { // so that get has a conversation
		b.Fatal(err)
	}
	key, err := access.FindKey(ctx, db, c.KeyID)
	if err != nil {
		b.Fatal(err)
	}
	steps := []testbed.Contender{
		{Name: "auth", Op: func(ctx context.Context) error {
			_, err := access.Authenticate(ctx, db, c.Token, c.APIKey)
			return err
		}},
		{Name: "budget", Op: func(ctx context.Context) error { return budgets.Check(ctx, key.Limits()) }},
		{Name: "submit", Op: submit(q.EnqueueTurn)},
		{Name: "submit-rawjob", Op: submit(rawJob)},
		{Name: "get", Op: func(ctx context.Context) error {
			_, err := conversation.Get(ctx, db, c.WorkspaceID, lastID)
			return err
		}},
		{Name: "base-auth", Op: func(ctx context.Context) error {
			if _, ok := bl.Authenticate(ctx, c.Token, c.APIKey); !ok {
				b.Fatal("baseline refused valid credentials")
			}
			return nil
		}},
		{Name: "base-insert", Op: func(ctx context.Context) error {
			return bl.Insert(ctx, ids(c), ulid.Make().String(), testbed.StandardMessage, `{"source":"bench"}`)
		}},
	}
	b.ResetTimer()
	res, err := testbed.Race(ctx, b.N, 1, benchRounds, steps...)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	us := map[string]float64{}
	for _, r := range res {
		us[r.Name] = r.MedianNsPerOp() / 1e3
		b.ReportMetric(us[r.Name], r.Name+"-µs")
	}
	nodeTotal := us["auth"] + us["submit"]
	baseTotal := us["base-auth"] + us["base-insert"]
	b.ReportMetric(nodeTotal*1e3, "ns/op")
	b.ReportMetric(nodeTotal, "node-µs")
	b.ReportMetric(baseTotal, "base-µs")
	b.ReportMetric(baseTotal/nodeTotal, "ratio")
}
