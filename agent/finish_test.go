package agent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
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
