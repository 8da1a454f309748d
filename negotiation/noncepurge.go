package negotiation

import (
	"context"
	"log/slog"
	"time"
)

// PurgeEvery is how often a node deletes expired nonces by default: as
// often as the longest envelope lifetime, so the table holds at most about
// two lifetimes' worth of envelopes.
const PurgeEvery = DefaultLifetime

// NoncePurger deletes expired nonces (SQLNonces.Purge) on a schedule, so
// that negotiation_nonces does not grow with every envelope ever accepted.
// A live nonce is never purged: replay protection holds while the
// envelope could still be accepted. Several processes of one node may each
// run one; a purge is one idempotent DELETE.
type NoncePurger struct {
	Nonces *SQLNonces
	Every  time.Duration // PurgeEvery when zero
	Log    *slog.Logger  // slog.Default when nil
	// Tick replaces the ticker (tests); nil means a time.Ticker of Every.
	Tick <-chan time.Time
	// Purged, when set, is called after each purge with how many nonces
	// went (tests wait on it).
	Purged func(n int64, err error)
}

// Run purges once at start, then on every tick, until ctx ends.
func (p *NoncePurger) Run(ctx context.Context) {
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	repeat(ctx, p.Tick, p.Every, PurgeEvery, func() {
		n, err := p.Nonces.Purge(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purging expired negotiation nonces failed", "err", err)
		case n > 0:
			log.Debug("purged expired negotiation nonces", "count", n)
		}
		if p.Purged != nil {
			p.Purged(n, err)
		}
	})
}

// repeat runs once at start, then on every tick — of tick, or of a ticker
// of every (def when zero) — until ctx ends: the schedule of the node's
// federation sweeps.
func repeat(ctx context.Context, tick <-chan time.Time, every, def time.Duration, once func()) {
	if tick == nil {
		if every <= 0 {
			every = def
		}
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		once()
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}
