package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestGiveUpFailsTheTurnClearly: a turn whose job ran out of attempts
// ends failed, with a plain error, and wakes waiters.
func TestGiveUpFailsTheTurnClearly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		convID, _ := budgetTurn(t, db, budget.None)
		woken := ""
		r := &agent.Runner{DB: db, Done: func(id string, _ *conversation.Conversation) { woken = id }}
		r.GiveUp(ctx, convID, 1, errors.New("database unavailable"))
		c, err := conversation.Load(ctx, db, convID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != conversation.Failed || !strings.Contains(c.Error, "could not be completed") || strings.Contains(c.Error, "database unavailable") || woken != convID {
			t.Fatalf("after GiveUp: status %s error %q woken %q", c.Status, c.Error, woken)
		}
	})
}
