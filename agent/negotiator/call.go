package negotiator

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/store"
)

// call makes one model call for exchange n: its maximum cost held under
// the limits and the exchange's cap (budget.Cap, scope CapScope), its
// output capped to what the hold pays for, then settled to its priced
// cost in the ledger — in one transaction with within(tx, resp), when
// given. A call the cap could not cover is never made: the error wraps
// negotiation.ErrBudgetCap. cost is what the ledger recorded (0 when the
// call was not made).
func (a *Agent) call(ctx context.Context, n negotiation.Negotiation, turn int, req agent.Request, limits budget.Limits, pricer agent.Pricer,
	within func(ctx context.Context, tx store.Tx, resp agent.Response) error) (agent.Response, money.Micro, error) {
	maxCost, priced := pricer.MaxCost(req.Model, req)
	if !priced {
		return agent.Response{}, 0, errs.E(errs.Invalid, "model %q has no price, and an exchange always has a cap; refusing to spend unpriced", req.Model)
	}
	lo := req
	lo.MaxOutputTokens = min(minOutputTokens, req.MaxOutputTokens)
	minCost, _ := pricer.MaxCost(req.Model, lo)
	hold, err := a.Budgets.Reserve(ctx, budget.Request{
		Key:  limits,
		Call: budget.Call{ConversationID: n.ID, Turn: turn, Model: req.Model},
		Min:  minCost, Max: maxCost,
		Cap: &budget.Cap{Name: "negotiation", Scope: CapScope(n.ID), Limit: n.MaxUSD},
	})
	if err != nil {
		if errs.Is(err, errs.BudgetSpent) {
			err = fmt.Errorf("%w: %s", negotiation.ErrBudgetCap, errs.Message(err))
		}
		return agent.Response{}, 0, err
	}
	if hold.Amount() < maxCost {
		req.MaxOutputTokens = agent.Affordable(pricer, req, lo.MaxOutputTokens, req.MaxOutputTokens, hold.Amount())
	}
	resp, err := a.Provider.Generate(ctx, req)
	if err != nil {
		if agent.UnknownOutcome(err) {
			_ = hold.Unconfirmed(ctx)
		} else {
			_ = hold.Release(ctx)
		}
		return agent.Response{}, 0, fmt.Errorf("negotiator: model call: %w", err)
	}
	model := resp.Model
	if model == "" {
		model = req.Model
	}
	cost, ok := pricer.Cost(model, resp.Usage)
	if !ok {
		cost = hold.Amount()
	}
	charge := budget.Charge{Model: model, InputTokens: resp.Usage.InputTokens, CachedTokens: resp.Usage.CachedInputTokens, OutputTokens: resp.Usage.OutputTokens, Cost: cost}
	if err := a.DB.InTx(ctx, func(tx store.Tx) error {
		if err := hold.Settle(ctx, tx, charge); err != nil {
			return err
		}
		if within != nil {
			return within(ctx, tx, resp)
		}
		return nil
	}); err != nil {
		_ = hold.Unconfirmed(ctx)
		return agent.Response{}, 0, err
	}
	if cost > hold.Amount() && hold.Limited() {
		// Billed past the hold's bound: the cap (or a budget) may be
		// overrun; the true cost is recorded and no further call made.
		return resp, cost, fmt.Errorf("%w: the provider billed $%s for a call that reserved $%s", negotiation.ErrBudgetCap, cost.Short(), hold.Amount().Short())
	}
	return resp, cost, nil
}

// endsTurn reads the move a model's answer ends the turn with at once:
// plain text (a message; the open on turn 1), or negotiation_reply as its
// first call. A reply after other calls ends the turn once those ran
// (replyOf, in the loop).
func endsTurn(resp agent.Response, seq int64) (negotiation.Move, bool) {
	if len(resp.Message.Calls) == 0 {
		m := negotiation.Move{Type: negotiation.TypeMessage, Text: resp.Message.Text}
		if seq == 1 {
			m.Type = negotiation.TypeOpen
		}
		return m, true
	}
	return replyOf(resp.Message.Calls[0])
}

// replyOf reads a negotiation_reply call.
func replyOf(call agent.ToolCall) (negotiation.Move, bool) {
	if call.Name != ReplyTool {
		return negotiation.Move{}, false
	}
	var r replyArgs
	if err := json.Unmarshal(call.Args, &r); err != nil {
		return negotiation.Move{}, false
	}
	return negotiation.Move{Type: negotiation.Type(r.Type), Text: r.Text, Data: r.Data}, true
}
