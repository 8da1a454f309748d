package webhook

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/soisnode/soisnode/store"
)

// recordTimeout bounds writing an attempt's outcome (or releasing its
// lease), which runs even after the dispatcher's context has ended.
const recordTimeout = 10 * time.Second

// Run claims due deliveries continuously until ctx ends or Stop is called:
// whenever a worker is free it leases the oldest due delivery whose origin
// has room (Config.PerOrigin), so no attempt waits for another to finish
// unless both go to the same origin. When it stops claiming it waits for
// the attempts in flight (each bounded by the send timeout, or cut short by
// Stop) and returns.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.ran.CompareAndSwap(false, true) {
		return fmt.Errorf("webhook: dispatcher already ran")
	}
	defer close(d.done)
	defer d.wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.quit:
			return nil
		case <-timer.C:
		case <-d.wake:
		case <-d.freed:
		}
		_, more, err := d.fill(ctx)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("webhook: dispatch", "error", err)
		}
		wait := d.cfg.Poll
		if err == nil && more {
			wait = 0
		}
		timer.Reset(wait)
	}
}

// Stop makes Run claim nothing more and waits for the attempts in flight to
// finish and be recorded, until ctx ends; then it cuts the rest short,
// releasing their leases without counting an attempt, so another process
// sends them at once. It returns when Run has returned (at once if Run never
// ran).
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.stop.Do(func() { close(d.quit) })
	if d.ran.CompareAndSwap(false, true) {
		return d.stopIdle(ctx)
	}
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
	}
	d.abort()
	<-d.done
	return nil
}

// stopIdle stops a dispatcher whose Run never started (and now never
// will); attempts of RunOnce may be in flight.
func (d *Dispatcher) stopIdle(ctx context.Context) error {
	idle := make(chan struct{})
	go func() { d.wg.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-ctx.Done():
		d.abort()
		<-idle
	}
	close(d.done)
	return nil
}

// RunOnce claims as many due deliveries as there are free workers (at most
// PerOrigin per origin), sends them concurrently and records the outcomes.
// It returns how many it sent. Tests and tools use it; a node uses Run.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	n, _, err := d.fill(ctx)
	d.wg.Wait()
	return n, err
}

// fill claims due deliveries for the free workers and starts an attempt for
// each. It returns how many it started, and whether more may be due (the
// claim was full).
func (d *Dispatcher) fill(ctx context.Context) (started int, more bool, err error) {
	select {
	case <-d.quit:
		return 0, false, nil
	default:
	}
	room, full := d.room()
	if room == 0 {
		return 0, false, nil
	}
	batch, err := d.claim(ctx, room, full)
	if err != nil {
		return 0, false, err
	}
	// Stop may have begun while this claim ran (the room above may even
	// count workers its stop let finish): what it leased is handed back,
	// not sent, so Stop waits only for the attempts already in flight.
	select {
	case <-d.quit:
		for _, c := range batch {
			if err := d.unlease(ctx, c); err != nil {
				return 0, false, err
			}
		}
		return 0, false, nil
	default:
	}
	var over []claimed
	for _, c := range batch {
		if !d.take(c.origin) {
			over = append(over, c)
			continue
		}
		started++
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer d.put(c.origin)
			d.attempt(d.actx, c)
		}()
	}
	// One claim can return more deliveries to an origin than it has room
	// for; hand those back. The next claim skips the origin while it is full.
	for _, c := range over {
		if err := d.unlease(ctx, c); err != nil {
			return started, false, err
		}
	}
	return started, len(batch) == room, nil
}

// room returns how many workers are free and the origins at their limit.
func (d *Dispatcher) room() (int, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var full []string
	for o, n := range d.busy {
		if n >= d.cfg.PerOrigin {
			full = append(full, o)
		}
	}
	return d.cfg.Workers - d.running, full
}

// take books a worker for origin, if it and the origin have room.
func (d *Dispatcher) take(origin string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running >= d.cfg.Workers || d.busy[origin] >= d.cfg.PerOrigin {
		return false
	}
	d.running++
	d.busy[origin]++
	return true
}

