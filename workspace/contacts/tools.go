package contacts

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/workspace"
)

// Tools returns the contacts_* workspace tools, each declared once.
func Tools() []workspace.Tool {
	return []workspace.Tool{
		workspace.Define(workspace.Spec[Filter]{
			Name:        "contacts_search",
			Description: "Search the workspace's contacts by free text or by name, email, company, city or tag; results are paged by name.",
			Scope:       "contacts:read", Effect: workspace.Read, Run: runSearch,
		}),
		workspace.Define(workspace.Spec[idArgs]{
			Name:        "contacts_get",
			Description: "Get one contact by id, with all its fields.",
			Scope:       "contacts:read", Effect: workspace.Read, Run: runGet,
		}),
		workspace.Define(workspace.Spec[Fields]{
			Name:        "contacts_create",
			Description: "Create a contact (a person outside the workspace); name is required and the email must not belong to another contact.",
			Scope:       "contacts:write", Effect: workspace.Write, Run: runCreate,
		}),
		workspace.Define(workspace.Spec[updateArgs]{
			Name:        "contacts_update",
			Description: "Change fields of a contact by id; only the fields you pass change (an empty string clears a field, null leaves it).",
			Scope:       "contacts:write", Effect: workspace.Write, Idempotent: true, Run: runUpdate,
		}),
		workspace.Define(workspace.Spec[idArgs]{
			Name:        "contacts_delete",
			Description: "Delete a contact by id; tasks linked to it are kept but unlinked.",
			Scope:       "contacts:write", Effect: workspace.Destroy, Idempotent: true, Run: runDelete,
		}),
	}
}

// idArgs are the arguments of the tools that name one contact.
type idArgs struct {
	ID string `json:"id" schema:"required,minLength=1,maxLength=64" jsonschema:"Id of the contact (a ULID from contacts_search or contacts_create)"`
}

// updateArgs are contacts_update's arguments: the contact and the patch.
type updateArgs struct {
	ID string `json:"id" schema:"required,minLength=1,maxLength=64" jsonschema:"Id of the contact to change"`
	Patch
}

// one is the result shape of the single-contact tools.
type one struct {
	Contact Contact `json:"contact"`
	Deleted bool    `json:"deleted,omitempty"`
}

func runSearch(ctx context.Context, env workspace.Env, f Filter) (workspace.Result, error) {
	page, err := Search(ctx, env.Tx, env.Caller.WorkspaceID, f)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: page}, nil
}

func runGet(ctx context.Context, env workspace.Env, a idArgs) (workspace.Result, error) {
	c, err := Get(ctx, env.Tx, env.Caller.WorkspaceID, a.ID)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: one{Contact: c}}, nil
}

func runCreate(ctx context.Context, env workspace.Env, f Fields) (workspace.Result, error) {
	c, err := Create(ctx, env.Tx, env.Caller.WorkspaceID, env.Caller.MemberID, f, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	return receipt("contacts_create", c, "Created contact "+c.Label(), false), nil
}

func runUpdate(ctx context.Context, env workspace.Env, a updateArgs) (workspace.Result, error) {
	c, changed, err := Update(ctx, env.Tx, env.Caller.WorkspaceID, a.ID, a.Patch, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	return receipt("contacts_update", c, fmt.Sprintf("Updated contact %s: %s", c.Label(), strings.Join(changed, ", ")), false), nil
}

func runDelete(ctx context.Context, env workspace.Env, a idArgs) (workspace.Result, error) {
	c, unlinked, err := Delete(ctx, env.Tx, env.Caller.WorkspaceID, a.ID, env.Now)
	if err != nil {
		return workspace.Result{}, err
	}
	summary := "Deleted contact " + c.Label()
	if unlinked > 0 {
		summary += fmt.Sprintf(" and unlinked %d task(s)", unlinked)
	}
	return receipt("contacts_delete", c, summary, true), nil
}

func receipt(tool string, c Contact, summary string, deleted bool) workspace.Result {
	return workspace.Result{
		Data:    one{Contact: c, Deleted: deleted},
		Actions: []workspace.Receipt{{Tool: tool, OK: true, Ref: c.Ref(), Summary: summary}},
	}
}
