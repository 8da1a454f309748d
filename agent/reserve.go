package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
)

// CapFunc returns the extra limit, besides the key's budgets, on every
// model call of conv's turns, or nil for none. The negotiation service
// returns its cap: &budget.Cap{Name: "negotiation", Scope: …, Limit: …}.
type CapFunc func(ctx context.Context, conv conversation.Conversation) (*budget.Cap, error)

// reserve asks the budget for the hold of the call req is about to make
// and lowers req.MaxOutputTokens to what the hold pays for. The hold is an
// upper bound of the call's cost: the prompt bounded by its size (see
// Pricer.MaxCost) at the input price plus the output limit sent to the
// provider at the output price. stop is true when the turn must end with
// o instead: the budget (or the cap) cannot pay for MinOutputTokens of
// output, or the hold could not be written.
func (t *turnRun) reserve(ctx context.Context, req *Request) (hold *budget.Hold, o conversation.Outcome, stop bool) {
	limited := t.limits.Set() || t.cap != nil
	maxCost, priced := t.Pricer.MaxCost(req.Model, *req)
	var minCost money.Micro
	switch {
	case !priced && limited:
		return nil, t.failMsg(fmt.Sprintf("model %q has no price in the price table, and this key has a budget; refusing to spend unpriced", req.Model)), true
	case !priced:
		maxCost = 0
	default:
		lo := *req
		lo.MaxOutputTokens = min(t.MinOutputTokens, req.MaxOutputTokens)
		minCost, _ = t.Pricer.MaxCost(req.Model, lo)
	}
	hold, err := t.Budgets.Reserve(ctx, budget.Request{
		Key:  t.limits,
		Call: budget.Call{ConversationID: t.conv.ID, Turn: t.turn, Model: req.Model},
		Min:  minCost, Max: maxCost, Cap: t.cap,
	})
	if err != nil {
		if errs.Is(err, errs.BudgetSpent) {
			return nil, conversation.Outcome{Status: conversation.BudgetExceeded, Reply: budgetReply(err), Error: errs.Message(err), Actions: t.prog.receipts}, true
		}
		return nil, t.fail(err, "the budget reservation could not be written, so the model was not called"), true
	}
	if hold.Amount() < maxCost {
		req.MaxOutputTokens = Affordable(t.Pricer, *req, min(t.MinOutputTokens, req.MaxOutputTokens), req.MaxOutputTokens, hold.Amount())
		t.log.Info("model call capped to the budget", "max_output_tokens", req.MaxOutputTokens, "reserved_usd", hold.Amount().Short())
	}
	return hold, conversation.Outcome{}, false
}

// Affordable returns the largest output limit n in [lo, hi] whose maximum
// cost for req fits amount (lo when none does: the caller reserved at
// least lo's cost). MaxCost grows with the output limit, so a binary
// search finds it.
func Affordable(p Pricer, req Request, lo, hi int, amount money.Micro) int {
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		req.MaxOutputTokens = mid
		if c, _ := p.MaxCost(req.Model, req); c <= amount {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// charge is the ledger record of a call with usage u that cost cost.
func charge(model string, u Usage, cost money.Micro) budget.Charge {
	return budget.Charge{Model: model, InputTokens: u.InputTokens, CachedTokens: u.CachedInputTokens, OutputTokens: u.OutputTokens, Cost: cost}
}

// overrun is the end of a turn whose call cost more than its hold: the
// provider billed past the bound the hold was sized by, so the key's
// budget (or the cap) may now be overrun; the true cost is recorded and
// the turn makes no further call.
func (t *turnRun) overrun(cost, held money.Micro) conversation.Outcome {
	msg := fmt.Sprintf("the model provider billed $%s for a call that reserved $%s, more than its documented bound; the cost is recorded and the turn stopped so the budget cannot be overrun further", cost.Short(), held.Short())
	t.log.Warn("model call cost more than its reservation", "cost_usd", cost.Short(), "reserved_usd", held.Short())
	return conversation.Outcome{Status: conversation.BudgetExceeded, Reply: "I stopped because " + msg + ".", Error: msg, Actions: t.prog.receipts}
}

// UnknownOutcome reports whether a failed call may still have been billed:
// it was cut off (the turn's deadline, a cancel, a dropped connection)
// rather than answered with an error by the provider.
func UnknownOutcome(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	r, ok := IsRetryable(err)
	return ok && r.Status == 0
}
