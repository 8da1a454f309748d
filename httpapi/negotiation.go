package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/workspace"
)

// NegotiationTurn is one signed envelope of a negotiation.
type NegotiationTurn struct {
	Seq    int64     `json:"seq" doc:"1 for open, then one more per envelope from either side"`
	From   string    `json:"from" doc:"The sender's node id"`
	Type   string    `json:"type" doc:"The envelope type" enum:"open,message,propose,accept,reject,close"`
	Text   string    `json:"text" doc:"The envelope's text"`
	Data   any       `json:"data" doc:"The envelope's data (any JSON value), null when none"`
	JWS    string    `json:"jws" doc:"The envelope as signed by its sender: a compact JWS (EdDSA, typ sois-envelope+jws); empty for a plain A2A peer's answer"`
	Signed bool      `json:"signed" doc:"false for a plain A2A peer's answer, which carries no signature (docs/a2a.md)"`
	At     time.Time `json:"at" doc:"When this side sent or accepted it"`
}

// NegotiationJSON is a negotiation as the API returns it (DESIGN §7).
type NegotiationJSON struct {
	ID         string            `json:"id" doc:"The negotiation id, the same on both sides"`
	Peer       string            `json:"peer" doc:"The other node's id"`
	Goal       string            `json:"goal" doc:"What the opener asked for"`
	Status     string            `json:"status" doc:"open while it runs, then how it ended" enum:"open,accepted,rejected,closed,turn_limit,budget_cap,expired,failed,canceled"`
	Turns      []NegotiationTurn `json:"turns" doc:"The signed transcript, by seq"`
	Summary    string            `json:"summary" doc:"What happened, built from the transcript; empty while open"`
	CostUSD    string            `json:"cost_usd" doc:"This side's spend, in USD"`
	MaxUSD     string            `json:"max_usd" doc:"This side's cap, in USD"`
	MaxTurns   int               `json:"max_turns" doc:"Turns (envelopes from either side) allowed"`
	CreatedAt  time.Time         `json:"created_at"`
	FinishedAt *time.Time        `json:"finished_at" doc:"null while open"`
}

// ViewNegotiation converts a negotiation for the API and the
// negotiation.finished webhook.
func ViewNegotiation(n negotiation.Negotiation) NegotiationJSON {
	out := NegotiationJSON{ID: n.ID, Peer: n.Peer, Goal: n.Goal, Status: string(n.Status), Turns: []NegotiationTurn{},
		Summary: n.Summary, CostUSD: n.Cost.Short(), MaxUSD: n.MaxUSD.Short(), MaxTurns: n.MaxTurns, CreatedAt: n.CreatedAt}
	for _, t := range n.Turns {
		var data any
		if t.Data != nil {
			data = json.RawMessage(t.Data)
		}
		out.Turns = append(out.Turns, NegotiationTurn{Seq: t.Seq, From: t.From, Type: string(t.Type), Text: t.Text, Data: data, JWS: t.JWS, Signed: t.Signed(), At: t.At})
	}
	if !n.FinishedAt.IsZero() {
		f := n.FinishedAt
		out.FinishedAt = &f
	}
	return out
}

type negotiationCreateInput struct {
	Body struct {
		Peer     string `json:"peer" minLength:"1" maxLength:"128" doc:"A pinned peer of the workspace: its name, peer id or node id"`
		Goal     string `json:"goal" minLength:"1" maxLength:"4000" doc:"What to negotiate, in plain English; the open envelope's text"`
		MaxUSD   string `json:"max_usd,omitempty" default:"1.00" doc:"This side's cap for the exchange, in USD (never above the peer policy's)" example:"1.00"`
		MaxTurns int    `json:"max_turns,omitempty" default:"10" minimum:"1" maximum:"100" doc:"Turns (envelopes from either side) allowed (never above the peer policy's)"`
	}
}

type negotiationOutput struct {
	Location string `header:"Location"`
	Body     NegotiationJSON
}

type negotiationGetInput struct {
	ID string `path:"id" maxLength:"128" doc:"The negotiation id"`
}

type negotiationListInput struct {
	Status string `query:"status" enum:"open,accepted,rejected,closed,turn_limit,budget_cap,expired,failed,canceled" doc:"Only negotiations with this status"`
	Limit  int    `query:"limit" minimum:"0" maximum:"100" doc:"Page size, default 20"`
	Cursor string `query:"cursor" maxLength:"200" doc:"next_cursor of the previous page"`
}

type negotiationListOutput struct {
	Body struct {
		Negotiations []NegotiationJSON `json:"negotiations" doc:"Newest first, without their turns"`
		NextCursor   string            `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last"`
	}
}

