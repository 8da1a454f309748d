package a2a

import (
	"context"
	"iter"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/access"
)

// streamPoll is the longest a stream goes without reading its task again;
// the node's Wait returns sooner when the turn stops in this process.
const streamPoll = time.Second

// SendStreamingMessage accepts the message as a non-blocking SendMessage
// does (same checks, same durable turn), then streams the task from the
// database: the task itself first, then a status update at every change
// of state, and once the turn stops, its artifacts (the receipts) and the
// final status update with the reply. It holds nothing in memory but the
// last state it sent.
func (s *Server) SendStreamingMessage(ctx context.Context, req *spec.SendMessageRequest) iter.Seq2[spec.Event, error] {
	return func(yield func(spec.Event, error) bool) {
		pr, err := s.principal(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		r := *req
		cfg := spec.SendMessageConfig{}
		if req.Config != nil {
			cfg = *req.Config
		}
		cfg.ReturnImmediately = true
		r.Config = &cfg
		res, err := s.SendMessage(ctx, &r)
		if err != nil {
			yield(nil, err)
			return
		}
		view, ok := res.(*spec.Task)
		if !ok {
			yield(res, nil)
			return
		}
		t, err := getTask(ctx, s.cfg.DB, ownerOf(pr), string(view.ID))
		if err != nil {
			yield(nil, s.protocolError(err))
			return
		}
		s.follow(ctx, pr, t, view, yield)
	}
}

// SubscribeToTask streams one of the caller's tasks that has not stopped
// yet, as SendStreamingMessage does after its first event. Another key's
// task is not found; a stopped task has nothing more to stream
// (UnsupportedOperation, as A2A 1.0 says).
func (s *Server) SubscribeToTask(ctx context.Context, req *spec.SubscribeToTaskRequest) iter.Seq2[spec.Event, error] {
	return func(yield func(spec.Event, error) bool) {
		pr, err := s.principal(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		t, err := getTask(ctx, s.cfg.DB, ownerOf(pr), string(req.ID))
		if err != nil {
			yield(nil, s.protocolError(err))
			return
		}
		view, err := s.taskView(ctx, pr, t, false, -1)
		if err != nil {
			yield(nil, err)
			return
		}
		if !moving(view.Status.State) {
			yield(nil, &spec.Error{Err: spec.ErrUnsupportedOperation, Message: "task " + t.ID + " is " + string(view.Status.State) +
				": a stopped task has nothing more to stream; read it with GetTask"})
			return
		}
		s.follow(ctx, pr, t, view, yield)
	}
}

// moving reports whether a task in state st may still change by itself.
func moving(st spec.TaskState) bool {
	return st == spec.TaskStateSubmitted || st == spec.TaskStateWorking
}

// follow yields first, then reads the task from the database until it
// stops, yielding each change of state; when it stops, its artifacts and
// then its final status. It ends when the caller goes away or BlockFor
// passes with the task still moving (the task goes on; SubscribeToTask
// follows it again).
func (s *Server) follow(ctx context.Context, pr access.Principal, t Task, first *spec.Task, yield func(spec.Event, error) bool) {
	if !yield(first, nil) {
		return
	}
	last := first.Status.State
	end := time.Now().Add(s.cfg.BlockFor)
	for moving(last) && time.Now().Before(end) {
		c, err := s.cfg.Wait(ctx, pr.Caller.WorkspaceID, t.ConversationID, streamPoll)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			yield(nil, s.protocolError(err))
			return
		}
		view := render(t, c, 0)
		if view.Status.State == last {
			continue
		}
		last = view.Status.State
		if !moving(last) {
			for _, a := range view.Artifacts {
				ev := &spec.TaskArtifactUpdateEvent{TaskID: view.ID, ContextID: view.ContextID, Artifact: a, LastChunk: true}
				if !yield(ev, nil) {
					return
				}
			}
		}
		ev := &spec.TaskStatusUpdateEvent{TaskID: view.ID, ContextID: view.ContextID, Status: view.Status, Metadata: view.Metadata}
		if !yield(ev, nil) {
			return
		}
	}
}
