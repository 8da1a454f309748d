package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Backlog limits (docs/operating.md): past one of them POST /api/agent
// answers 503 with Retry-After and takes nothing, /readyz says
// "overloaded", and /metrics exports the backlog.
const (
	// DefaultMaxBacklog is SOIS_MAX_BACKLOG's default: queued turns (not
	// yet started) in the node's database, all processes together.
	DefaultMaxBacklog = 1000
	// DefaultMaxQueuedPerKey is SOIS_MAX_QUEUED_PER_KEY's default: one
	// integration key's queued turns, so one key flooding the node cannot
	// fill the whole backlog and starve the others.
	DefaultMaxQueuedPerKey = 100
	// overloadRetryAfter is the Retry-After of a 503, in seconds.
	overloadRetryAfter = 5
)

// OverloadType is the problem type of a 503 for a full backlog.
const OverloadType = "https://soisnode.dev/problems/overloaded"

// backlog reads the queue's depth from the database: the queued turns
// (counted up to the limit, so the check costs a few index entries however
// deep the queue is), the oldest one's age, and one key's queued turns.
type backlog struct {
	db        *store.DB
	now       func() time.Time
	maxQueued int
	maxAge    time.Duration // 0: no age limit
	maxPerKey int
	refused   *prometheus.CounterVec

	// A recent reading far below the limits spares the accept path the
	// query (see admit); accepted counts this process's admitted turns.
	mu       sync.Mutex
	accepted int64
	recent   map[string]reading // by key id
}

// reading is a depth read at a moment, with the accept count then.
type reading struct {
	d        depth
	at       time.Time
	accepted int64 // b.accepted when read
	mine     int   // the key's turns admitted since
}

// readingTTL is how long a reading may stand in for a query.
const readingTTL = 100 * time.Millisecond

// depth is the backlog at one moment.
type depth struct {
	queued int           // queued turns, counted up to maxQueued+1
	oldest time.Duration // age of the oldest queued turn; 0 with none
	perKey int           // the key's queued turns, counted up to maxPerKey+1
}

func newBacklog(db *store.DB, now func() time.Time, cfg Config) *backlog {
	return &backlog{
		db: db, now: now, maxQueued: cfg.MaxBacklog, maxAge: cfg.MaxQueueAge, maxPerKey: cfg.MaxQueuedPerKey,
		recent: map[string]reading{},
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_queue_refused_total", Help: "Messages refused with 503 because the backlog was full, by reason (backlog, age, key).",
		}, []string{"reason"}),
	}
}

