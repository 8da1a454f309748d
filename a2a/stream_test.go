package a2a_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestStreaming drives SendStreamingMessage and SubscribeToTask through
// a2a-go's client over both bindings and both databases: the task first,
// the receipts as an artifact, the reply in the final status; a task the
// model holds followed until it is released; a stopped task and another
// key's task refused.
func TestStreaming(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url})
			gate := make(chan struct{})
			held := testbed.Start(t, node.Config{DatabaseURL: storetest.URLTB(t, name), Provider: &testbed.Script{Step: testbed.Echo, Gate: gate}})
			t.Cleanup(func() { close(gate) })
			for _, binding := range []spec.TransportProtocol{spec.TransportProtocolJSONRPC, spec.TransportProtocolHTTPJSON} {
				t.Run(string(binding), func(t *testing.T) {
					c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
					hc := testbed.Workspace(t, held.DB(), workspace.Owner, access.KeyParams{})
					other := testbed.Workspace(t, held.DB(), workspace.Owner, access.KeyParams{})
					stream(t, client(t, n, c, binding), client(t, held, hc, binding), client(t, held, other, binding), gate)
				})
			}
		})
	}
}

// events collects a stream; it fails the test on an error. after, when
// set, runs (in its own goroutine) once the first event has arrived.
func events(t *testing.T, seq iter.Seq2[spec.Event, error], after func()) []spec.Event {
	t.Helper()
	var out []spec.Event
	for ev, err := range seq {
		if err != nil {
			t.Fatalf("stream after %d events: %v", len(out), err)
		}
		out = append(out, ev)
		if len(out) == 1 && after != nil {
			go after()
		}
	}
	return out
}

// final is the last event of a stream as a status update.
func final(t *testing.T, evs []spec.Event) *spec.TaskStatusUpdateEvent {
	t.Helper()
	if len(evs) < 2 {
		t.Fatalf("stream of %d events: %+v", len(evs), evs)
	}
	if _, ok := evs[0].(*spec.Task); !ok {
		t.Fatalf("first event %T, want the task", evs[0])
	}
	last, ok := evs[len(evs)-1].(*spec.TaskStatusUpdateEvent)
	if !ok {
		t.Fatalf("last event %T, want a status update", evs[len(evs)-1])
	}
	return last
}

func stream(t *testing.T, cl, heldCl, otherCl *a2aclient.Client, gate chan struct{}) {
	ctx := context.Background()

	// The built-in agent: the task, its receipts, the reply.
	evs := events(t, cl.SendStreamingMessage(ctx, request("Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", "", "", false)), nil)
	last := final(t, evs)
	first := evs[0].(*spec.Task)
	if last.Status.State != spec.TaskStateCompleted || last.TaskID != first.ID || last.Status.Message == nil ||
		!strings.HasPrefix(last.Status.Message.Parts[0].Text(), "Contact created") || last.Metadata["cost_usd"] == nil {
		t.Fatalf("final: %+v", last)
	}
	art, ok := evs[len(evs)-2].(*spec.TaskArtifactUpdateEvent)
	if !ok || art.Artifact.Name != "receipts" || art.TaskID != first.ID {
		t.Fatalf("receipts: %T %+v", evs[len(evs)-2], evs[len(evs)-2])
	}
	// A stopped task has nothing to stream.
	for _, err := range cl.SubscribeToTask(ctx, &spec.SubscribeToTaskRequest{ID: first.ID}) {
		if !errors.Is(err, spec.ErrUnsupportedOperation) {
			t.Fatalf("subscribe to a completed task: %v", err)
		}
	}

	// A turn the model holds: followed from the database until released.
	task := send(t, heldCl, "hello there", "", "", true)
	if task.Status.State != spec.TaskStateSubmitted && task.Status.State != spec.TaskStateWorking {
		t.Fatalf("held task: %s", task.Status.State)
	}
	// Another key never sees it.
	for _, err := range otherCl.SubscribeToTask(ctx, &spec.SubscribeToTaskRequest{ID: task.ID}) {
		if !errors.Is(err, spec.ErrTaskNotFound) {
			t.Fatalf("another key's subscription: %v", err)
		}
	}
	evs = events(t, heldCl.SubscribeToTask(ctx, &spec.SubscribeToTaskRequest{ID: task.ID}), func() { gate <- struct{}{} })
	last = final(t, evs)
	if last.Status.State != spec.TaskStateCompleted || last.TaskID != task.ID || !strings.Contains(last.Status.Message.Parts[0].Text(), "hello there") {
		t.Fatalf("held task's final: %+v", last)
	}
}
