package agent_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// A paid turn reads its key's row once: the turn loads the key with its
// limits, and every model call's reservation and settlement works from
// those limits (docs/architecture.md, "where money is decided"). The turn
// here makes two model calls (a tool call, then the reply), each reserved
// and settled against a daily budget.
func TestPaidTurnReadsTheKeyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		convID, key := budgetTurn(t, db, 10*money.Dollar)
		p := &billedProvider{usage: func(agent.Request) agent.Usage { return agent.Usage{InputTokens: 100, OutputTokens: 10} }}
		r := paidRunner(t, db, p, time.Minute)

		var mu sync.Mutex
		var reads, statements []string
		db.Observe(func(q string) {
			mu.Lock()
			defer mu.Unlock()
			statements = append(statements, q)
			if strings.Contains(q, "api_keys") {
				reads = append(reads, q)
			}
		})
		err := r.Run(ctx, convID, 1)
		db.Observe(nil)
		if err != nil {
			t.Fatal(err)
		}

		cv, err := conversation.Load(ctx, db, convID)
		if err != nil {
			t.Fatal(err)
		}
		var ledger int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM ledger WHERE key_id = ?`, key.ID).Scan(&ledger); err != nil {
			t.Fatal(err)
		}
		// The turn must really have been paid for, call by call, or the
		// count below proves nothing.
		if cv.Turns[0].Status != conversation.Completed || len(p.requests()) != 2 || ledger != 2 {
			t.Fatalf("turn %s (%s), %d calls, %d ledger rows; want a completed turn of two paid calls", cv.Turns[0].Status, cv.Turns[0].Error, len(p.requests()), ledger)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(statements) == 0 {
			t.Fatal("no statement observed: the observer does not see the turn's queries")
		}
		if len(reads) != 1 {
			t.Fatalf("the turn read api_keys %d times, want once:\n%s", len(reads), strings.Join(reads, "\n"))
		}
	})
}
