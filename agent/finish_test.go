package agent_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestFinalAnswerRecordedWithOutcome: the model's final answer is recorded
// in the transaction of the turn's outcome (one commit fewer). When that
// transaction fails (here the finish hook, failing failures times), the
// answer is recorded on its own and the outcome after it, as if the two
// had never been one transaction: with the hook failing once the turn
// completes; failing always, Run returns the error with the answer and
// its charge recorded, no hold left, and the turn still running (its job
// runs it again). In every case each call has one ledger row and the
// turn's cost is their sum, and RolledBack is told of every hook run
// that was rolled back.
func TestFinalAnswerRecordedWithOutcome(t *testing.T) {
	for _, c := range []struct {
		name     string
		failures int
		status   conversation.Status
		runErr   bool
	}{
		{"together", 0, conversation.Completed, false},
		{"hook fails once", 1, conversation.Completed, false},
		{"hook fails always", 1 << 30, conversation.Running, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				convID, key := budgetTurn(t, db, 10*money.Dollar)
				p := &billedProvider{usage: func(agent.Request) agent.Usage { return agent.Usage{InputTokens: 100, OutputTokens: 10} }}
				failures, hooked, rolledBack := c.failures, 0, 0
				r := paidRunner(t, db, p, time.Minute)
				r.RolledBack = func(id string) {
					if id == convID {
						rolledBack++
					}
				}
				r.OnFinish = func(ctx context.Context, tx store.Tx, f agent.Finished) error {
					turn := f.Turn
					hooked++
					if failures > 0 {
						failures--
						return errors.New("hook failed")
					}
					if turn.Status != conversation.Completed || turn.Cost != 2*testPrice.Cost(agent.Usage{InputTokens: 100, OutputTokens: 10}) {
						return errors.New("the hook saw the turn without its final answer's cost")
					}
					return nil
				}
				err := r.Run(ctx, convID, 1)
				if (err != nil) != c.runErr {
					t.Fatalf("Run: %v", err)
				}
				cv, lerr := conversation.Load(ctx, db, convID)
				if lerr != nil {
					t.Fatal(lerr)
				}
				steps, serr := conversation.Steps(ctx, db, convID)
				if serr != nil {
					t.Fatal(serr)
				}
				var ledger, holds int
				var spent int64
				if err := db.QueryRow(ctx, `SELECT count(*), CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE key_id = ? AND unconfirmed = 0`, key.ID).Scan(&ledger, &spent); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRow(ctx, `SELECT count(*) FROM budget_holds WHERE key_id = ?`, key.ID).Scan(&holds); err != nil {
					t.Fatal(err)
				}
				turn := cv.Turns[0]
				if turn.Status != c.status || len(steps) != 3 || steps[2].Kind != conversation.StepModel || ledger != 2 || holds != 0 || int64(turn.Cost) != spent || len(p.requests()) != 2 {
					t.Fatalf("turn %s (%s), %d steps, %d ledger rows (%d µ$, turn %s), %d holds, %d calls, hook run %d times",
						turn.Status, turn.Error, len(steps), ledger, spent, turn.Cost, holds, len(p.requests()), hooked)
				}
				if c.status == conversation.Completed && turn.Reply != "done" {
					t.Fatalf("reply %q", turn.Reply)
				}
				// Each hook run whose transaction rolled back is reported,
				// and only those: a committed one is Done's.
				if failed := min(hooked, c.failures); rolledBack != failed {
					t.Fatalf("RolledBack told %d times, want %d (hook run %d times)", rolledBack, failed, hooked)
				}
			})
		})
	}
}

// clockedProvider is billedProvider on a test clock that moves only
// inside its calls, by step per call.
type clockedProvider struct {
	*billedProvider
	clock *atomic.Int64
	step  time.Duration
}

func (p clockedProvider) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	p.clock.Add(int64(p.step))
	return p.billedProvider.Generate(ctx, req)
}

// TestFinishedModelTime: the finish hook gets the wall time of the run's
// model calls on the runner's clock (two calls of 700 ms each) and whether
// this run started the turn; a turn an earlier run started (left running
// by a stop or a crash) is not its first run.
func TestFinishedModelTime(t *testing.T) {
	for _, resumed := range []bool{false, true} {
		t.Run(map[bool]string{false: "first run", true: "resumed"}[resumed], func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				convID, _ := budgetTurn(t, db, budget.None)
				var clock atomic.Int64
				clock.Store(time.Now().Truncate(time.Second).UnixNano())
				p := clockedProvider{&billedProvider{usage: func(agent.Request) agent.Usage { return agent.Usage{InputTokens: 1, OutputTokens: 1} }}, &clock, 700 * time.Millisecond}
				r := paidRunner(t, db, p, time.Minute)
				r.Now = func() time.Time { return time.Unix(0, clock.Load()) }
				if resumed {
					err := db.InTx(ctx, func(tx store.Tx) error {
						_, err := conversation.Start(ctx, tx, convID, 1, r.Now().Add(-time.Minute))
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				var got []agent.Finished
				r.OnFinish = func(_ context.Context, _ store.Tx, f agent.Finished) error { got = append(got, f); return nil }
				if err := r.Run(ctx, convID, 1); err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].Turn.Status != conversation.Completed || got[0].ModelTime != 1400*time.Millisecond || got[0].FirstRun == resumed {
					t.Fatalf("finished %+v, want one completed turn with 1.4 s of model time, first run %v", got, !resumed)
				}
			})
		})
	}
}
