// Package queue runs durable background jobs in the node's own database
// with River: agent turns are inserted in the same transaction that
// accepts the caller's message, so an accepted turn is never lost, and a
// turn interrupted by a crash is rescued and resumed after a restart.
//
// A turn accepted by a process that works turns starts at once on that
// process (the local lane, local.go) instead of waiting for River's next
// fetch; it then has no River job at all: its row carries a lease, and a
// turn whose lease runs out unfinished (its process died) is handed to
// River by the sweep (sweep.go).
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// TurnArgs is the job that runs one conversation turn.
type TurnArgs struct {
	ConversationID string `json:"conversation_id"`
	Turn           int    `json:"turn"`
}

// Kind implements river.JobArgs.
func (TurnArgs) Kind() string { return "agent_turn" }

// TurnFunc runs a turn; an error makes River retry it later.
type TurnFunc func(ctx context.Context, conversationID string, turn int) error

// Config tunes the queue.
type Config struct {
	Workers int // concurrent turns per process; default 8
	// JobTimeout bounds one run of a turn; default 3 minutes (longer than
	// the agent's turn deadline).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is presumed
	// to belong to a dead process and is retried; default JobTimeout + 1 min.
	RescueAfter time.Duration
	// PollInterval is how often idle workers look for jobs inserted by
	// other processes; default 100 ms on SQLite, 1 s on PostgreSQL (which
	// also gets LISTEN/NOTIFY wake-ups). Turns accepted by this process do
	// not wait for it: they start at once in the local lane.
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches of River's
	// producer, and on PostgreSQL between two insert NOTIFYs of this
	// process; default 20 ms on SQLite (River's 100 ms capped a busy queue
	// at Workers jobs per 100 ms), River's 100 ms on PostgreSQL, where a
	// shorter one puts a NOTIFY in more accepting transactions. Turns
	// accepted with a free slot start in the local lane either way.
	FetchCooldown time.Duration
	Logger        *slog.Logger
	// GiveUp, when set, is told of a turn whose last attempt failed, so
	// the turn ends as failed instead of staying "running" for ever.
	GiveUp func(ctx context.Context, conversationID string, turn int, err error)
	// Register adds the workers of other job kinds (negotiation turns and
	// deadlines) to a working queue.
	Register func(*river.Workers)
	// SweepInterval is how often a working process looks for local-lane
	// turns whose lease ran out unfinished (sweep.go); default 1 s.
	SweepInterval time.Duration
	// LocalWaiting is how many turns accepted by this process with every
	// slot busy may wait in the local lane for the next free slot
	// (local.go), instead of each getting a River job; default 4 ×
	// Workers, negative for none.
	LocalWaiting int
}

