package node

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// NegotiationTurn is one signed envelope of a negotiation.
type NegotiationTurn struct {
	Seq  int64     `json:"seq" doc:"1 for open, then one more per envelope from either side"`
	From string    `json:"from" doc:"The sender's node id"`
	Type string    `json:"type" doc:"The envelope type" enum:"open,message,propose,accept,reject,close"`
	Text string    `json:"text" doc:"The envelope's text"`
	Data any       `json:"data" doc:"The envelope's data (any JSON value), null when none"`
	JWS  string    `json:"jws" doc:"The envelope as signed by its sender: a compact JWS (EdDSA, typ sois-envelope+jws)"`
	At   time.Time `json:"at" doc:"When this side sent or accepted it"`
}

// NegotiationJSON is a negotiation as the API returns it (DESIGN §7).
type NegotiationJSON struct {
	ID         string            `json:"id" doc:"The negotiation id, the same on both sides"`
	Peer       string            `json:"peer" doc:"The other node's id"`
	Goal       string            `json:"goal" doc:"What the opener asked for"`
	Status     string            `json:"status" doc:"open while it runs, then how it ended" enum:"open,accepted,rejected,closed,turn_limit,budget_cap,expired,failed"`
	Turns      []NegotiationTurn `json:"turns" doc:"The signed transcript, by seq"`
	Summary    string            `json:"summary" doc:"What happened, built from the transcript; empty while open"`
	CostUSD    string            `json:"cost_usd" doc:"This side's spend, in USD"`
	MaxUSD     string            `json:"max_usd" doc:"This side's cap, in USD"`
	MaxTurns   int               `json:"max_turns" doc:"Turns (envelopes from either side) allowed"`
	CreatedAt  time.Time         `json:"created_at"`
	FinishedAt *time.Time        `json:"finished_at" doc:"null while open"`
}

func negotiationJSON(n negotiation.Negotiation) NegotiationJSON {
	out := NegotiationJSON{ID: n.ID, Peer: n.Peer, Goal: n.Goal, Status: string(n.Status), Turns: []NegotiationTurn{},
		Summary: n.Summary, CostUSD: n.Cost.Short(), MaxUSD: n.MaxUSD.Short(), MaxTurns: n.MaxTurns, CreatedAt: n.CreatedAt}
	for _, t := range n.Turns {
		var data any
		if t.Data != nil {
			data = json.RawMessage(t.Data)
		}
		out.Turns = append(out.Turns, NegotiationTurn{Seq: t.Seq, From: t.From, Type: string(t.Type), Text: t.Text, Data: data, JWS: t.JWS, At: t.At})
	}
	if !n.FinishedAt.IsZero() {
		f := n.FinishedAt
		out.FinishedAt = &f
	}
	return out
}

type negotiationCreateInput struct {
	Body struct {
		Peer     string `json:"peer" minLength:"1" maxLength:"128" doc:"A pinned peer of the workspace: its peer id or node id"`
		Goal     string `json:"goal" minLength:"1" maxLength:"4000" doc:"What to negotiate; sent as the open envelope's text"`
		MaxUSD   string `json:"max_usd,omitempty" default:"1.00" doc:"This side's cap for the exchange, in USD" example:"1.00"`
		MaxTurns int    `json:"max_turns,omitempty" default:"10" minimum:"1" maximum:"100" doc:"Turns (envelopes from either side) allowed"`
	}
}

type negotiationOutput struct {
	Location string `header:"Location"`
	Body     NegotiationJSON
}

type negotiationGetInput struct {
	ID string `path:"id" maxLength:"128" doc:"The negotiation id"`
}

func (n *Node) registerNegotiations(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "create-negotiation", Method: http.MethodPost, Path: "/api/negotiations", DefaultStatus: http.StatusCreated,
		Summary: "Open a negotiation with a pinned peer",
		Description: "Creates the negotiation, sends a signed open envelope (text = goal) to the peer's /federation/v1/messages and records its answer. " +
			"The negotiation is returned as it stands: closed, accepted or rejected when the peer ended it, failed when the peer could not be reached or refused, open otherwise. " +
			"When it ends, negotiation.finished is sent to the key's response_url.",
		Tags: []string{"Negotiations"}, Security: securityBoth, Errors: []int{401, 404, 422, 429},
	}, n.createNegotiation)
	huma.Register(api, huma.Operation{
		OperationID: "get-negotiation", Method: http.MethodGet, Path: "/api/negotiations/{id}",
		Summary:     "Get a negotiation",
		Description: "The negotiation with its signed transcript. Another workspace's negotiation is not found.",
		Tags:        []string{"Negotiations"}, Security: securityBoth, Errors: []int{401, 404, 429},
	}, func(ctx context.Context, in *negotiationGetInput) (*negotiationOutput, error) {
		neg, err := negotiation.Get(ctx, n.db, principal(ctx).Caller.WorkspaceID, in.ID)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return &negotiationOutput{Body: negotiationJSON(neg)}, nil
	})
}

