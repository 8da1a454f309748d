package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestBatcherStatementFailsInBatch: an accept whose statement fails in the
// database (a primary-key violation, which on PostgreSQL aborts the whole
// transaction until its savepoint is rolled back) fails alone, wherever it
// sits in the batch — in the middle, or last, when its rollback is still
// held back at the end of the batch (store.DeferTx) — and the others of
// its batch commit, their gathered writes included.
func TestBatcherStatementFailsInBatch(t *testing.T) {
	for _, bad := range []int{1, 3} { // the middle, the last of four
		t.Run(fmt.Sprint("failing=", bad), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				r := newBatchRig(t, db)
				ctx := context.Background()
				key := new(int)
				var mu sync.Mutex
				var flushed []any
				flush := func(ctx context.Context, tx store.Tx, items []any) error {
					mu.Lock()
					flushed = append(flushed, items...)
					mu.Unlock()
					for _, it := range items {
						if _, err := tx.Exec(ctx, `UPDATE turns SET message = message || '+' WHERE message = ?`, it); err != nil {
							return err
						}
					}
					return nil
				}
				release := r.hold()
				const n = 4
				subs := make([]conversation.Submitted, n)
				wait := r.send(n, func(i int, tx store.Tx) error {
					msg := fmt.Sprint("s", i)
					sub, err := submitTx(ctx, tx, msg, "", nil)
					if err != nil {
						return err
					}
					subs[i] = sub
					if g, ok := tx.(conversation.Gatherer); ok {
						g.Gather(key, msg, flush)
					}
					if i == bad {
						// The same turn again: the database refuses it.
						_, err := tx.Exec(ctx, `INSERT INTO turns (conversation_id, turn, message, status, created_at) VALUES (?, 1, 'dup', 'queued', 1)`, sub.ConversationID)
						if err == nil {
							return errors.New("a duplicate turn was taken")
						}
						return errs.E(errs.Conflict, "refused by the database: %v", err)
					}
					return nil
				})
				if err := release(); err != nil {
					t.Fatal(err)
				}
				for i, err := range wait() {
					if i == bad {
						if !errs.Is(err, errs.Conflict) {
							t.Fatalf("accept %d: %v, want its own conflict", i, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("accept %d: %v", i, err)
					}
				}
				if got := r.batchSizes(); !slices.Equal(got, []int{1, n}) {
					t.Fatalf("batch sizes %v, want [1 %d]", got, n)
				}
				for i := range n {
					want := 1
					if i == bad {
						want = 0
					}
					if c := countRows(t, db, `SELECT count(*) FROM conversations WHERE id = ?`, subs[i].ConversationID); c != want {
						t.Fatalf("accept %d: %d conversations, want %d", i, c, want)
					}
					if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = ?`, fmt.Sprint("s", i, "+")); c != want {
						t.Fatalf("accept %d: %d turns with the gathered write, want %d", i, c, want)
					}
				}
				if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = 'dup'`); c != 0 {
					t.Fatal("the refused turn was committed")
				}
				mu.Lock()
				defer mu.Unlock()
				if len(flushed) != n-1 || slices.Contains(flushed, any(fmt.Sprint("s", bad))) {
					t.Fatalf("flushed %v: the failed accept's item must be dropped", flushed)
				}
				// One transaction for the batch: nothing ran again alone.
				if batches, accepts := r.b.Stats(); batches != 2 || accepts != n {
					t.Fatalf("stats: %d batches, %d accepts; want 2, %d", batches, accepts, n)
				}
			})
		})
	}
}