// Queue is a River client of either dialect, with the local lane.
type Queue struct {
	start    func(context.Context) error
	stop     func(context.Context) error
	insertTx func(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	// insert is Insert: on SQLite River's InsertManyFastTx, which does
	// not read the job back (a third less of the statement's cost); on
	// PostgreSQL that is a COPY, no faster for one row, so InsertTx.
	insert func(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error
	// insertMany inserts many jobs in one statement (InsertManyFastTx).
	insertMany func(ctx context.Context, tx store.Tx, params []river.InsertManyParams) error
	db         *store.DB
	// maxAttempts and notifyEvery are River's MaxAttempts and
	// FetchCooldown, for the turn jobs written by deferTurnJobs.
	maxAttempts int
	notifyEvery time.Duration
	notified    atomic.Int64 // Unix ns of deferTurnJobs's last insert NOTIFY

	run        TurnFunc // nil: insert-only
	giveUp     func(ctx context.Context, conversationID string, turn int, err error)
	log        *slog.Logger
	timeout    time.Duration // JobTimeout: bounds one local run as it bounds a job
	holdFor    time.Duration // how long a local turn's lease lasts
	slots      chan struct{} // one token per turn running in this process
	maxWaiting int           // Config.LocalWaiting
	sweepEvery time.Duration
	stopSweep  context.CancelFunc // nil until Start
	swept      chan struct{}      // closed when the sweep loop ended

	mu       sync.Mutex
	stopping bool
	// waiting are accepted turns waiting for a slot, in order (local.go);
	// waitPlaces counts them and the accepts that reserved a place.
	waiting    []*Pending
	waitPlaces int
	running    sync.WaitGroup // local runs
	// work is the parent of every turn this process runs (local runs, and
	// River's through turnWorker); Stop cancels it with errs.ErrShutdown
	// when its grace period ends.
	work   context.Context
	cancel context.CancelCauseFunc
}

// releaseWait bounds how long Stop waits, after the grace period, for the
// turns it interrupted to hand their jobs back.
const releaseWait = 15 * time.Second

// Migrate creates or upgrades River's tables.
func Migrate(ctx context.Context, db *store.DB) error {
	var err error
	if db.Dialect() == store.Postgres {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(db.Pool()), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(db.SQL()), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("queue: migrate: %w", err)
	}
	return nil
}

// New builds a queue on db that runs turns with run (nil: insert-only, for
// CLI processes that enqueue but do not work).
func New(db *store.DB, cfg Config, run TurnFunc) (*Queue, error) {
	if cfg.Workers == 0 {
		cfg.Workers = 8
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = 3 * time.Minute
	}
	if cfg.RescueAfter == 0 {
		cfg.RescueAfter = cfg.JobTimeout + time.Minute
	}
	if cfg.PollInterval == 0 {
		// SQLite has no LISTEN/NOTIFY, so jobs of other processes are found
		// by polling; a local poll is cheap.
		cfg.PollInterval = time.Second
		if db.Dialect() == store.SQLite {
			cfg.PollInterval = 100 * time.Millisecond
		}
	}
	if cfg.FetchCooldown == 0 {
		cfg.FetchCooldown = 20 * time.Millisecond
		if db.Dialect() == store.Postgres {
			cfg.FetchCooldown = 100 * time.Millisecond
		}
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LocalWaiting == 0 {
		cfg.LocalWaiting = 4 * cfg.Workers
	}
	q := &Queue{
		db: db, run: run, maxWaiting: max(0, cfg.LocalWaiting), giveUp: cfg.GiveUp, log: cfg.Logger, timeout: cfg.JobTimeout, sweepEvery: cfg.SweepInterval,
		// A local run is canceled at JobTimeout (≤ RescueAfter); its
		// lease runs out a minute after RescueAfter, so no process takes
		// the turn while the local run may still be recording its outcome,
		// and a crashed process's turn resumes about as late as a rescued
		// River job would.
		holdFor: max(cfg.RescueAfter, cfg.JobTimeout) + time.Minute,
	}
	q.work, q.cancel = context.WithCancelCause(context.Background())
	rc := &river.Config{
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, cfg.FetchCooldown),
		MaxAttempts:          5,
		Logger:               cfg.Logger,
	}
	if run != nil {
		q.slots = make(chan struct{}, cfg.Workers)
		workers := river.NewWorkers()
		river.AddWorker(workers, &turnWorker{q: q})
		if cfg.Register != nil {
			cfg.Register(workers)
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	}
	q.maxAttempts, q.notifyEvery = rc.MaxAttempts, rc.FetchCooldown
	if db.Dialect() == store.Postgres {
		c, err := river.NewClient(riverpgxv5.New(db.Pool()), rc)
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		q.start, q.stop = c.Start, c.Stop
		q.insertTx = func(ctx context.Context, tx store.Tx, a river.JobArgs, o *river.InsertOpts) (*rivertype.JobInsertResult, error) {
			return c.InsertTx(ctx, tx.Raw().(pgx.Tx), a, o)
		}
		q.insert = func(ctx context.Context, tx store.Tx, a river.JobArgs, o *river.InsertOpts) error {
			_, err := q.insertTx(ctx, tx, a, o)
			return err
		}
		q.insertMany = func(ctx context.Context, tx store.Tx, p []river.InsertManyParams) error {
			_, err := c.InsertManyTx(ctx, tx.Raw().(pgx.Tx), p) // one INSERT … unnest (the Fast variant is a COPY: more round trips)
			return err
		}
		return q, nil
	}
	rc.PollOnly = true // SQLite has no LISTEN/NOTIFY
	c, err := river.NewClient(riversqlite.New(db.SQL()), rc)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.start, q.stop = c.Start, c.Stop
	q.insertTx = func(ctx context.Context, tx store.Tx, a river.JobArgs, o *river.InsertOpts) (*rivertype.JobInsertResult, error) {
		return c.InsertTx(ctx, tx.Raw().(*sql.Tx), a, o)
	}
	q.insert = func(ctx context.Context, tx store.Tx, a river.JobArgs, o *river.InsertOpts) error {
		_, err := c.InsertManyFastTx(ctx, tx.Raw().(*sql.Tx), []river.InsertManyParams{{Args: a, InsertOpts: o}})
		return err
	}
	q.insertMany = func(ctx context.Context, tx store.Tx, p []river.InsertManyParams) error {
		_, err := c.InsertManyFastTx(ctx, tx.Raw().(*sql.Tx), p)
		return err
	}
	return q, nil
}

// Start starts working jobs and, in a process that works turns, sweeping
// expired local-lane leases.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.start(ctx); err != nil {
		return err
	}
	if q.run != nil {
		q.mu.Lock()
		if q.stopSweep == nil {
			var sctx context.Context
			sctx, q.stopSweep = context.WithCancel(context.WithoutCancel(ctx))
			q.swept = make(chan struct{})
			go q.sweepLoop(sctx, q.sweepEvery)
		}
		q.mu.Unlock()
	}
	return nil
}

// Stop stops starting turns and lets the running ones finish, within ctx
// (the grace period). Turns still running when ctx ends are canceled with
// the cause errs.ErrShutdown: they record nothing as failed, and their
// jobs are made available at once (local runs: handed to River as a job
// due now, ending their lease; River's: JobSnooze(0)),
// so another process, or this one restarted, resumes them without waiting
// for RescueAfter. Stop waits up to releaseWait more for that hand-back.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	q.stopping = true
	stopSweep, swept := q.stopSweep, q.swept
	waiting := q.waiting
	q.waiting = nil
	q.mu.Unlock()
	q.handBack(waiting)
	if stopSweep != nil {
		stopSweep()
		<-swept
	}
	local := make(chan struct{})
	go func() { q.running.Wait(); close(local) }()
	err := q.stop(ctx) // River: stop fetching, wait for its jobs (or ctx)
	if err == nil {
		select {
		case <-local:
			q.cancel(errs.ErrShutdown)
			return nil
		case <-ctx.Done():
		}
	}
	if ctx.Err() == nil {
		q.cancel(errs.ErrShutdown)
		return err // River failed to stop for another reason
	}
	q.log.Warn("shutdown: interrupting the turns still running at the end of the grace period; they are handed back to be resumed at once")
	q.cancel(errs.ErrShutdown)
	release, done := context.WithTimeout(context.Background(), releaseWait)
	defer done()
	err = q.stop(release) // River's interrupted jobs snooze and are recorded
	select {
	case <-local:
	case <-release.Done():
	}
	if err == nil && release.Err() == nil {
		return nil
	}
	return fmt.Errorf("queue: turns interrupted at shutdown did not hand back their jobs within %v; they resume after RescueAfter: %w", releaseWait, context.DeadlineExceeded)
}

