package a2a_test

import (
	"context"
	"errors"
	"testing"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/workspace"
)

// TestCancelAndTenancy holds a turn running (a gated scripted model) and
// checks that a second key of the same workspace and a key of another
// workspace can neither see, list, continue nor cancel the task — each
// is told "task not found", exactly as for an unknown id — and that the
// owner can cancel it.
func TestCancelAndTenancy(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			gate := make(chan struct{})
			defer close(gate)
			n := testbed.Start(t, node.Config{DatabaseURL: url, Provider: &testbed.Script{Step: testbed.Echo, Gate: gate}})
			ctx := context.Background()
			owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
			_, otherKey, err := access.CreateKey(ctx, n.DB(), owner.WorkspaceID,
				access.KeyParams{BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			sameWorkspace := owner
			sameWorkspace.APIKey = otherKey
			otherWorkspace := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})

			cl := client(t, n, owner, spec.TransportProtocolJSONRPC)
			task := send(t, cl, "hold on", "", "", true)
			for _, who := range []struct {
				name  string
				creds testbed.Creds
			}{{"second key", sameWorkspace}, {"second workspace", otherWorkspace}} {
				t.Run(who.name, func(t *testing.T) {
					for _, binding := range []spec.TransportProtocol{spec.TransportProtocolJSONRPC, spec.TransportProtocolHTTPJSON} {
						other := client(t, n, who.creds, binding)
						if _, err := other.GetTask(ctx, &spec.GetTaskRequest{ID: task.ID}); !errors.Is(err, spec.ErrTaskNotFound) {
							t.Errorf("%s GetTask: %v", binding, err)
						}
						if _, err := other.CancelTask(ctx, &spec.CancelTaskRequest{ID: task.ID}); !errors.Is(err, spec.ErrTaskNotFound) {
							t.Errorf("%s CancelTask: %v", binding, err)
						}
						if _, err := other.SendMessage(ctx, request("me too", "", string(task.ID), true)); !errors.Is(err, spec.ErrTaskNotFound) {
							t.Errorf("%s SendMessage to the task: %v", binding, err)
						}
						if _, err := other.SendMessage(ctx, request("me too", task.ContextID, "", true)); !errors.Is(err, spec.ErrInvalidParams) {
							t.Errorf("%s SendMessage to the context: %v", binding, err)
						}
						if _, err := other.GetTaskPushConfig(ctx, &spec.GetTaskPushConfigRequest{TaskID: task.ID, ID: "x"}); !errors.Is(err, spec.ErrTaskNotFound) {
							t.Errorf("%s GetTaskPushConfig: %v", binding, err)
						}
						list, err := other.ListTasks(ctx, &spec.ListTasksRequest{})
						if err != nil || len(list.Tasks) != 0 || list.TotalSize != 0 {
							t.Errorf("%s ListTasks: %+v %v", binding, list, err)
						}
						if _, err := other.GetTask(ctx, &spec.GetTaskRequest{ID: "01UNKNOWNTASK"}); !errors.Is(err, spec.ErrTaskNotFound) {
							t.Errorf("%s GetTask unknown: %v", binding, err)
						}
					}
				})
			}
			// Still running for its owner; a second message to it is refused.
			if got, err := cl.GetTask(ctx, &spec.GetTaskRequest{ID: task.ID}); err != nil || got.Status.State.Terminal() {
				t.Fatalf("owner's task after the others: %+v %v", got, err)
			}
			if _, err := cl.SendMessage(ctx, request("more", task.ContextID, "", true)); !errors.Is(err, spec.ErrInvalidRequest) {
				t.Fatalf("message while the turn runs: %v", err)
			}
			canceled, err := cl.CancelTask(ctx, &spec.CancelTaskRequest{ID: task.ID})
			if err != nil || canceled.Status.State != spec.TaskStateCanceled {
				t.Fatalf("cancel: %+v %v", canceled, err)
			}
			if _, err := cl.CancelTask(ctx, &spec.CancelTaskRequest{ID: task.ID}); !errors.Is(err, spec.ErrTaskNotCancelable) {
				t.Fatalf("second cancel: %v", err)
			}
			var status string
			if err := n.DB().QueryRow(ctx, `SELECT status FROM conversations WHERE id = ?`, task.ContextID).Scan(&status); err != nil || status != "canceled" {
				t.Fatalf("conversation after cancel: %q %v", status, err)
			}
		})
	}
}

// TestSpentBudget: with the key's budget spent, the message makes a failed
// task whose status message names the budget, the spend and the reset,
// and the model is never called.
func TestSpentBudget(t *testing.T) {
	script := &testbed.Script{Step: testbed.Echo}
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t), Provider: script})
	c := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{BudgetDaily: 0, BudgetMonthly: budget.None, BudgetTotal: budget.None})
	task := send(t, client(t, n, c, spec.TransportProtocolJSONRPC), "Create a contact for Jane Doe", "", "", false)
	msg := reply(task)
	if task.Status.State != spec.TaskStateFailed || task.Metadata["status"] != "budget_exceeded" ||
		!contains(msg, "daily budget", "$0", "spent", "resets at") {
		t.Fatalf("spent budget: %s %+v %q", task.Status.State, task.Metadata, msg)
	}
	if script.Calls() != 0 {
		t.Fatalf("the model was called %d times with the budget spent", script.Calls())
	}
}