func (n *Node) createNegotiation(ctx context.Context, in *negotiationCreateInput) (*negotiationOutput, error) {
	pr := principal(ctx)
	ws := pr.Caller.WorkspaceID
	maxUSD, err := money.Parse(in.Body.MaxUSD)
	if err != nil {
		return nil, problemFor(n.log, errs.E(errs.Invalid, "max_usd must be a dollar amount like 1.50, at most 6 decimals"))
	}
	peer, err := peers.Get(ctx, n.db, ws, in.Body.Peer)
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	id := "neg_" + access.NewID()
	open := n.envelope(id, 1, peer.NodeID, negotiation.TypeOpen, in.Body.Goal, maxUSD)
	token, err := negotiation.Sign(ctx, n.keys, open)
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	err = n.db.InTx(ctx, func(tx store.Tx) error {
		if _, err := negotiation.Create(ctx, tx, ws, negotiation.CreateParams{
			ID: id, Peer: peer.NodeID, Goal: in.Body.Goal, MaxUSD: maxUSD, MaxTurns: in.Body.MaxTurns,
		}, n.now()); err != nil {
			return err
		}
		_, err := negotiation.AppendTurn(ctx, tx, ws, id, negotiation.TurnOf(open, token, n.now()), 0)
		return err
	})
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	neg, err := n.exchange(ctx, pr, peer, id, token)
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	return &negotiationOutput{Location: "/api/negotiations/" + id, Body: negotiationJSON(neg)}, nil
}

// exchange sends the open envelope and records the peer's answer. A peer
// that cannot be reached, refuses or answers with a bad envelope ends the
// negotiation as failed.
func (n *Node) exchange(ctx context.Context, pr access.Principal, peer peers.Peer, id, token string) (negotiation.Negotiation, error) {
	ws := pr.Caller.WorkspaceID
	neg, err := negotiation.Get(ctx, n.db, ws, id)
	if err != nil {
		return negotiation.Negotiation{}, err
	}
	caps := negotiation.Caps{MaxTurns: neg.MaxTurns, MaxUSD: neg.MaxUSD}
	state, ended, status := negotiation.Next(negotiation.StateNew, negotiation.TypeOpen, 1, 0, caps)
	var answer negotiation.Envelope
	var reply, failure string
	if !ended {
		reply, err = n.send(ctx, peer.BaseURL, token)
		if err == nil && reply != "" {
			answer, err = n.checkAnswer(ctx, peer, neg, state, reply)
		}
		switch {
		case err != nil:
			n.log.Warn("negotiation failed", "negotiation_id", id, "peer", peer.NodeID, "err", err)
			ended, status = true, negotiation.StatusFailed
			reply, failure = "", errs.Message(err)
		case reply != "":
			_, ended, status = negotiation.Next(state, answer.Type, 2, 0, caps)
		}
	}
	var finished bool
	err = n.db.InTx(ctx, func(tx store.Tx) error {
		var err error
		if reply != "" {
			if neg, err = negotiation.AppendTurn(ctx, tx, ws, id, negotiation.TurnOf(answer, reply, n.now()), 0); err != nil {
				return err
			}
		}
		if !ended {
			return nil
		}
		summary := Summarize(neg, status, n.nodeID)
		if failure != "" {
			summary += "\nfailed: " + failure
		}
		if neg, err = negotiation.Finish(ctx, tx, ws, id, status, truncate(summary, negotiation.MaxSummary), n.now()); err != nil {
			return err
		}
		finished = true
		return n.queueNegotiationWebhook(ctx, tx, pr, neg)
	})
	if err != nil {
		return negotiation.Negotiation{}, err
	}
	if finished {
		n.dispatcher.Notify()
	}
	return neg, nil
}

// checkAnswer verifies the peer's answer with the keys pinned for it.
func (n *Node) checkAnswer(ctx context.Context, peer peers.Peer, neg negotiation.Negotiation, state negotiation.State, reply string) (negotiation.Envelope, error) {
	keys, err := peer.KeySet()
	if err != nil {
		return negotiation.Envelope{}, err
	}
	env, err := negotiation.Verify(ctx, keys, reply, negotiation.Expect{
		Self: n.nodeID, Peer: peer.NodeID, State: state, LastSeq: neg.LastSeq(), Now: n.now(),
	})
	if err == nil && env.NegotiationID != neg.ID {
		err = errs.E(errs.Malformed, "the peer answered for negotiation %s", env.NegotiationID)
	}
	if err == nil {
		err = negotiation.Remember(ctx, &negotiation.SQLNonces{DB: n.db, Now: n.now}, env)
	}
	if err != nil {
		return negotiation.Envelope{}, errs.Wrap(errs.Unavailable, err, "the peer's answer was refused: %v", err)
	}
	return env, nil
}

// queueNegotiationWebhook queues negotiation.finished to the key's
// response_url, if it has one, in the finishing transaction.
func (n *Node) queueNegotiationWebhook(ctx context.Context, tx store.Tx, pr access.Principal, neg negotiation.Negotiation) error {
	if pr.Key.ResponseURL == "" {
		return nil
	}
	d, err := webhook.NewDelivery(neg.WorkspaceID, pr.Key.ID, webhook.EventNegotiation, pr.Key.ResponseURL, webhook.Payload{Negotiation: negotiationJSON(neg)})
	if err != nil {
		return err
	}
	d.CreatedAt = n.now()
	return webhook.Enqueue(ctx, tx, d)
}