// snoozer is an error asking for the job to run again later, not a
// failure (agent.WaitError).
type snoozer interface {
	error
	SnoozeAfter() time.Duration
}

// Insert queues a job of any registered kind inside tx. It does not read
// the job back, so opts must not ask for uniqueness (a unique conflict
// would fail the insert instead of skipping it).
func (q *Queue) Insert(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	return q.insert(ctx, tx, args, opts)
}

// EnqueueTurn queues a turn inside tx for any process's workers (River's
// next fetch). A process that works turns uses Prepare instead, so the
// turn starts at once.
//
// In a group commit (tx is a batch's transaction, conversation.Batcher),
// the job is gathered and written with the other accepts' jobs of the
// batch in one insert before the batch commits; alone, it is inserted
// here (on PostgreSQL in a transaction of store.InDeferTx, held back to
// go with COMMIT, deferTurnJobs). Either way it commits with the turn or
// not at all.
func (q *Queue) EnqueueTurn(ctx context.Context, tx store.Tx, conversationID string, turn int) error {
	args := TurnArgs{ConversationID: conversationID, Turn: turn}
	if g, ok := tx.(gatherer); ok {
		g.Gather(q, args, q.insertTurns)
		return nil
	}
	if d, ok := tx.(*store.DeferTx); ok && d.HoldsWrites() && tx.Dialect() == store.Postgres {
		// Held back to go with the transaction's COMMIT (store.InDeferTx).
		if err := q.deferTurnJobs(ctx, d, []any{args}); err != nil {
			return fmt.Errorf("queue: insert the turn's job: %w", err)
		}
		return nil
	}
	return q.insert(ctx, tx, args, nil)
}