// put frees a worker booked by take and wakes Run.
func (d *Dispatcher) put(origin string) {
	d.mu.Lock()
	d.running--
	if d.busy[origin]--; d.busy[origin] <= 0 {
		delete(d.busy, origin)
	}
	d.mu.Unlock()
	select {
	case d.freed <- struct{}{}:
	default:
	}
}

// claimed is a leased delivery.
type claimed struct {
	Delivery
	origin string
	total  int // attempt_total before this attempt
}

// claimSQL leases due deliveries in one statement; %s is where the origins
// at their limit are excluded. SQLite has one writer, so a plain UPDATE …
// RETURNING is atomic. PostgreSQL locks the chosen rows in a CTE, skipping
// rows another process is claiming; a CTE (unlike an IN subquery, which the
// planner may re-run) is evaluated once, so LIMIT holds, and the repeated
// conditions are re-checked against the latest row version.
var claimSQL = map[store.Dialect]string{
	store.SQLite: `UPDATE deliveries SET locked_until = ?, locked_by = ?
		WHERE id IN (SELECT id FROM deliveries
		             WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?%s
		             ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING id, workspace_id, key_id, event, url, origin, body, attempts, attempt_total`,
	store.Postgres: `WITH due AS (
		    SELECT id FROM deliveries
		    WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?%s
		    ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
		UPDATE deliveries d SET locked_until = ?, locked_by = ?
		FROM due WHERE d.id = due.id AND d.status = 'pending' AND d.locked_until <= ?
		RETURNING d.id, d.workspace_id, d.key_id, d.event, d.url, d.origin, d.body, d.attempts, d.attempt_total`,
}

// claim leases up to limit due deliveries to this dispatcher, none to the
// origins in skip.
func (d *Dispatcher) claim(ctx context.Context, limit int, skip []string) ([]claimed, error) {
	now := store.Micros(d.cfg.Now())
	until := now + d.cfg.Lease.Microseconds()
	var cond string
	var skipArgs []any
	if len(skip) > 0 {
		cond = ` AND origin NOT IN (?` + strings.Repeat(`, ?`, len(skip)-1) + `)`
		for _, o := range skip {
			skipArgs = append(skipArgs, o)
		}
	}
	var args []any
	if d.cfg.DB.Dialect() == store.Postgres {
		args = append(append([]any{now, now}, skipArgs...), limit, until, d.id, now)
	} else {
		args = append(append([]any{until, d.id, now, now}, skipArgs...), limit)
	}
	rows, err := d.cfg.DB.Query(ctx, fmt.Sprintf(claimSQL[d.cfg.DB.Dialect()], cond), args...)
	if err != nil {
		return nil, fmt.Errorf("webhook: claim: %w", err)
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.ID, &c.WorkspaceID, &c.KeyID, &c.Event, &c.URL, &c.origin, &c.Body, &c.Attempts, &c.total); err != nil {
			return nil, fmt.Errorf("webhook: claim: %w", err)
		}
		if c.origin == "" { // queued before origins were stored
			c.origin = Origin(c.URL)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhook: claim: %w", err)
	}
	return out, nil
}

// unlease hands a claimed delivery back, due as before and with no attempt
// counted (and its origin stored, for rows queued before origins were).
func (d *Dispatcher) unlease(ctx context.Context, c claimed) error {
	_, err := d.cfg.DB.Exec(ctx, `UPDATE deliveries SET locked_until = 0, locked_by = '', origin = ?
		WHERE id = ? AND locked_by = ?`, c.origin, c.ID, d.id)
	if err != nil {
		return fmt.Errorf("webhook: release %s: %w", c.ID, err)
	}
	return nil
}

// Origin is the key deliveries share a concurrency limit by: the URL's
// scheme, host and port, lower-cased, with the default port implied. A URL
// that does not parse is its own origin.
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
