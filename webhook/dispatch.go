package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/soisnode/soisnode/store"
)

// Signer signs delivery bodies; *signing.Keyring implements it.
type Signer interface {
	// SignWebhook returns the Sois-Signature value for a delivery.
	SignWebhook(ctx context.Context, deliveryID string, body []byte) (string, error)
	// SignStandard returns the webhook-signature value for an attempt at `at`.
	SignStandard(ctx context.Context, id string, at time.Time, body []byte) (string, error)
}

// Config configures a Dispatcher. DB and Signer are required; zero values
// of the rest take the documented defaults.
type Config struct {
	DB       DB
	Signer   Signer
	Secrets  SecretSource     // keys' webhook secrets for the v1 signature; nil sends v1a only
	Guard    Guard            // checked before every attempt and at connect time
	Sender   *Sender          // default NewSender(Guard, DefaultTimeout)
	Schedule Schedule         // default DefaultSchedule
	Now      func() time.Time // clock; default time.Now
	Rand     func() float64   // jitter source in [0,1); default math/rand/v2
	Poll     time.Duration    // how often Run looks for due deliveries; default 2 s
	Batch    int              // deliveries claimed and sent concurrently; default 16
	// Lease is how long a claimed delivery is reserved for this process;
	// it must exceed the send timeout. After a crash another process sends
	// it once the lease ends. Default 2 min.
	Lease  time.Duration
	Logger *slog.Logger // default slog.Default()
	// OnAttempt, when set, is called after each attempt is recorded: the
	// test signal that lets tests wait on events instead of sleeping.
	OnAttempt func(AttemptEvent)
	// Headers, when set, adds headers to a delivery's attempts (the A2A
	// push notification token and authentication its receiver asked
	// for). It cannot replace the signature headers.
	Headers func(ctx context.Context, deliveryID, event string) (http.Header, error)
}

// AttemptEvent reports one recorded attempt.
type AttemptEvent struct {
	DeliveryID    string
	Attempt       int // attempt number, counting redeliveries
	Result        Result
	Status        Status    // the delivery's status after the attempt
	NextAttemptAt time.Time // when pending, the next try
}

// Dispatcher sends due deliveries. Run it once per node process; processes
// sharing a database share the work without sending a delivery twice while
// its lease holds.
type Dispatcher struct {
	cfg  Config
	id   string // lease owner
	wake chan struct{}
}

// NewDispatcher validates cfg and returns a Dispatcher.
func NewDispatcher(cfg Config) (*Dispatcher, error) {
	if cfg.DB == nil || cfg.Signer == nil {
		return nil, errors.New("webhook: dispatcher needs a DB and a Signer")
	}
	if cfg.Sender == nil {
		cfg.Sender = NewSender(cfg.Guard, DefaultTimeout)
	}
	if len(cfg.Schedule.Delays) == 0 {
		cfg.Schedule = DefaultSchedule
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 16
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Dispatcher{cfg: cfg, id: NewID(), wake: make(chan struct{}, 1)}, nil
}

// Notify wakes Run to look for due deliveries now; call it after committing
// a transaction that enqueued one. It never blocks.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends. Attempts in flight when ctx ends
// are finished (each is bounded by the send timeout) before Run returns.
func (d *Dispatcher) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-d.wake:
		}
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("webhook: dispatch", "error", err)
		}
		wait := d.cfg.Poll
		if n == d.cfg.Batch {
			wait = 0 // more may be due
		}
		timer.Reset(wait)
	}
}

// RunOnce claims up to Batch due deliveries, sends them concurrently and
// records the outcomes. It returns how many it claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	batch, err := d.claim(ctx)
	if err != nil {
		return 0, err
	}
	// Attempts outlive ctx so that shutdown does not cut a send short and
	// burn an attempt; Sender's timeout bounds them.
	actx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.attempt(actx, c)
		}()
	}
	wg.Wait()
	return len(batch), nil
}

// claimed is a leased delivery.
type claimed struct {
	Delivery
	total int // attempt_total before this attempt
}

// claimSQL leases due deliveries in one statement. SQLite has one writer, so
// a plain UPDATE … RETURNING is atomic. PostgreSQL locks the chosen rows in a
// CTE, skipping rows another process is claiming; a CTE (unlike an IN
// subquery, which the planner may re-run) is evaluated once, so LIMIT holds,
// and the repeated conditions are re-checked against the latest row version.
var claimSQL = map[store.Dialect]string{
	store.SQLite: `UPDATE deliveries SET locked_until = ?, locked_by = ?
		WHERE id IN (SELECT id FROM deliveries
		             WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?
		             ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING id, workspace_id, key_id, event, url, body, attempts, attempt_total`,
	store.Postgres: `WITH due AS (
		    SELECT id FROM deliveries
		    WHERE status = 'pending' AND next_attempt_at <= ? AND locked_until <= ?
		    ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
		UPDATE deliveries d SET locked_until = ?, locked_by = ?
		FROM due WHERE d.id = due.id AND d.status = 'pending' AND d.locked_until <= ?
		RETURNING d.id, d.workspace_id, d.key_id, d.event, d.url, d.body, d.attempts, d.attempt_total`,
}

