package negotiation

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/workspace"
)

// Names of the agent tools this package adds to the workspace registry.
const (
	ToolPeers     = "peers_list"
	ToolNegotiate = "peers_negotiate"
)

// The scopes of those tools, which the caller API of negotiations asks
// too: reading peers and exchanges, and opening or ending one.
const (
	ScopeRead  = "peers:read"
	ScopeWrite = "peers:write"
)

// AgentTools are peers_list and peers_negotiate, for the workspace
// registry (every provider and MCP see them). Through the agent loop,
// peers_negotiate waits for the exchange to end (Poll); over MCP it opens
// the exchange and returns its id at once.
func (s *Service) AgentTools() []workspace.Tool {
	return []workspace.Tool{
		workspace.Define(workspace.Spec[workspace.NoArgs]{
			Name:        ToolPeers,
			Description: "List the nodes this workspace federates with (pinned peers): name, node id and what each may ask of us.",
			Scope:       ScopeRead, Effect: workspace.Read, Run: s.runPeersList,
		}),
		workspace.Define(workspace.Spec[negotiateArgs]{
			Name:        ToolNegotiate,
			Description: "Open a signed negotiation with a pinned peer node: its agent answers the goal under its policy (for example by sending records, which are imported here when the goal says so); returns the exchange's summary and receipts.",
			Scope:       ScopeWrite, Effect: workspace.Write, OpenWorld: true, Run: s.runNegotiate,
		}),
	}
}

type peerView struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	NodeID   string   `json:"node_id"`
	BaseURL  string   `json:"base_url"`
	Scopes   []string `json:"scopes"`
	MaxUSD   string   `json:"max_usd"`
	MaxTurns int      `json:"max_turns"`
	// A2AURL: a plain A2A agent's JSON-RPC interface (its turns come
	// unsigned); omitted for a soisnode node.
	A2AURL string `json:"a2a_url,omitempty"`
}

func (s *Service) runPeersList(ctx context.Context, env workspace.Env, _ workspace.NoArgs) (workspace.Result, error) {
	ps, err := peers.List(ctx, env.Tx, env.Caller.WorkspaceID)
	if err != nil {
		return workspace.Result{}, err
	}
	out := []peerView{}
	for _, p := range ps {
		out = append(out, peerView{ID: p.ID, Name: p.Name, NodeID: p.NodeID, BaseURL: p.BaseURL, Scopes: p.Scopes, MaxUSD: p.MaxUSD.Short(), MaxTurns: p.MaxTurns, A2AURL: p.A2AURL})
	}
	return workspace.Result{Data: map[string]any{"peers": out}}, nil
}

// negotiateArgs are peers_negotiate's arguments.
type negotiateArgs struct {
	Peer     string `json:"peer" schema:"required,minLength=1,maxLength=128" jsonschema:"The peer: its local name, peer id or node id (see peers_list)."`
	Goal     string `json:"goal" schema:"required,minLength=1,maxLength=4000" jsonschema:"What to ask the peer's agent for, in plain English, e.g. every contact at Acme in London; say 'and add them here' to import what comes back."`
	MaxUSD   string `json:"max_usd" jsonschema:"This side's cap for the exchange in USD (default 1.00; never above the peer policy's)." schema:"pattern=^[0-9]+(\\.[0-9]{1,6})?$"`
	MaxTurns int    `json:"max_turns" schema:"minimum=1,maximum=100" jsonschema:"Envelopes from either side allowed (default 10)."`
}

func (a negotiateArgs) params(c workspace.Caller, id string) (OpenParams, error) {
	maxUSD := money.Dollar
	if a.MaxUSD != "" {
		m, err := money.Parse(a.MaxUSD)
		if err != nil {
			return OpenParams{}, errs.E(errs.Invalid, "max_usd must be a dollar amount like 1.50, at most 6 decimals")
		}
		maxUSD = m
	}
	if a.MaxTurns == 0 {
		a.MaxTurns = 10
	}
	return OpenParams{WorkspaceID: c.WorkspaceID, KeyID: c.KeyID, MemberID: c.MemberID, Peer: strings.TrimSpace(a.Peer),
		Goal: a.Goal, MaxUSD: maxUSD, MaxTurns: a.MaxTurns, ID: id}, nil
}

// runNegotiate is peers_negotiate outside the agent loop (MCP): it opens
// the exchange and returns at once.
func (s *Service) runNegotiate(ctx context.Context, env workspace.Env, a negotiateArgs) (workspace.Result, error) {
	p, err := a.params(env.Caller, "")
	if err != nil {
		return workspace.Result{}, err
	}
	n, err := s.Open(ctx, p)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{
		Data:    map[string]any{"negotiation_id": n.ID, "status": n.Status, "peer": n.Peer, "poll_url": "/api/negotiations/" + n.ID},
		Actions: []workspace.Receipt{{Tool: ToolNegotiate, OK: true, Ref: "negotiation/" + n.ID, Summary: "Opened a negotiation with " + n.Peer}},
	}, nil
}

// Waiter is peers_negotiate inside the agent loop: the caller's turn
// waits (without a worker) until the exchange ends, then gets its summary
// and receipts.
func (s *Service) Waiter() agent.Waiter { return waiter{s} }

type waiter struct{ s *Service }

// Poll implements agent.Waiter. The exchange's id is derived from the
// conversation, turn and call, so a repeated poll finds it again.
func (w waiter) Poll(ctx context.Context, c agent.WaitCall) (workspace.Result, bool, error) {
	var a negotiateArgs
	if err := workspace.DecodeArgs(c.Args, &a); err != nil {
		return workspace.Result{}, false, err
	}
	p, err := a.params(c.Caller, waitID(c))
	if err != nil {
		return workspace.Result{}, false, err
	}
	n, err := w.s.Open(ctx, p)
	if err != nil {
		return workspace.Result{}, false, err
	}
	if !n.Status.Final() {
		return workspace.Result{}, false, nil
	}
	if pending, err := summaryPending(ctx, w.s.DB, n.WorkspaceID, n.ID); err != nil || pending {
		return workspace.Result{}, false, err // the model is writing the summary
	}
	if n, err = Get(ctx, w.s.DB, n.WorkspaceID, n.ID); err != nil {
		return workspace.Result{}, false, err
	}
	receipts := []workspace.Receipt{{Tool: ToolNegotiate, OK: n.Status != StatusFailed, Ref: "negotiation/" + n.ID,
		Summary: fmt.Sprintf("Negotiation with %s ended %s after %d turns", n.Peer, n.Status, len(n.Turns))}}
	receipts = append(receipts, n.Actions...)
	data := map[string]any{"negotiation_id": n.ID, "status": n.Status, "summary": n.Summary, "turns": len(n.Turns), "cost_usd": n.Cost.Short()}
	// The peer's words are in the summary: outside data for the model.
	return workspace.Result{Data: data, Actions: receipts, Untrusted: true}, true, nil
}

var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// waitID is the exchange id of one waiting call.
func waitID(c agent.WaitCall) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%s", c.ConversationID, c.Turn, c.CallID)))
	return "neg_" + idEncoding.EncodeToString(h[:16])
}
