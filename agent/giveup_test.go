package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/workspace"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestGiveUpFailsTheTurnClearly: a turn whose job ran out of attempts
// ends failed, with a plain error, and wakes waiters.
func TestGiveUpFailsTheTurnClearly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		var convID string
		err := db.InTx(ctx, func(tx store.Tx) error {
			ws, _ := access.CreateWorkspace(ctx, tx, "W", now)
			m, _ := access.AddMember(ctx, tx, ws.ID, "M", "m@example.com", workspace.Owner, now)
			k, _, err := access.CreateKey(ctx, tx, ws.ID, access.KeyParams{BudgetDaily: -1, BudgetMonthly: -1, BudgetTotal: -1}, nil, now)
			if err != nil {
				return err
			}
			s, err := conversation.Submit(ctx, tx, conversation.SubmitParams{WorkspaceID: ws.ID, KeyID: k.ID, MemberID: m.ID, Message: "hi", Now: now},
				func(context.Context, store.Tx, string, int) error { return nil })
			convID = s.ConversationID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		woken := ""
		r := &agent.Runner{DB: db, Done: func(id string) { woken = id }}
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