// claim leases up to Batch due deliveries to this dispatcher.
func (d *Dispatcher) claim(ctx context.Context) ([]claimed, error) {
	now := d.cfg.Now().UnixMicro()
	until := now + d.cfg.Lease.Microseconds()
	var args []any
	if d.cfg.DB.Dialect() == store.Postgres {
		args = []any{now, now, d.cfg.Batch, until, d.id, now}
	} else {
		args = []any{until, d.id, now, now, d.cfg.Batch}
	}
	rows, err := d.cfg.DB.Query(ctx, claimSQL[d.cfg.DB.Dialect()], args...)
	if err != nil {
		return nil, fmt.Errorf("webhook: claim: %w", err)
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.ID, &c.WorkspaceID, &c.KeyID, &c.Event, &c.URL, &c.Body, &c.Attempts, &c.total); err != nil {
			return nil, fmt.Errorf("webhook: claim: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhook: claim: %w", err)
	}
	return out, nil
}

// attempt signs and sends one claimed delivery and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, c claimed) {
	log := d.cfg.Logger.With("delivery_id", c.ID, "workspace_id", c.WorkspaceID, "event", c.Event, "host", hostOf(c.URL))
	var res Result
	if err := d.cfg.Guard.CheckURL(c.URL); err != nil {
		res = Result{Err: err}
	} else {
		header, err := d.sign(ctx, c)
		if err != nil {
			// Our failure, not the receiver's: keep the attempt, retry
			// when the lease runs out.
			log.Error("webhook: sign delivery", "error", err)
			return
		}
		res = d.cfg.Sender.Deliver(ctx, Request{URL: c.URL, Body: c.Body, Header: header})
	}
	ev, err := d.record(ctx, c, res)
	if err != nil {
		log.Error("webhook: record attempt", "error", err)
		return
	}
	log.Info("webhook: attempt", "attempt", ev.Attempt, "status_code", res.Status,
		"latency_ms", res.Latency.Milliseconds(), "outcome", string(ev.Status), "error", errString(res.Err))
	if d.cfg.OnAttempt != nil {
		d.cfg.OnAttempt(ev)
	}
}

var errLeaseLost = errors.New("lease lost: another process took the delivery over")

// record stores the attempt and moves the delivery on: delivered, disabled
// (410, and every pending delivery to the same URL with it), the next
// attempt, or dead.
func (d *Dispatcher) record(ctx context.Context, c claimed, res Result) (AttemptEvent, error) {
	now := d.cfg.Now()
	ev := AttemptEvent{DeliveryID: c.ID, Attempt: c.total + 1, Result: res, Status: StatusPending}
	var next int64
	switch {
	case res.OK():
		ev.Status = StatusDelivered
	case res.Gone:
		ev.Status = StatusDisabled
	default:
		if delay, ok := d.cfg.Schedule.Next(c.Attempts+1, res.RetryAfter, d.cfg.Rand()); ok {
			ev.NextAttemptAt = now.Add(delay)
			next = ev.NextAttemptAt.UnixMicro()
		} else {
			ev.Status = StatusDead
		}
	}
	errText := truncate(errString(res.Err), 500)
	at := now.UnixMicro()
	err := d.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE deliveries SET status = ?, attempts = ?, attempt_total = ?, next_attempt_at = ?,
			last_status = ?, last_error = ?, locked_until = 0, locked_by = '', updated_at = ?
			WHERE id = ? AND locked_by = ?`,
			string(ev.Status), c.Attempts+1, ev.Attempt, next, res.Status, errText, at, c.ID, d.id)
		if err != nil {
			return err
		}
		if n == 0 {
			return errLeaseLost
		}
		if _, err := tx.Exec(ctx, `INSERT INTO delivery_attempts
			(delivery_id, attempt, status_code, latency_ms, response, error, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, ev.Attempt, res.Status, res.Latency.Milliseconds(), res.Response, errText, at); err != nil {
			return err
		}
		if ev.Status != StatusDisabled {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_disabled_urls (workspace_id, url, delivery_id, at)
			VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, url) DO NOTHING`, c.WorkspaceID, c.URL, c.ID, at); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE deliveries SET status = 'disabled', updated_at = ?
			WHERE workspace_id = ? AND url = ? AND status = 'pending'`, at, c.WorkspaceID, c.URL)
		return err
	})
	if err != nil {
		return ev, fmt.Errorf("webhook: record %s: %w", c.ID, err)
	}
	return ev, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return Printable([]byte(s[:n]))
}

// hostOf returns the host of a URL for logs; paths and queries may hold secrets.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}