// TestBatcherConcurrentReplays: many callers send the same
// Idempotency-Key at once through the default batcher (group commit on
// both databases), in one batch and across batches: exactly one turn is
// made, one caller gets it fresh and every other one the same answer as a
// replay; a caller with the same key and another body is refused and
// changes nothing; the other accepts of the batches commit.
func TestBatcherConcurrentReplays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		ctx := context.Background()
		b := conversation.NewBatcher(db, 0)
		const n = 24
		type result struct {
			sub conversation.Submitted
			err error
		}
		out := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := b.InTx(ctx, func(tx store.Tx) error {
					var err error
					switch {
					case i%3 == 2: // an unrelated accept beside the replays
						out[i].sub, err = submitTx(ctx, tx, fmt.Sprint("other", i), "", nil)
					case i == 1: // the same key, another body
						out[i].sub, err = conversation.Submit(ctx, tx, conversation.SubmitParams{
							WorkspaceID: "w1", KeyID: "k1", MemberID: "m1", Message: "different", Now: time.Now(),
							IdempotencyKey: "same-key", RequestHash: "another-hash",
						}, func(context.Context, store.Tx, string, int) error { return nil })
					default:
						out[i].sub, err = submitTx(ctx, tx, "once", "same-key", nil)
					}
					return err
				})
				out[i].err = err
			}()
		}
		close(start)
		wg.Wait()
		fresh, replays := 0, 0
		var conv string
		for i, o := range out {
			switch {
			case i%3 == 2:
				if o.err != nil {
					t.Fatalf("unrelated accept %d: %v", i, o.err)
				}
				continue
			case i == 1:
				// Refused if it came after the first; the first if it came first.
				if o.err != nil {
					if !errs.Is(o.err, errs.Unprocessable) {
						t.Fatalf("other body: %v, want unprocessable", o.err)
					}
					continue
				}
			case o.err != nil:
				// A replay of the other body, if that one came first.
				if !errs.Is(o.err, errs.Unprocessable) {
					t.Fatalf("accept %d: %v", i, o.err)
				}
				continue
			}
			if conv == "" {
				conv = o.sub.ConversationID
			}
			if o.sub.ConversationID != conv || o.sub.Turn != 1 {
				t.Fatalf("accept %d: %+v, want conversation %s turn 1", i, o.sub, conv)
			}
			if o.sub.Replayed {
				replays++
			} else {
				fresh++
			}
		}
		if fresh != 1 {
			t.Fatalf("%d fresh answers for one Idempotency-Key, want 1 (%d replays)", fresh, replays)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message IN ('once', 'different')`); c != 1 {
			t.Fatalf("%d turns for one Idempotency-Key", c)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message LIKE 'other%'`); c != n/3 {
			t.Fatalf("%d unrelated turns, want %d", c, n/3)
		}
		if c := countRows(t, db, `SELECT count(*) FROM idempotency_keys WHERE idem_key = 'same-key' AND turn = 1 AND conversation_id = ?`, conv); c != 1 {
			t.Fatalf("the idempotency record does not name the turn")
		}
	})
}

// TestBatcherLockConflictRunsAgainAlone: an accept that PostgreSQL gives
// up for other transactions' locks (a deadlock between two processes'
// batches) is not failed to its caller: what it wrote is rolled back with
// its savepoint, the rest of its batch commits, and it runs again in a
// transaction of its own, where it succeeds.
func TestBatcherLockConflictRunsAgainAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newBatchRig(t, db)
		ctx := context.Background()
		release := r.hold()
		const n, bad = 3, 1
		var mu sync.Mutex
		var runs []bool // for the conflicted accept: ran inside a batch?
		subs := make([]conversation.Submitted, n)
		wait := r.send(n, func(i int, tx store.Tx) error {
			sub, err := submitTx(ctx, tx, fmt.Sprint("c", i), "", nil)
			if err != nil {
				return err
			}
			subs[i] = sub
			if i != bad {
				return nil
			}
			_, inBatch := tx.(conversation.Gatherer)
			mu.Lock()
			runs = append(runs, inBatch)
			mu.Unlock()
			if inBatch {
				return fmt.Errorf("continue the conversation: %w", &pgconn.PgError{Code: "40P01", Message: "deadlock detected"})
			}
			return nil
		})
		if err := release(); err != nil {
			t.Fatal(err)
		}
		for i, err := range wait() {
			if err != nil {
				t.Fatalf("accept %d: %v", i, err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(runs, []bool{true, false}) {
			t.Fatalf("conflicted accept ran %v (in a batch?), want once in the batch, then alone", runs)
		}
		if c := countRows(t, db, `SELECT count(*) FROM turns WHERE message = ?`, fmt.Sprint("c", bad)); c != 1 {
			t.Fatalf("%d turns for the conflicted accept, want 1 (the batch's attempt rolled back)", c)
		}
		for i := range n {
			if c := countRows(t, db, `SELECT count(*) FROM conversations WHERE id = ?`, subs[i].ConversationID); c != 1 {
				t.Fatalf("accept %d: %d conversations, want 1", i, c)
			}
		}
	})
}
