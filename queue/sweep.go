package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/store"
)

// sweepBatch bounds the leases one sweep hands over.
const sweepBatch = 100

// sweepLoop sweeps expired leases every interval until ctx ends.
func (q *Queue) sweepLoop(ctx context.Context, every time.Duration) {
	defer close(q.swept)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := q.Sweep(ctx); err != nil && ctx.Err() == nil {
			q.log.Error("queue: sweep expired turn leases", "err", err)
		}
	}
}

// Sweep hands to River every turn whose local-lane lease has run out while
// it is still queued or running (its process died or was stopped before
// the turn ended), and forgets the expired leases of turns that stopped.
// It returns how many turns it handed over. Every process that works
// turns sweeps (Config.SweepInterval); handOver's conditional UPDATE makes
// sure one of them takes each turn.
func (q *Queue) Sweep(ctx context.Context) (int, error) {
	now := store.Micros(time.Now())
	if _, err := q.db.Exec(ctx, `UPDATE turns SET lease_until = 0
		WHERE lease_until > 0 AND lease_until <= ? AND status NOT IN ('queued', 'running')`, now); err != nil {
		return 0, fmt.Errorf("queue: forget stopped turns' leases: %w", err)
	}
	type key struct {
		conv string
		turn int
		held int64
	}
	var expired []key
	err := func() error {
		rows, err := q.db.Query(ctx, `SELECT conversation_id, turn, lease_until FROM turns
			WHERE lease_until > 0 AND lease_until <= ? LIMIT ?`, now, sweepBatch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.conv, &k.turn, &k.held); err != nil {
				return err
			}
			expired = append(expired, k)
		}
		return rows.Err()
	}()
	if err != nil {
		return 0, fmt.Errorf("queue: find expired leases: %w", err)
	}
	handed := 0
	for _, k := range expired {
		took, err := q.handOver(ctx, k.conv, k.turn, k.held, time.Time{})
		if err != nil {
			return handed, err
		}
		if !took {
			continue
		}
		handed++
		q.log.Warn("queue: a turn's local run did not end (its process stopped); River resumes it", "conversation_id", k.conv, "turn", k.turn)
	}
	return handed, nil
}
