package negotiation

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/soisnode/soisnode/store"
)

// StepArgs is the durable job of one of this side's turns (Service.Step).
type StepArgs struct {
	WorkspaceID   string `json:"workspace_id"`
	NegotiationID string `json:"negotiation_id"`
	Seq           int64  `json:"seq"`
}

// Kind implements river.JobArgs.
func (StepArgs) Kind() string { return "negotiation_step" }

// ExpireArgs is the durable job that ends an exchange at its deadline.
type ExpireArgs struct {
	WorkspaceID   string `json:"workspace_id"`
	NegotiationID string `json:"negotiation_id"`
}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "negotiation_expire" }

// SummaryArgs is the durable job that has the model write an ended
// exchange's summary (Service.Summarize).
type SummaryArgs struct {
	WorkspaceID   string `json:"workspace_id"`
	NegotiationID string `json:"negotiation_id"`
}

// Kind implements river.JobArgs.
func (SummaryArgs) Kind() string { return "negotiation_summary" }

// Inserter queues a River job inside a transaction (queue.Queue.Insert).
type Inserter func(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error

// RiverJobs is Jobs on the node's River queue.
type RiverJobs struct{ Insert Inserter }

var _ Jobs = RiverJobs{}

// stepAttempts bounds the sends of one turn; the deadline ends an
// exchange with an unreachable peer long before.
const stepAttempts = 1000

// Step implements Jobs.
func (j RiverJobs) Step(ctx context.Context, tx store.Tx, workspaceID, id string, seq int64) error {
	return j.Insert(ctx, tx, StepArgs{WorkspaceID: workspaceID, NegotiationID: id, Seq: seq}, &river.InsertOpts{MaxAttempts: stepAttempts})
}

// Expire implements Jobs.
func (j RiverJobs) Expire(ctx context.Context, tx store.Tx, workspaceID, id string, at time.Time) error {
	return j.Insert(ctx, tx, ExpireArgs{WorkspaceID: workspaceID, NegotiationID: id}, &river.InsertOpts{ScheduledAt: at})
}

// Summarize implements Jobs.
func (j RiverJobs) Summarize(ctx context.Context, tx store.Tx, workspaceID, id string) error {
	return j.Insert(ctx, tx, SummaryArgs{WorkspaceID: workspaceID, NegotiationID: id}, nil)
}

// Register adds the service's workers to a River worker set.
func (s *Service) Register(w *river.Workers) {
	river.AddWorker(w, &stepWorker{s: s})
	river.AddWorker(w, &expireWorker{s: s})
	river.AddWorker(w, &summaryWorker{s: s})
}

type summaryWorker struct {
	river.WorkerDefaults[SummaryArgs]
	s *Service
}

func (w *summaryWorker) Work(ctx context.Context, job *river.Job[SummaryArgs]) error {
	return w.s.Summarize(ctx, job.Args.WorkspaceID, job.Args.NegotiationID)
}

type stepWorker struct {
	river.WorkerDefaults[StepArgs]
	s *Service
}

func (w *stepWorker) Work(ctx context.Context, job *river.Job[StepArgs]) error {
	return w.s.Step(ctx, job.Args.WorkspaceID, job.Args.NegotiationID, job.Args.Seq)
}

// NextRetry backs off exponentially from one second to at most RetryCap,
// so a peer that comes back is reached within RetryCap.
func (w *stepWorker) NextRetry(job *river.Job[StepArgs]) time.Time {
	d := time.Second << min(job.Attempt, 10)
	return time.Now().Add(min(d, RetryCap))
}

// RetryCap is the longest wait between two sends of one envelope.
const RetryCap = 30 * time.Second

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	s *Service
}

func (w *expireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	return w.s.Expire(ctx, job.Args.WorkspaceID, job.Args.NegotiationID)
}
