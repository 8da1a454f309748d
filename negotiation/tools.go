package negotiation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/workspace"
)

// ErrBudgetCap is what an agent returns when the next model call could
// pass the exchange's cap: the exchange ends as budget_cap and the model
// receives no call.
var ErrBudgetCap = errors.New("negotiation: the next model call could pass the exchange's budget cap")

// callerTools is Tools for one workspace.Caller, with an optional explicit
// allow-list of scopes that must cover every tool (a peer policy: an
// empty policy allows no tool at all, unlike an empty key scope list).
type callerTools struct {
	reg    *workspace.Registry
	caller workspace.Caller
	policy []string // nil: no policy (the caller's own scopes apply)
	strict bool     // policy applies, even when empty
}

func (t callerTools) allowed(tool workspace.Tool) bool {
	if !t.strict {
		return true
	}
	return len(t.policy) > 0 && workspace.ScopeAllows(t.policy, tool.Scope) && !tool.External()
}

// List implements Tools.
func (t callerTools) List(ctx context.Context) ([]workspace.Tool, error) {
	all, err := t.reg.List(ctx, t.caller)
	if err != nil {
		return nil, err
	}
	out := []workspace.Tool{}
	for _, tool := range all {
		if t.allowed(tool) && tool.Name != ToolNegotiate {
			out = append(out, tool)
		}
	}
	return out, nil
}

// Call implements Tools: a tool outside the policy is refused here, in
// code, whatever the agent was told.
func (t callerTools) Call(ctx context.Context, name string, args json.RawMessage) (workspace.Result, error) {
	tool, err := t.reg.Lookup(ctx, t.caller, name)
	if err != nil {
		return workspace.Result{}, err
	}
	if !t.allowed(tool) || name == ToolNegotiate {
		return workspace.Result{}, errs.E(errs.Forbidden, "tool %s is outside what this exchange may use (it needs scope %s)", name, tool.Scope)
	}
	return t.reg.Call(ctx, t.caller, name, args)
}

// PolicyTools are the tools a peer's requests may use here: only those
// its inbound policy's scopes cover (none for an empty policy), run as
// the workspace's first owner, never an extension's.
func (s *Service) PolicyTools(ctx context.Context, p peers.Peer) (Tools, error) {
	var owner string
	err := s.DB.QueryRow(ctx, `SELECT id FROM members WHERE workspace_id = ? AND role = ? ORDER BY created_at, id LIMIT 1`,
		p.WorkspaceID, string(workspace.Owner)).Scan(&owner)
	if err != nil {
		return nil, fmt.Errorf("negotiation: owner of %s: %w", p.WorkspaceID, err)
	}
	scopes := append([]string{}, p.Scopes...)
	caller := workspace.Caller{WorkspaceID: p.WorkspaceID, MemberID: owner, Role: workspace.Member, Scopes: scopes}
	if len(scopes) == 0 {
		caller.Scopes = []string{"none:read"} // never empty: empty means "no narrowing"
	}
	return callerTools{reg: s.Registry, caller: caller, policy: scopes, strict: true}, nil
}

// openerTools are the tools of the opener: its key's scopes and member.
func (s *Service) openerTools(ctx context.Context, n Negotiation) (Tools, error) {
	key, err := access.FindKey(ctx, s.DB, n.KeyID)
	if err != nil {
		return nil, err
	}
	if key.Revoked {
		return nil, errs.E(errs.Forbidden, "the integration key that opened the exchange was revoked")
	}
	m, err := access.GetMember(ctx, s.DB, n.WorkspaceID, n.MemberID)
	if err != nil {
		return nil, err
	}
	return callerTools{reg: s.Registry, caller: workspace.Caller{
		WorkspaceID: n.WorkspaceID, MemberID: m.ID, Role: m.Role, KeyID: key.ID, Scopes: key.Scopes,
	}}, nil
}