// gatherer is conversation.Gatherer (not imported: the queue knows
// nothing of conversations).
type gatherer interface {
	Gather(key any, item any, flush func(ctx context.Context, tx store.Tx, items []any) error)
}

// insertTurns inserts the gathered TurnArgs of a batch in one statement.
// On PostgreSQL, in a transaction that holds writes back (a batch's,
// store.InDeferTx), the statement is written here and held back to go
// with the batch's COMMIT in one round trip (River's insert reads its
// rows back, so it cannot ride in a pipeline); see deferTurnJobs.
func (q *Queue) insertTurns(ctx context.Context, tx store.Tx, items []any) error {
	if d, ok := tx.(*store.DeferTx); ok && d.HoldsWrites() && tx.Dialect() == store.Postgres {
		if err := q.deferTurnJobs(ctx, d, items); err != nil {
			return fmt.Errorf("queue: insert %d turns' jobs: %w", len(items), err)
		}
		return nil
	}
	params := make([]river.InsertManyParams, len(items))
	for i, it := range items {
		params[i] = river.InsertManyParams{Args: it.(TurnArgs)}
	}
	if err := q.insertMany(ctx, tx, params); err != nil {
		return fmt.Errorf("queue: insert %d turns' jobs: %w", len(items), err)
	}
	return nil
}

// turnWorker runs turns fetched by River: jobs inserted by other
// processes, turns that did not find a free local slot, and the fallback
// jobs of local runs that did not end (a crash, a failed attempt).
type turnWorker struct {
	river.WorkerDefaults[TurnArgs]
	q *Queue
}

func (w *turnWorker) Work(ctx context.Context, job *river.Job[TurnArgs]) error {
	// A stop's interruption reaches the turn with its cause.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer context.AfterFunc(w.q.work, func() { cancel(context.Cause(w.q.work)) })()
	// The slots bound the turns running in this process, local or not.
	select {
	case w.q.slots <- struct{}{}:
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errs.ErrShutdown) {
			return river.JobSnooze(0)
		}
		return ctx.Err()
	}
	defer func() {
		<-w.q.slots
		w.q.dispatch()
	}()
	err := w.q.run(ctx, job.Args.ConversationID, job.Args.Turn)
	if errors.Is(err, errs.ErrShutdown) {
		// Interrupted by a stop, in a resumable state: available again at
		// once, to any process, without spending an attempt.
		return river.JobSnooze(0)
	}
	var wait snoozer
	if errors.As(err, &wait) {
		// The turn waits on something outside it (a negotiation): put the
		// job back without holding a worker or spending an attempt.
		return river.JobSnooze(wait.SnoozeAfter())
	}
	if err != nil && w.q.giveUp != nil && job.Attempt >= job.MaxAttempts {
		w.q.giveUp(context.WithoutCancel(ctx), job.Args.ConversationID, job.Args.Turn, err)
	}
	return err
}
