package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/soisnode/soisnode/store"
)

// River's job insert (InsertManyTx) reads the jobs back (RETURNING), so
// it costs a round trip of its own before the batch's COMMIT. A batch of
// accepts on PostgreSQL (conversation.Batcher in store.InDeferTx) writes
// its turns' jobs with the statement below instead, held back and sent in
// one pipeline with COMMIT. The rows are the ones River's insert writes
// for a TurnArgs without insert options: the job's kind and JSON args,
// the client's MaxAttempts, priority 1, the default queue, available now,
// no metadata, tags or uniqueness (river_job's defaults fill the rest:
// attempt 0, no errors). TestDeferredTurnJobs compares them column by
// column with River's own insert and has River work them.
const turnJobsInsert = `INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, scheduled_at, created_at, metadata, tags)
	SELECT a, ?, ?, 1, ?, 'available', now(), now(), '{}', '{}' FROM unnest(?::jsonb[]) AS a`

// insertNotify is River's insert NOTIFY (its PGNotifyMany with the
// client's schema unset): it wakes the producers of every process
// listening, so another process's idle workers fetch the jobs at once
// instead of at their next poll.
const insertNotify = `SELECT pg_notify(concat(current_schema(), '.', 'river_insert'), ?)`

// deferTurnJobs holds back, in tx, the insert of the jobs of the gathered
// TurnArgs items, and River's insert NOTIFY for the default queue at most
// once per FetchCooldown, as River's client limits its own.
func (q *Queue) deferTurnJobs(ctx context.Context, tx *store.DeferTx, items []any) error {
	args := make([]string, len(items))
	for i, it := range items {
		b, err := json.Marshal(it.(TurnArgs))
		if err != nil {
			return err
		}
		args[i] = string(b)
	}
	if err := tx.DeferExec(ctx, turnJobsInsert, TurnArgs{}.Kind(), q.maxAttempts, river.QueueDefault, args); err != nil {
		return err
	}
	now := time.Now().UnixNano()
	last := q.notified.Load()
	if now-last < int64(q.notifyEvery) || !q.notified.CompareAndSwap(last, now) {
		return nil
	}
	if err := tx.DeferExec(ctx, insertNotify, fmt.Sprintf(`{"queue": %q}`, river.QueueDefault)); err != nil {
		return err
	}
	return nil
}
