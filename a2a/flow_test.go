package a2a_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestFlow drives the node's built-in agent through a2a-go's client over
// both bindings and both databases: blocking and non-blocking sends,
// get, list, a question answered in the same task, receipts, cost and
// the signed reply, and a resent messageId that makes no second turn.
func TestFlow(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			n := testbed.Start(t, node.Config{DatabaseURL: url})
			for _, binding := range []spec.TransportProtocol{spec.TransportProtocolJSONRPC, spec.TransportProtocolHTTPJSON} {
				c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
				t.Run(string(binding), func(t *testing.T) { flow(t, n, c, binding) })
			}
		})
	}
}

func flow(t *testing.T, n *testbed.Node, c testbed.Creds, binding spec.TransportProtocol) {
	ctx := context.Background()
	cl := client(t, n, c, binding)

	// Blocking: the task comes back stopped, with the reply, receipts,
	// cost and signed reply.
	task := send(t, cl, "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com", "", "", false)
	if task.Status.State != spec.TaskStateCompleted || !strings.HasPrefix(reply(task), "Contact created") {
		t.Fatalf("blocking send: %s %q", task.Status.State, reply(task))
	}
	if len(task.Artifacts) != 1 || task.Artifacts[0].Name != "receipts" {
		t.Fatalf("receipts artifact: %+v", task.Artifacts)
	}
	data, _ := task.Artifacts[0].Parts[0].Data().(map[string]any)
	actions, _ := data["actions"].([]any)
	first, _ := actions[0].(map[string]any)
	if len(actions) != 1 || first["tool"] != "contacts_create" || !strings.HasPrefix(first["ref"].(string), "contact/") {
		t.Fatalf("receipt: %+v", data)
	}
	if task.Metadata["cost_usd"] != "0.000000" || task.Metadata["signed_reply"] == "" || task.Metadata["signed_reply"] == nil {
		t.Fatalf("metadata: %+v", task.Metadata)
	}
	if task.ContextID == "" || len(task.History) != 2 {
		t.Fatalf("context %q, history %+v", task.ContextID, task.History)
	}

	// Non-blocking: submitted at once; GetTask sees it finish.
	send(t, cl, "Create a contact for Jane Smith, CTO of Initech, jane.smith@initech.example", "", "", false)
	quickReq := request("Find all contacts from Acme Corp", "", "", true)
	quickID := quickReq.Message.ID
	res, err := cl.SendMessage(ctx, quickReq)
	if err != nil {
		t.Fatal(err)
	}
	quick := res.(*spec.Task)
	if quick.Status.State != spec.TaskStateSubmitted && quick.Status.State != spec.TaskStateWorking && quick.Status.State != spec.TaskStateCompleted {
		t.Fatalf("non-blocking send: %s", quick.Status.State)
	}
	got := poll(t, cl, quick.ID)
	if got.Status.State != spec.TaskStateCompleted || !strings.Contains(reply(got), "Jane Doe") {
		t.Fatalf("GetTask after non-blocking send: %s %q", got.Status.State, reply(got))
	}

	// A question, answered in the same task.
	ask := send(t, cl, "Update Jane's phone to +44 20 7946 0000", "", "", false)
	if ask.Status.State != spec.TaskStateInputRequired || !strings.Contains(reply(ask), "Jane Smith") {
		t.Fatalf("ambiguity: %s %q", ask.Status.State, reply(ask))
	}
	answerReq := request("the one at Acme", ask.ContextID, string(ask.ID), false)
	res, err = cl.SendMessage(ctx, answerReq)
	if err != nil {
		t.Fatal(err)
	}
	answer := res.(*spec.Task)
	if answer.ID != ask.ID || answer.ContextID != ask.ContextID || answer.Status.State != spec.TaskStateCompleted || len(answer.History) != 4 {
		t.Fatalf("answer: %s %s %q history %d", answer.ID, answer.Status.State, reply(answer), len(answer.History))
	}
	// The answer's messageId again: the same task, no new turn. Reused
	// for a new task, or an opening message's messageId reused as an
	// answer: refused.
	if res, err := cl.SendMessage(ctx, answerReq); err != nil || res.(*spec.Task).ID != ask.ID || len(res.(*spec.Task).History) != 4 {
		t.Fatalf("resent answer: %+v %v", res, err)
	}
	reused := request("Find all contacts from Acme Corp", "", "", false)
	reused.Message.ID = answerReq.Message.ID
	if _, err := cl.SendMessage(ctx, reused); !errors.Is(err, spec.ErrInvalidParams) {
		t.Fatalf("an answer's messageId reused for a new task: %v", err)
	}
	opener := request("the one at Initech", ask.ContextID, string(ask.ID), false)
	opener.Message.ID = quickID
	if _, err := cl.SendMessage(ctx, opener); !errors.Is(err, spec.ErrInvalidParams) {
		t.Fatalf("a new task's messageId reused as an answer: %v", err)
	}
	// A stopped task takes no more messages; its context does.
	if _, err := cl.SendMessage(ctx, request("and the email too", "", string(ask.ID), false)); !errors.Is(err, spec.ErrUnsupportedOperation) {
		t.Fatalf("message to a completed task: %v", err)
	}
	more := send(t, cl, "Find all contacts from Initech", ask.ContextID, "", false)
	if more.ID == ask.ID || more.ContextID != ask.ContextID || more.Status.State != spec.TaskStateCompleted {
		t.Fatalf("new task in the same context: %+v", more)
	}

	// The same messageId again: the same task, no new turn.
	req := request("Create a task: send the Acme proposal by Friday", "", "", false)
	t1, err := cl.SendMessage(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := cl.SendMessage(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if t1.(*spec.Task).ID != t2.(*spec.Task).ID {
		t.Fatalf("resent message made a second task: %s %s", t1.(*spec.Task).ID, t2.(*spec.Task).ID)
	}
	changed := *req.Message
	changed.Parts = spec.ContentParts{spec.NewTextPart("something else")}
	if _, err := cl.SendMessage(ctx, &spec.SendMessageRequest{Message: &changed}); !errors.Is(err, spec.ErrInvalidParams) {
		t.Fatalf("reused messageId with another text: %v", err)
	}

	// ListTasks: the key's tasks, newest first, filtered by context and state.
	list, err := cl.ListTasks(ctx, &spec.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Tasks) < 6 || list.Tasks[0].ID != t1.(*spec.Task).ID {
		t.Fatalf("list: %d tasks, first %v", len(list.Tasks), list.Tasks)
	}
	inCtx, err := cl.ListTasks(ctx, &spec.ListTasksRequest{ContextID: ask.ContextID})
	if err != nil || len(inCtx.Tasks) != 2 || inCtx.TotalSize != 2 {
		t.Fatalf("list in context: %+v %v", inCtx, err)
	}
	page, err := cl.ListTasks(ctx, &spec.ListTasksRequest{PageSize: 2})
	if err != nil || len(page.Tasks) != 2 || page.NextPageToken == "" {
		t.Fatalf("page: %+v %v", page, err)
	}
	next, err := cl.ListTasks(ctx, &spec.ListTasksRequest{PageSize: 2, PageToken: page.NextPageToken})
	if err != nil || len(next.Tasks) != 2 || next.Tasks[0].ID == page.Tasks[0].ID || next.Tasks[0].ID == page.Tasks[1].ID {
		t.Fatalf("next page: %+v %v", next, err)
	}
}

// poll reads a task until it stops (deadline 30 s).
func poll(t *testing.T, cl interface {
	GetTask(context.Context, *spec.GetTaskRequest) (*spec.Task, error)
}, id spec.TaskID) *spec.Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond) // polls the database, with a deadline
	defer tick.Stop()
	for {
		task, err := cl.GetTask(context.Background(), &spec.GetTaskRequest{ID: id})
		if err != nil {
			t.Fatalf("GetTask: %v", err)
		}
		if task.Status.State != spec.TaskStateSubmitted && task.Status.State != spec.TaskStateWorking {
			return task
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still %s", id, task.Status.State)
		}
		<-tick.C
	}
}
