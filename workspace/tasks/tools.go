package tasks

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/workspace"
)

// Tools returns the tasks_* workspace tools, each declared once.
func Tools() []workspace.Tool {
	return []workspace.Tool{
		workspace.Define(workspace.Spec[Filter]{
			Name:        "tasks_search",
			Description: "Search the workspace's tasks by free text, status, assignee, linked contact or due-date range; results are paged, oldest first.",
			Scope:       "tasks:read", Effect: workspace.Read, Run: runSearch,
		}),
		workspace.Define(workspace.Spec[New]{
			Name:        "tasks_create",
			Description: "Create an open task with a title and optionally a description, due date, assignee (a member) and linked contact.",
			Scope:       "tasks:write", Effect: workspace.Write, Run: runCreate,
		}),
		workspace.Define(workspace.Spec[updateArgs]{
			Name:        "tasks_update",
			Description: "Change a task's title, description, status, due date or linked contact; only the fields you pass change.",
			Scope:       "tasks:write", Effect: workspace.Write, Idempotent: true, Run: runUpdate,
		}),
		workspace.Define(workspace.Spec[assignArgs]{
			Name:        "tasks_assign",
			Description: "Assign or reassign a task to a member of the workspace, or unassign it with an empty assignee_id.",
			Scope:       "tasks:write", Effect: workspace.Write, Idempotent: true, Run: runAssign,
		}),
		workspace.Define(workspace.Spec[idArgs]{
			Name:        "tasks_complete",
			Description: "Mark a task as done.",
			Scope:       "tasks:write", Effect: workspace.Write, Idempotent: true, Run: runComplete,
		}),
		workspace.Define(workspace.Spec[idArgs]{
			Name:        "tasks_delete",
			Description: "Delete a task by id.",
			Scope:       "tasks:write", Effect: workspace.Destroy, Idempotent: true, Run: runDelete,
		}),
	}
}

// idArgs are the arguments of the tools that name one task.
type idArgs struct {
	ID string `json:"id" schema:"required,minLength=1,maxLength=64" jsonschema:"Id of the task (a ULID from tasks_search or tasks_create)"`
}

// updateArgs are tasks_update's arguments: the task and the patch.
type updateArgs struct {
	ID string `json:"id" schema:"required,minLength=1,maxLength=64" jsonschema:"Id of the task to change"`
	Patch
}

// assignArgs are tasks_assign's arguments.
type assignArgs struct {
	ID         string `json:"id" schema:"required,minLength=1,maxLength=64" jsonschema:"Id of the task"`
	AssigneeID string `json:"assignee_id" schema:"required,maxLength=64" jsonschema:"Id of the workspace member to give it to (see org_members), \"me\" for yourself, or empty to unassign"`
}

// one is the result shape of the single-task tools.
type one struct {
	Task    Task `json:"task"`
	Deleted bool `json:"deleted,omitempty"`
}

// me resolves the "me" shorthand to the calling member.
func me(env workspace.Env, id string) string {
	if strings.EqualFold(strings.TrimSpace(id), "me") {
		return env.Caller.MemberID
	}
	return id
}

func runSearch(ctx context.Context, env workspace.Env, f Filter) (workspace.Result, error) {
	f.AssigneeID = me(env, f.AssigneeID)
	page, err := Search(ctx, env.Tx, env.Caller.WorkspaceID, f)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: page}, nil
}

func runCreate(ctx context.Context, env workspace.Env, n New) (workspace.Result, error) {
	n.AssigneeID = me(env, n.AssigneeID)
	t, err := Create(ctx, env.Tx, env.Caller.WorkspaceID, env.Caller.MemberID, n, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	var extra []string
	if t.Due != "" {
		extra = append(extra, "due "+t.Due)
	}
	if t.AssigneeID != "" {
		extra = append(extra, "assigned to "+t.AssigneeName)
	}
	if t.ContactID != "" {
		extra = append(extra, "for "+t.ContactName)
	}
	summary := fmt.Sprintf("Created task %q", t.Title)
	if len(extra) > 0 {
		summary += " (" + strings.Join(extra, ", ") + ")"
	}
	return receipt("tasks_create", t, summary), nil
}

func runUpdate(ctx context.Context, env workspace.Env, a updateArgs) (workspace.Result, error) {
	t, changed, err := Update(ctx, env.Tx, env.Caller.WorkspaceID, a.ID, a.Patch, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	return receipt("tasks_update", t, fmt.Sprintf("Updated task %q: %s", t.Title, strings.Join(changed, ", "))), nil
}

func runAssign(ctx context.Context, env workspace.Env, a assignArgs) (workspace.Result, error) {
	before, t, err := Assign(ctx, env.Tx, env.Caller.WorkspaceID, a.ID, me(env, a.AssigneeID), env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	var summary string
	switch {
	case t.AssigneeID == "":
		summary = fmt.Sprintf("Unassigned task %q", t.Title)
	case before.AssigneeID != "" && before.AssigneeID != t.AssigneeID:
		summary = fmt.Sprintf("Reassigned task %q from %s to %s", t.Title, before.AssigneeName, t.AssigneeName)
	default:
		summary = fmt.Sprintf("Assigned task %q to %s", t.Title, t.AssigneeName)
	}
	return receipt("tasks_assign", t, summary), nil
}

func runComplete(ctx context.Context, env workspace.Env, a idArgs) (workspace.Result, error) {
	t, changed, err := Complete(ctx, env.Tx, env.Caller.WorkspaceID, a.ID, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	if !changed {
		// Nothing happened, so there is no receipt; the data says it is done.
		return workspace.Result{Data: one{Task: t}}, nil
	}
	return receipt("tasks_complete", t, fmt.Sprintf("Completed task %q", t.Title)), nil
}

func runDelete(ctx context.Context, env workspace.Env, a idArgs) (workspace.Result, error) {
	t, err := Delete(ctx, env.Tx, env.Caller.WorkspaceID, a.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	res := receipt("tasks_delete", t, fmt.Sprintf("Deleted task %q", t.Title))
	res.Data = one{Task: t, Deleted: true}
	return res, nil
}

func receipt(tool string, t Task, summary string) workspace.Result {
	return workspace.Result{
		Data:    one{Task: t},
		Actions: []workspace.Receipt{{Tool: tool, OK: true, Ref: t.Ref(), Summary: summary}},
	}
}
