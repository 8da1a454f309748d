package negotiation

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/soisnode/soisnode/store"
)

// SweepEvery is how often a node looks for exchanges past their deadline
// by default: an exchange ends as expired at most this long after its
// deadline_at.
const SweepEvery = time.Second

// ExpireDue ends as expired every open exchange, of any workspace, whose
// deadline has passed, and returns how many it ended. The deadline is a
// column of the exchange's own row (written with it), so no job has to be
// queued per exchange and nothing is lost across a crash: any process's
// next sweep finds it. Two processes sweeping at once are harmless: the
// end of an exchange is conditional on its being open, so one of them ends
// it and the other sees it ended.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	rows, err := s.DB.Query(ctx, `SELECT workspace_id, id FROM negotiations
		WHERE status = ? AND deadline_at > 0 AND deadline_at <= ? ORDER BY deadline_at LIMIT 100`,
		string(StatusOpen), store.Micros(s.now()))
	if err != nil {
		return 0, fmt.Errorf("negotiation: find expired exchanges: %w", err)
	}
	type due struct{ ws, id string }
	var all []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.ws, &d.id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("negotiation: find expired exchanges: %w", err)
		}
		all = append(all, d)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return 0, fmt.Errorf("negotiation: find expired exchanges: %w", err)
	}
	ended := 0
	for _, d := range all {
		if err := s.Expire(ctx, d.ws, d.id); err != nil {
			return ended, fmt.Errorf("negotiation: expire %s: %w", d.id, err)
		}
		ended++
	}
	return ended, nil
}

// DeadlineSweeper ends exchanges past their deadline (Service.ExpireDue)
// and hands to River the answers whose local lease ran out
// (Service.SweepLeases), on a schedule. Every working process of a node
// may run one.
type DeadlineSweeper struct {
	Service *Service
	Every   time.Duration // SweepEvery when zero
	Log     *slog.Logger  // slog.Default when nil
	// Tick replaces the ticker (tests); nil means a time.Ticker of Every.
	Tick <-chan time.Time
	// Swept, when set, is called after each sweep with how many exchanges
	// it ended (tests wait on it).
	Swept func(n int, err error)
}

// Run sweeps once at start, then on every tick, until ctx ends.
func (d *DeadlineSweeper) Run(ctx context.Context) {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	repeat(ctx, d.Tick, d.Every, SweepEvery, func() {
		n, err := d.Service.ExpireDue(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("ending negotiations past their deadline failed", "err", err)
		}
		if d.Service.Jobs != nil {
			if _, lerr := d.Service.SweepLeases(ctx); lerr != nil && ctx.Err() == nil {
				log.Warn("handing over answers whose lease ran out failed", "err", lerr)
			}
		}
		if d.Swept != nil {
			d.Swept(n, err)
		}
	})
}