// read measures the backlog in one query; keyID "" skips the per-key count.
func (b *backlog) read(ctx context.Context, q store.Querier, keyID string) (depth, error) {
	var d depth
	var oldest int64
	// status = 'queued' is a literal so that the partial index turns_queued
	// (migration 0015) serves both the count and the minimum.
	err := q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM turns WHERE status = 'queued' LIMIT ?) q),
		(SELECT coalesce(min(created_at), 0) FROM turns WHERE status = 'queued'),
		(SELECT count(*) FROM (SELECT 1 FROM conversations WHERE key_id = ? AND status = 'queued' LIMIT ?) k)`,
		b.maxQueued+1, keyID, b.maxPerKey+1).Scan(&d.queued, &oldest, &d.perKey)
	if err != nil {
		return depth{}, fmt.Errorf("httpapi: read the backlog: %w", err)
	}
	if oldest > 0 {
		d.oldest = max(0, b.now().Sub(time.UnixMicro(oldest)))
	}
	return d, nil
}

// full says why the backlog takes no more turns ("" when it does). With
// forKey, the key's own cap counts too.
func (b *backlog) full(d depth, forKey bool) (reason, detail string) {
	switch {
	case d.queued >= b.maxQueued:
		return "backlog", fmt.Sprintf("the node is overloaded: %d turns are queued (the limit is %d); nothing was taken, retry later", d.queued, b.maxQueued)
	case b.maxAge > 0 && d.oldest >= b.maxAge:
		return "age", fmt.Sprintf("the node is overloaded: the oldest queued turn has waited %s (the limit is %s); nothing was taken, retry later", d.oldest.Round(time.Second), b.maxAge)
	case forKey && d.perKey >= b.maxPerKey:
		return "key", fmt.Sprintf("this integration key has %d turns queued (the limit per key is %d); nothing was taken, retry when some have started", d.perKey, b.maxPerKey)
	}
	return "", ""
}

// admit refuses a new turn of keyID, inside the accepting transaction
// (conversation.SubmitParams.Admit), when the backlog is full.
//
// Counting costs up to the limit's number of index entries, so a reading
// less than readingTTL old stands in for the query while it is far from
// every limit: its counts plus every turn this process admitted since
// stay under half of each limit (and the oldest turn under half the age
// limit). Turns that started since only make that estimate high; turns
// accepted by other processes sharing the database within readingTTL may
// pass unseen, so across processes the limits are approximate. Near a
// limit every message is counted exactly.
func (b *backlog) admit(keyID string) func(ctx context.Context, tx store.Tx) error {
	return func(ctx context.Context, tx store.Tx) error {
		if b.farBelow(keyID) {
			return nil
		}
		b.mu.Lock()
		accepted := b.accepted
		b.mu.Unlock()
		d, err := b.read(ctx, tx, keyID)
		if err != nil {
			return err
		}
		reason, detail := b.full(d, true)
		if reason == "" {
			b.remember(keyID, d, accepted)
			return nil
		}
		b.refused.WithLabelValues(reason).Inc()
		return overloaded(detail)
	}
}

// Admit is the backlog check of a new turn of keyID accepted through
// another door (A2A: conversation.SubmitParams.Admit there too); a full
// backlog is errs.Unavailable.
func (n *Server) Admit(keyID string) func(ctx context.Context, tx store.Tx) error {
	admit := n.backlog.admit(keyID)
	return func(ctx context.Context, tx store.Tx) error {
		err := admit(ctx, tx)
		if p, ok := err.(*Problem); ok {
			return errs.E(errs.Unavailable, "%s", p.Detail)
		}
		return err
	}
}

// farBelow reports whether a recent reading of keyID shows the backlog far
// below its limits, and if so counts the turn as admitted.
func (b *backlog) farBelow(keyID string) bool {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.recent[keyID]
	if !ok || now.Sub(r.at) >= readingTTL || now.Before(r.at) {
		return false
	}
	queued := int64(r.d.queued) + b.accepted - r.accepted
	if 2*queued >= int64(b.maxQueued) || 2*(r.d.perKey+r.mine) >= b.maxPerKey ||
		(b.maxAge > 0 && r.d.queued > 0 && 2*(r.d.oldest+now.Sub(r.at)) >= b.maxAge) {
		return false
	}
	b.accepted++
	r.mine++
	b.recent[keyID] = r
	return true
}

// remember keeps a reading taken for an admitted turn of keyID.
func (b *backlog) remember(keyID string, d depth, acceptedBefore int64) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.recent) >= 1024 { // bounded: forget readings past their use
		for k, r := range b.recent {
			if now.Sub(r.at) >= readingTTL {
				delete(b.recent, k)
			}
		}
	}
	b.accepted++
	if len(b.recent) < 1024 {
		b.recent[keyID] = reading{d: d, at: now, accepted: acceptedBefore, mine: 1}
	}
}

// overloaded is the 503 problem of a full backlog, with Retry-After.
func overloaded(detail string) *Problem {
	p := newProblem(http.StatusServiceUnavailable, detail)
	p.Type, p.Title = OverloadType, "Overloaded"
	p.headers = http.Header{"Retry-After": {strconv.Itoa(overloadRetryAfter)}}
	return p
}

// Describe implements prometheus.Collector.
func (b *backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- queuedDesc
	ch <- oldestDesc
	ch <- overloadedDesc
	b.refused.Describe(ch)
}

var (
	queuedDesc     = prometheus.NewDesc("sois_queue_queued_turns", "Turns accepted and not yet started, counted up to SOIS_MAX_BACKLOG+1.", nil, nil)
	oldestDesc     = prometheus.NewDesc("sois_queue_oldest_queued_seconds", "Age of the oldest queued turn (0 with none).", nil, nil)
	overloadedDesc = prometheus.NewDesc("sois_queue_overloaded", "1 while POST /api/agent refuses new turns with 503 (backlog or age limit reached).", nil, nil)
)

// Collect implements prometheus.Collector: the backlog as of the scrape.
func (b *backlog) Collect(ch chan<- prometheus.Metric) {
	b.refused.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := b.read(ctx, b.db, "")
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queuedDesc, err)
		return
	}
	over := 0.0
	if reason, _ := b.full(d, false); reason != "" {
		over = 1
	}
	ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(d.queued))
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, d.oldest.Seconds())
	ch <- prometheus.MustNewConstMetric(overloadedDesc, prometheus.GaugeValue, over)
}

// serveReady is GET /readyz: 200 "ready" while the database answers and
// the backlog takes turns; 503 "database unavailable", or 503
// "overloaded" (with Retry-After) while POST /api/agent refuses them.
// Both bodies carry the backlog when it could be read.
func (n *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	d, err := n.backlog.read(r.Context(), n.db, "")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"database unavailable"}`)
		return
	}
	status := "ready"
	if reason, _ := n.backlog.full(d, false); reason != "" {
		status = "overloaded"
		w.Header().Set("Retry-After", strconv.Itoa(overloadRetryAfter))
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintf(w, `{"status":%q,"queued_turns":%d,"oldest_queued_seconds":%d}`, status, d.queued, int64(d.oldest.Seconds()))
}
