package negotiator

import (
	"context"
	"fmt"
	"sync"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/store"
)

// CapReserver is a second limit around a Reserver: an exchange's cap.
// A call whose maximum cost, added to what the exchange already spent
// and holds, would pass the cap is refused with negotiation.ErrBudgetCap
// before the inner Reserver (the opener key's budgets) is asked, so the
// provider never receives it.
type CapReserver struct {
	Inner agent.Reserver // the key's budgets; agent.NoBudget on the responding side
	Left  money.Micro    // what the exchange may still spend

	mu   sync.Mutex
	used money.Micro // held or settled by this reserver
}

var _ agent.Reserver = (*CapReserver)(nil)

// Reserve implements agent.Reserver.
func (c *CapReserver) Reserve(ctx context.Context, s agent.Spend, max money.Micro) (agent.Hold, error) {
	c.mu.Lock()
	if c.used+max > c.Left {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w (it may cost up to %s USD; %s USD left)", negotiation.ErrBudgetCap, max.Short(), (c.Left - c.used).Short())
	}
	c.used += max
	c.mu.Unlock()
	inner := c.Inner
	if inner == nil {
		inner = agent.NoBudget{}
	}
	h, err := inner.Reserve(ctx, s, max)
	if err != nil {
		c.adjust(-max)
		return nil, err
	}
	return &capHold{Hold: h, c: c, max: max}, nil
}

func (c *CapReserver) adjust(d money.Micro) {
	c.mu.Lock()
	c.used += d
	c.mu.Unlock()
}

type capHold struct {
	agent.Hold
	c   *CapReserver
	max money.Micro
}

// Settle replaces the call's maximum by its actual cost in the cap too.
func (h *capHold) Settle(ctx context.Context, tx store.Tx, actual money.Micro) error {
	if err := h.Hold.Settle(ctx, tx, actual); err != nil {
		return err
	}
	h.c.adjust(actual - h.max)
	return nil
}

// Release gives the call's maximum back to the cap.
func (h *capHold) Release(ctx context.Context) error {
	h.c.adjust(-h.max)
	return h.Hold.Release(ctx)
}
