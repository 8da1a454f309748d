package negotiator

import (
	"context"
	"errors"
	"testing"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/negotiation"
)

func TestCapReserver(t *testing.T) {
	ctx := context.Background()
	c := &CapReserver{Left: 100}
	h, err := c.Reserve(ctx, agent.Spend{}, 60)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reserve(ctx, agent.Spend{}, 50); !errors.Is(err, negotiation.ErrBudgetCap) {
		t.Fatalf("over the cap while held: %v", err)
	}
	if err := h.Settle(ctx, nil, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reserve(ctx, agent.Spend{}, 90); err != nil {
		t.Fatalf("within the cap after settling: %v", err)
	}
	if _, err := c.Reserve(ctx, agent.Spend{}, 1); !errors.Is(err, negotiation.ErrBudgetCap) {
		t.Fatalf("the cap is spent: %v", err)
	}
}
