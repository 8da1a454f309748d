package conversation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestSubmitWith: SubmitParams.With's statement is written with the new
// turn (a new conversation's, in its statement on PostgreSQL; a continued
// one's), naming it; a Check that refuses fails Submit before the turn is
// queued, and nothing of the accept stays.
func TestSubmitWith(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		now := time.Now()
		var queued []int
		enqueue := func(_ context.Context, _ store.Tx, _ string, turn int) error {
			queued = append(queued, turn)
			return nil
		}
		refused := errors.New("refused")
		// The hook's row: a mark per name, refused when the name is taken.
		with := func(name string) func(string, int) conversation.Stmt {
			return func(convID string, turn int) conversation.Stmt {
				return conversation.Stmt{
					Query: `INSERT INTO idempotency_keys (key_id, idem_key, request_hash, conversation_id, turn, created_at)
						VALUES (?, ?, 'h', ?, ?, 1) ON CONFLICT DO NOTHING`,
					Args: []any{"with", name, convID, turn},
					Check: func(n int64) error {
						if n == 0 {
							return refused
						}
						return nil
					},
				}
			}
		}
		submit := func(p conversation.SubmitParams) (conversation.Submitted, error) {
			var s conversation.Submitted
			err := db.InTx(ctx, func(tx store.Tx) error {
				var err error
				s, err = conversation.Submit(ctx, tx, p, enqueue)
				return err
			})
			return s, err
		}
		mark := func(name string) (conv string, turn int) {
			t.Helper()
			if err := db.QueryRow(ctx, `SELECT conversation_id, turn FROM idempotency_keys WHERE key_id = 'with' AND idem_key = ?`, name).Scan(&conv, &turn); err != nil {
				t.Fatalf("mark %s: %v", name, err)
			}
			return conv, turn
		}
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		base := conversation.SubmitParams{WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: "hi", Now: now, With: with("a")}
		s1, err := submit(base)
		if err != nil || s1.Turn != 1 || len(queued) != 1 {
			t.Fatalf("submit with: %+v %v queued=%v", s1, err, queued)
		}
		if conv, turn := mark("a"); conv != s1.ConversationID || turn != 1 {
			t.Fatalf("mark a = %s/%d, want %s/1", conv, turn, s1.ConversationID)
		}

		// The same name again: refused, before queuing, and rolled back whole.
		if _, err := submit(base); !errors.Is(err, refused) {
			t.Fatalf("refused with: %v", err)
		}
		if len(queued) != 1 || count(`SELECT COUNT(*) FROM conversations`) != 1 || count(`SELECT COUNT(*) FROM turns`) != 1 {
			t.Fatalf("refused with left queued=%v conversations=%d turns=%d", queued,
				count(`SELECT COUNT(*) FROM conversations`), count(`SELECT COUNT(*) FROM turns`))
		}

		// A continued conversation: the hook names its second turn.
		err = db.InTx(ctx, func(tx store.Tx) error {
			if ok, err := conversation.Start(ctx, tx, s1.ConversationID, 1, now); !ok || err != nil {
				t.Fatalf("start: %v %v", ok, err)
			}
			_, err := conversation.Finish(ctx, tx, s1.ConversationID, 1, conversation.Outcome{Status: conversation.Completed, Reply: "done", Now: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cont := base
		cont.ConversationID, cont.With = s1.ConversationID, with("b")
		s2, err := submit(cont)
		if err != nil || s2.Turn != 2 {
			t.Fatalf("continue with: %+v %v", s2, err)
		}
		if conv, turn := mark("b"); conv != s1.ConversationID || turn != 2 {
			t.Fatalf("mark b = %s/%d, want %s/2", conv, turn, s1.ConversationID)
		}
	})
}
