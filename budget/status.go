package budget

import (
	"context"
	"time"
)

// Check is the admission check of POST /api/agent: it returns an
// errs.BudgetSpent error (402, with the budget's details) when any budget of
// keyID has nothing left — spent plus reserved at or above its limit — so
// a caller is told before a turn is queued. It holds nothing; Reserve still
// guards every model call. Call it only when the node's provider costs
// money: with the free local provider, turns run whatever the budgets say.
// l are the key's limits, as authenticated.
func (b *Budgets) Check(ctx context.Context, l Limits) error {
	if !l.Set() {
		return nil
	}
	us, err := readUsage(ctx, b.db, l, b.now())
	if err != nil {
		return err
	}
	// Not even one micro-dollar left.
	if w, over := blocking(windowsOf(us), 1); over {
		e := spentError(w, 0)
		b.refused(e)
		return e
	}
	return nil
}

// Status returns the windows of the key's set budgets (daily, monthly,
// total in that order; none when the key has no budget) with their limit,
// spend (and its unconfirmed part) and open holds, for GET
// /api/agent/budget.
func (b *Budgets) Status(ctx context.Context, l Limits) ([]Window, error) {
	if !l.Set() {
		return []Window{}, nil
	}
	us, err := readUsage(ctx, b.db, l, b.now())
	if err != nil {
		return nil, err
	}
	return windowsOf(us), nil
}

// WindowJSON is a Window as the API shows it: money as decimal US dollar
// strings, times in RFC 3339 UTC, no reset time for the total budget.
type WindowJSON struct {
	Budget         string     `json:"budget" enum:"daily,monthly,total" doc:"Which budget: daily (UTC day), monthly (UTC month) or total (forever)"`
	LimitUSD       string     `json:"limit_usd" doc:"The budget's limit in US dollars" example:"5.00"`
	SpentUSD       string     `json:"spent_usd" doc:"Settled AI cost in the current window" example:"1.2345"`
	UnconfirmedUSD string     `json:"unconfirmed_usd" doc:"Part of spent_usd counted at its reserved amount because its call was cut off by a crash" example:"0.00"`
	ReservedUSD    string     `json:"reserved_usd" doc:"Held for model calls still running" example:"0.02"`
	RemainingUSD   string     `json:"remaining_usd" doc:"Limit minus spent and reserved, never negative" example:"3.7455"`
	WindowStart    *time.Time `json:"window_start,omitempty" doc:"Start of the current window; absent for total"`
	ResetsAt       *time.Time `json:"resets_at,omitempty" doc:"When the budget starts afresh; absent for total, which never resets"`
}

// JSON returns w in its wire form.
func (w Window) JSON() WindowJSON {
	j := WindowJSON{
		Budget:         string(w.Budget),
		LimitUSD:       w.Limit.Short(),
		SpentUSD:       w.Spent.Short(),
		UnconfirmedUSD: w.Unconfirmed.Short(),
		ReservedUSD:    w.Reserved.Short(),
		RemainingUSD:   w.Remaining().Short(),
	}
	if !w.Start.IsZero() {
		t := w.Start.UTC()
		j.WindowStart = &t
	}
	if !w.ResetsAt.IsZero() {
		t := w.ResetsAt.UTC()
		j.ResetsAt = &t
	}
	return j
}

// JSONs returns ws in their wire form; never nil, so it encodes as [].
func JSONs(ws []Window) []WindowJSON {
	out := make([]WindowJSON, len(ws))
	for i, w := range ws {
		out[i] = w.JSON()
	}
	return out
}
