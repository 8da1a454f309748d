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
	"sync/atomic"
	"time"

	"github.com/soisnode/soisnode/clip"

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
	// Workers is how many attempts this process makes at once; a worker
	// that finishes takes the next due delivery at once. Default 16.
	Workers int
	// PerOrigin is how many of those may go to one origin (scheme, host
	// and port of the URL) at once, so a slow or dead receiver holds at
	// most PerOrigin workers and delays only its own deliveries. Default 4.
	PerOrigin int
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
// its lease holds. The database is the buffer: a Dispatcher holds in memory
// only the deliveries its workers are sending.
type Dispatcher struct {
	cfg  Config
	id   string // lease owner
	wake chan struct{}

	freed chan struct{}      // a worker finished (capacity 1: wake-ups coalesce)
	quit  chan struct{}      // closed by Stop: claim nothing more
	done  chan struct{}      // closed when Run has returned
	actx  context.Context    // attempts' context, cancelled by abort
	abort context.CancelFunc // cuts attempts short when the stop's grace ends
	stop  sync.Once
	ran   atomic.Bool
	wg    sync.WaitGroup // attempts in flight

	mu      sync.Mutex
	running int            // attempts in flight
	busy    map[string]int // attempts in flight per origin
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
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.PerOrigin <= 0 {
		cfg.PerOrigin = 4
	}
	cfg.PerOrigin = min(cfg.PerOrigin, cfg.Workers)
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	actx, abort := context.WithCancel(context.Background())
	return &Dispatcher{
		cfg: cfg, id: store.NewID(), wake: make(chan struct{}, 1), freed: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{}), actx: actx, abort: abort,
		busy: map[string]int{},
	}, nil
}

// Notify wakes Run to look for due deliveries now; call it after committing
// a transaction that enqueued one. It never blocks.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
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
	// The record outlives ctx: an answer that arrived is kept.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if ctx.Err() != nil && !res.OK() {
		// Cut short by a stop whose grace ran out: no attempt is burnt,
		// and the lease is released so another process sends it at once.
		if err := d.unlease(rctx, c); err != nil {
			log.Error("webhook: release delivery", "error", err)
			return
		}
		log.Info("webhook: attempt cut short by shutdown; released")
		return
	}
	ev, err := d.record(rctx, c, res)
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
			next = store.Micros(ev.NextAttemptAt)
		} else {
			ev.Status = StatusDead
		}
	}
	errText := clip.Bytes(Printable([]byte(errString(res.Err))), 500)
	at := store.Micros(now)
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

// hostOf returns the host of a URL for logs; paths and queries may hold secrets.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}