func (n *Server) registerNegotiations(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "create-negotiation", Method: http.MethodPost, Path: "/api/negotiations", DefaultStatus: http.StatusAccepted,
		Summary: "Open a negotiation with a pinned peer",
		Description: "Creates the negotiation and answers at once; this node's agent then writes the open envelope and a durable job sends it to the peer's /federation/v1/messages. " +
			"Both agents take turns until one accepts, rejects or closes, or a limit (turns, budget, deadline) ends it. Poll the Location, or wait for negotiation.finished at the key's response_url.",
		Tags: []string{"Negotiations"}, Security: securityBoth, Errors: []int{400, 401, 403, 404, 409, 422, 429},
	}, n.createNegotiation)
	huma.Register(api, huma.Operation{
		OperationID: "list-negotiations", Method: http.MethodGet, Path: "/api/negotiations",
		Summary: "List the workspace's negotiations", Description: "Newest first, paged with next_cursor, optionally by status; turns are left out (get one for its transcript).",
		Tags: []string{"Negotiations"}, Security: securityBoth, Errors: []int{400, 401, 403, 422, 429},
	}, func(ctx context.Context, in *negotiationListInput) (*negotiationListOutput, error) {
		if err := allowPeers(ctx, negotiation.ScopeRead, workspace.Read); err != nil {
			return nil, problemFor(n.log, err)
		}
		page, next, err := negotiation.List(ctx, n.db, negotiation.ListParams{
			WorkspaceID: principal(ctx).Caller.WorkspaceID, Status: negotiation.Status(in.Status), Limit: in.Limit, Cursor: in.Cursor,
		})
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		out := &negotiationListOutput{}
		out.Body.Negotiations, out.Body.NextCursor = make([]NegotiationJSON, 0, len(page)), next
		for _, neg := range page {
			out.Body.Negotiations = append(out.Body.Negotiations, ViewNegotiation(neg))
		}
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-negotiation", Method: http.MethodGet, Path: "/api/negotiations/{id}",
		Summary:     "Get a negotiation",
		Description: "The negotiation with its signed transcript. Another workspace's negotiation is not found.",
		Tags:        []string{"Negotiations"}, Security: securityBoth, Errors: []int{401, 403, 404, 429},
	}, func(ctx context.Context, in *negotiationGetInput) (*negotiationOutput, error) {
		if err := allowPeers(ctx, negotiation.ScopeRead, workspace.Read); err != nil {
			return nil, problemFor(n.log, err)
		}
		neg, err := negotiation.Get(ctx, n.db, principal(ctx).Caller.WorkspaceID, in.ID)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &negotiationOutput{Body: ViewNegotiation(neg)}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "cancel-negotiation", Method: http.MethodPost, Path: "/api/negotiations/{id}/cancel",
		Summary:     "Cancel an open negotiation",
		Description: "Ends it here as canceled and tells the peer with a signed close envelope carrying {\"kind\":\"cancel\"}, which ends it canceled there too. A finished negotiation is 409.",
		Tags:        []string{"Negotiations"}, Security: securityBoth, Errors: []int{401, 403, 404, 409, 429},
	}, func(ctx context.Context, in *negotiationGetInput) (*negotiationOutput, error) {
		if err := allowPeers(ctx, negotiation.ScopeWrite, workspace.Write); err != nil {
			return nil, problemFor(n.log, err)
		}
		neg, err := n.negotiations.Cancel(ctx, principal(ctx).Caller.WorkspaceID, in.ID)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &negotiationOutput{Body: ViewNegotiation(neg)}, nil
	})
}

func (n *Server) createNegotiation(ctx context.Context, in *negotiationCreateInput) (*negotiationOutput, error) {
	if err := allowPeers(ctx, negotiation.ScopeWrite, workspace.Write); err != nil {
		return nil, problemFor(n.log, err)
	}
	pr := principal(ctx)
	maxUSD, err := money.Parse(in.Body.MaxUSD)
	if err != nil {
		return nil, problemFor(n.log, errs.E(errs.Invalid, "max_usd must be a dollar amount like 1.50, at most 6 decimals"))
	}
	neg, err := n.negotiations.Open(ctx, negotiation.OpenParams{
		WorkspaceID: pr.Caller.WorkspaceID, KeyID: pr.Key.ID, MemberID: pr.Member.ID,
		Peer: in.Body.Peer, Goal: in.Body.Goal, MaxUSD: maxUSD, MaxTurns: in.Body.MaxTurns,
	})
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	return &negotiationOutput{Location: "/api/negotiations/" + neg.ID, Body: ViewNegotiation(neg)}, nil
}

// allowPeers refuses (403) a caller whose role or key scopes would not let
// it call the peers tools an operation stands for: opening or canceling
// an exchange is peers_negotiate's (peers:write, a write), reading one
// peers_list's (peers:read). A key scoped to contacts:read, or a viewer,
// opens no exchange over the API that it could not open as a tool.
func allowPeers(ctx context.Context, scope string, e workspace.Effect) error {
	if c := principal(ctx).Caller; !c.Allows(scope, e) {
		return errs.E(errs.Forbidden, "this needs scope %s and a role that may %s", scope, e)
	}
	return nil
}
