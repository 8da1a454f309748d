package queue_test

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// gathering is a transaction that gathers like a batch's
// (conversation.Batcher): EnqueueTurn hands it the job to write later.
type gathering struct {
	*store.DeferTx
	items []any
	flush func(ctx context.Context, tx store.Tx, items []any) error
}

func (g *gathering) Gather(_ any, item any, flush func(ctx context.Context, tx store.Tx, items []any) error) {
	g.items, g.flush = append(g.items, item), flush
}

// TestDeferredTurnJobs: a batch's turn jobs written in a transaction of
// store.InDeferTx (on PostgreSQL held back to go with COMMIT, by the
// queue's own statement) are the rows River's insert writes, column by
// column but the args, and River works them; on PostgreSQL its insert
// NOTIFY wakes the producer (the poll is an hour).
func TestDeferredTurnJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pg := db.Dialect() == store.Postgres
		if err := queue.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		conversation(t, db)
		poll := time.Hour
		if !pg {
			poll = 50 * time.Millisecond // SQLite has no NOTIFY
		}
		r := newRuns()
		q, err := queue.New(db, queue.Config{Workers: 4, LocalWaiting: -1, PollInterval: poll, FetchCooldown: time.Millisecond}, r.run)
		if err != nil {
			t.Fatal(err)
		}
		// Turn 1 by River's own insert (a transaction of InTx), 2 and 3
		// gathered in a transaction of InDeferTx (a batch's).
		if err := db.InTx(ctx, func(tx store.Tx) error {
			g := &gathering{DeferTx: store.Deferring(tx)}
			if err := q.EnqueueTurn(ctx, g, "conv", 1); err != nil {
				return err
			}
			return g.flush(ctx, g.DeferTx, g.items)
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error {
			g := &gathering{DeferTx: tx}
			for turn := 2; turn <= 3; turn++ {
				if err := q.EnqueueTurn(ctx, g, "conv", turn); err != nil {
					return err
				}
			}
			if err := g.flush(ctx, tx, g.items); err != nil {
				return err
			}
			if pg && tx.Held() == 0 {
				t.Fatal("the jobs' insert was not held back for COMMIT")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Turn 4 alone (no batch gathering it) in a transaction of
		// InDeferTx: held back for COMMIT too.
		if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error {
			if err := q.EnqueueTurn(ctx, tx, "conv", 4); err != nil {
				return err
			}
			if pg && tx.Held() == 0 {
				t.Fatal("the lone job's insert was not held back for COMMIT")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		type job struct{ kind, maxAttempts, priority, queue, state, metadata, tags, attempt, errors, unique, args string }
		argsText := "CAST(args AS TEXT)"
		if !pg {
			argsText = "json(args)" // River's SQLite args are JSONB
		}
		rows, err := db.Query(ctx, `SELECT kind, CAST(max_attempts AS TEXT), CAST(priority AS TEXT), queue, CAST(state AS TEXT),
			CAST(metadata AS TEXT), CAST(tags AS TEXT), CAST(attempt AS TEXT), CAST(coalesce(errors, NULL) IS NULL AS TEXT),
			CAST(unique_key IS NULL AND unique_states IS NULL AS TEXT), `+argsText+` FROM river_job ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var jobs []job
		for rows.Next() {
			var j job
			if err := rows.Scan(&j.kind, &j.maxAttempts, &j.priority, &j.queue, &j.state, &j.metadata, &j.tags, &j.attempt, &j.errors, &j.unique, &j.args); err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, j)
		}
		rows.Close()
		if len(jobs) != 4 {
			t.Fatalf("%d jobs, want 4", len(jobs))
		}
		for i, j := range jobs {
			var a queue.TurnArgs
			if err := json.Unmarshal([]byte(j.args), &a); err != nil || a != (queue.TurnArgs{ConversationID: "conv", Turn: i + 1}) {
				t.Fatalf("job %d args %s (%v), want turn %d of conv", i, j.args, err, i+1)
			}
			river := jobs[0]
			j.args, river.args = "", ""
			if j != river {
				t.Fatalf("job of turn %d:\n%+v\nRiver's insert wrote\n%+v", i+1, j, river)
			}
		}
		startQueue(t, q)
		ranAll := func(want ...int) {
			t.Helper()
			var ran []int
			for range want {
				select {
				case turn := <-r.called:
					ran = append(ran, turn)
				case <-time.After(20 * time.Second):
					t.Fatalf("River ran turns %v, want %v", ran, want)
				}
			}
			sort.Ints(ran)
			for i := range want {
				if ran[i] != want[i] {
					t.Fatalf("River ran turns %v, want %v", ran, want)
				}
			}
		}
		ranAll(1, 2, 3, 4) // River's first fetch at its start
		// Inserted while the producer sleeps until its next poll (an hour
		// on PostgreSQL): the NOTIFY sent with COMMIT wakes it.
		if err := db.InDeferTx(ctx, func(tx *store.DeferTx) error {
			g := &gathering{DeferTx: tx}
			for turn := 5; turn <= 6; turn++ {
				if err := q.EnqueueTurn(ctx, g, "conv", turn); err != nil {
					return err
				}
			}
			return g.flush(ctx, tx, g.items)
		}); err != nil {
			t.Fatal(err)
		}
		ranAll(5, 6)
	})
}
