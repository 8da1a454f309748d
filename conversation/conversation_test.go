package conversation_test

import (
	"context"
	"testing"
	"time"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func seed(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO workspaces (id, name, created_at) VALUES ('w1', 'W', 1), ('w2', 'W2', 1)`,
		`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES ('m1', 'w1', 'M', 'm@x.io', 'owner', 1)`,
		`INSERT INTO api_keys (id, workspace_id, hash, created_at) VALUES ('k1', 'w1', 'h1', 1)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSubmitLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		now := time.Now()
		var queued []int
		enqueue := func(_ context.Context, _ store.Tx, _ string, turn int) error {
			queued = append(queued, turn)
			return nil
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
		base := conversation.SubmitParams{WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: "hi", Now: now, IdempotencyKey: "i1", RequestHash: "h"}
		s1, err := submit(base)
		if err != nil || s1.Turn != 1 {
			t.Fatalf("submit: %+v %v", s1, err)
		}
		s2, err := submit(base)
		if err != nil || !s2.Replayed || s2.ConversationID != s1.ConversationID || len(queued) != 1 {
			t.Fatalf("idempotent replay: %+v %v queued=%v", s2, err, queued)
		}
		other := base
		other.RequestHash = "different"
		if _, err := submit(other); !errs.Is(err, errs.Unprocessable) {
			t.Fatalf("same key, other body: %v", err)
		}
		// Past the window the key may be reused.
		later := base
		later.Now = now.Add(25 * time.Hour)
		later.RequestHash = "different"
		if s, err := submit(later); err != nil || s.Replayed {
			t.Fatalf("expired idempotency key: %+v %v", s, err)
		}
		cont := conversation.SubmitParams{WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: "more", Now: now, ConversationID: s1.ConversationID}
		if _, err := submit(cont); !errs.Is(err, errs.Conflict) {
			t.Fatalf("message while queued: %v", err)
		}
		// Finish turn 1, then continuing works and makes turn 2.
		err = db.InTx(ctx, func(tx store.Tx) error {
			ok, err := conversation.Start(ctx, tx, s1.ConversationID, 1, now)
			if !ok || err != nil {
				t.Fatalf("start: %v %v", ok, err)
			}
			ok, err = conversation.Finish(ctx, tx, s1.ConversationID, 1, conversation.Outcome{Status: conversation.Completed, Reply: "done", Now: now})
			if !ok || err != nil {
				t.Fatalf("finish: %v %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if s, err := submit(cont); err != nil || s.Turn != 2 {
			t.Fatalf("continue: %+v %v", s, err)
		}
		// A finished turn cannot be started or finished again.
		_ = db.InTx(ctx, func(tx store.Tx) error {
			if ok, _ := conversation.Start(ctx, tx, s1.ConversationID, 1, now); ok {
				t.Fatal("a finished turn started again")
			}
			return nil
		})
		// Another workspace sees nothing.
		if _, err := conversation.Get(ctx, db, "w2", s1.ConversationID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("other workspace: %v", err)
		}
		wrongWS := cont
		wrongWS.WorkspaceID = "w2"
		if _, err := submit(wrongWS); !errs.Is(err, errs.NotFound) {
			t.Fatalf("continue from another workspace: %v", err)
		}
		c, err := conversation.Get(ctx, db, "w1", s1.ConversationID)
		if err != nil || len(c.Turns) != 2 || c.Turns[0].Reply != "done" || c.Status != conversation.Queued {
			t.Fatalf("get: %+v %v", c, err)
		}
		// Cancel the queued turn 2, then nothing is left to cancel.
		if err := db.InTx(ctx, func(tx store.Tx) error { return conversation.Cancel(ctx, tx, "w1", s1.ConversationID, now) }); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx store.Tx) error { return conversation.Cancel(ctx, tx, "w1", s1.ConversationID, now) }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second cancel: %v", err)
		}
		page, err := conversation.List(ctx, db, conversation.ListParams{WorkspaceID: "w1", KeyID: "k1", Limit: 1})
		if err != nil || len(page.Conversations) != 1 || page.NextCursor == "" {
			t.Fatalf("list page 1: %+v %v", page, err)
		}
		page2, err := conversation.List(ctx, db, conversation.ListParams{WorkspaceID: "w1", KeyID: "k1", Limit: 1, Cursor: page.NextCursor})
		if err != nil || len(page2.Conversations) != 1 || page2.Conversations[0].ID == page.Conversations[0].ID {
			t.Fatalf("list page 2: %+v %v", page2, err)
		}
		if _, err := conversation.List(ctx, db, conversation.ListParams{WorkspaceID: "w1", KeyID: "k1", Cursor: "garbage!"}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

// A conversation runs as the member and key that started it (the runner
// loads both from the conversation). Continuing it with other credentials
// of the same workspace — a viewer's token, a key narrowed by scopes —
// would make the agent act with the starter's permissions and budget, so
// it is refused and changes nothing.
func TestContinueNeedsTheSameCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		for _, q := range []string{
			`INSERT INTO members (id, workspace_id, name, email, role, created_at) VALUES ('m2', 'w1', 'V', 'v@x.io', 'viewer', 1)`,
			`INSERT INTO api_keys (id, workspace_id, hash, created_at) VALUES ('k2', 'w1', 'h2', 1)`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		queued := 0
		enqueue := func(context.Context, store.Tx, string, int) error { queued++; return nil }
		submit := func(p conversation.SubmitParams) (conversation.Submitted, error) {
			var s conversation.Submitted
			err := db.InTx(ctx, func(tx store.Tx) error {
				var err error
				s, err = conversation.Submit(ctx, tx, p, enqueue)
				return err
			})
			return s, err
		}
		s1, err := submit(conversation.SubmitParams{WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: "hi", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx store.Tx) error {
			if _, err := conversation.Start(ctx, tx, s1.ConversationID, 1, now); err != nil {
				return err
			}
			_, err := conversation.Finish(ctx, tx, s1.ConversationID, 1, conversation.Outcome{Status: conversation.InputRequired, Reply: "which one?", Now: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []struct {
			name, key, member string
			want              errs.Kind
		}{
			{"other key", "k2", "m1", errs.NotFound}, // another key's conversation is not found, as in GET
			{"other member", "k1", "m2", errs.Forbidden},
			{"both other", "k2", "m2", errs.NotFound},
		} {
			_, err := submit(conversation.SubmitParams{WorkspaceID: "w1", KeyID: who.key, MemberID: who.member, Message: "delete everything",
				Now: now, ConversationID: s1.ConversationID, IdempotencyKey: "idem-" + who.name, RequestHash: "h"})
			if !errs.Is(err, who.want) {
				t.Fatalf("%s continued the conversation: %v", who.name, err)
			}
		}
		c, err := conversation.Get(ctx, db, "w1", s1.ConversationID)
		if err != nil || len(c.Turns) != 1 || c.Status != conversation.InputRequired || queued != 1 {
			t.Fatalf("a refused continuation changed the conversation: %+v %v queued=%d", c, err, queued)
		}
		if s, err := submit(conversation.SubmitParams{WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: "the first", Now: now, ConversationID: s1.ConversationID}); err != nil || s.Turn != 2 {
			t.Fatalf("the starter's own continuation: %+v %v", s, err)
		}
	})
}
