// Package queue runs durable background jobs in the node's own database
// with River: agent turns are inserted in the same transaction that
// accepts the caller's message, so an accepted turn is never lost, and a
// turn interrupted by a crash is rescued and resumed after a restart.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

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
	// PollInterval is how often idle workers look for new jobs; default
	// 100 ms on SQLite, 1 s on PostgreSQL (which also gets LISTEN/NOTIFY
	// wake-ups).
	PollInterval time.Duration
	Logger       *slog.Logger
	// GiveUp, when set, is told of a turn whose last attempt failed, so
	// the turn ends as failed instead of staying "running" for ever.
	GiveUp func(ctx context.Context, conversationID string, turn int, err error)
	// Register adds the workers of other job kinds (negotiation turns and
	// deadlines) to a working queue.
	Register func(*river.Workers)
}

// Queue is a River client of either dialect.
type Queue struct {
	start    func(context.Context) error
	stop     func(context.Context) error
	insertTx func(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

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
		// SQLite has no LISTEN/NOTIFY, so new jobs are found by polling; a
		// local poll is cheap, and it bounds how long a turn waits to start.
		cfg.PollInterval = time.Second
		if db.Dialect() == store.SQLite {
			cfg.PollInterval = 100 * time.Millisecond
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	rc := &river.Config{
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 100*time.Millisecond),
		MaxAttempts:          5,
		Logger:               cfg.Logger,
	}
	if run != nil {
		workers := river.NewWorkers()
		river.AddWorker(workers, &turnWorker{run: run, giveUp: cfg.GiveUp})
		if cfg.Register != nil {
			cfg.Register(workers)
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	}
	if db.Dialect() == store.Postgres {
		c, err := river.NewClient(riverpgxv5.New(db.Pool()), rc)
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
		return &Queue{start: c.Start, stop: c.Stop, insertTx: func(ctx context.Context, tx store.Tx, a river.JobArgs, o *river.InsertOpts) error {
			_, err := c.InsertTx(ctx, tx.Raw().(pgx.Tx), a, o)
			return err
		}}, nil
	}
	rc.PollOnly = true // SQLite has no LISTEN/NOTIFY
	c, err := river.NewClient(riversqlite.New(db.SQL()), rc)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return &Queue{start: c.Start, stop: c.Stop, insertTx: func(ctx context.Context, tx store.Tx, a river.JobArgs, o *river.InsertOpts) error {
		_, err := c.InsertTx(ctx, tx.Raw().(*sql.Tx), a, o)
		return err
	}}, nil
}

// Start starts working jobs.
func (q *Queue) Start(ctx context.Context) error { return q.start(ctx) }

// Stop waits for running jobs to finish (or ctx to end).
func (q *Queue) Stop(ctx context.Context) error { return q.stop(ctx) }

// EnqueueTurn queues a turn inside tx.
func (q *Queue) EnqueueTurn(ctx context.Context, tx store.Tx, conversationID string, turn int) error {
	return q.insertTx(ctx, tx, TurnArgs{ConversationID: conversationID, Turn: turn}, nil)
}

// snoozer is an error asking for the job to run again later, not a
// failure (agent.WaitError).
type snoozer interface {
	error
	SnoozeAfter() time.Duration
}

// Insert queues a job of any registered kind inside tx.
func (q *Queue) Insert(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	return q.insertTx(ctx, tx, args, opts)
}

type turnWorker struct {
	river.WorkerDefaults[TurnArgs]
	run    TurnFunc
	giveUp func(ctx context.Context, conversationID string, turn int, err error)
}

func (w *turnWorker) Work(ctx context.Context, job *river.Job[TurnArgs]) error {
	err := w.run(ctx, job.Args.ConversationID, job.Args.Turn)
	var wait snoozer
	if errors.As(err, &wait) {
		// The turn waits on something outside it (a negotiation): put the
		// job back without holding a worker or spending an attempt.
		return river.JobSnooze(wait.SnoozeAfter())
	}
	if err != nil && w.giveUp != nil && job.Attempt >= job.MaxAttempts {
		w.giveUp(context.WithoutCancel(ctx), job.Args.ConversationID, job.Args.Turn, err)
	}
	return err
}
