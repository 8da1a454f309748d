package agent

import (
	"context"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// Spend identifies what a model call is charged to.
type Spend struct {
	WorkspaceID    string
	KeyID          string
	ConversationID string
	Turn           int
}

// Reserver holds money against a key's budgets before a model call, like a
// card authorisation. The budget package implements it against the
// database; NoBudget admits everything.
type Reserver interface {
	// Reserve holds max against every budget of s.KeyID, atomically. When a
	// budget cannot cover it, it returns an error of kind errs.BudgetSpent
	// carrying the budget's name, limit, spent and resets_at; when the hold
	// cannot be written, another error — either way the call must not run.
	Reserve(ctx context.Context, s Spend, max money.Micro) (Hold, error)
}

// Hold is money reserved for one model call.
type Hold interface {
	// Settle replaces the hold by the actual cost, inside tx (the same
	// transaction that writes the ledger row).
	Settle(ctx context.Context, tx store.Tx, actual money.Micro) error
	// Release drops the hold after a failed call.
	Release(ctx context.Context) error
}

// NoBudget is a Reserver that admits every call.
type NoBudget struct{}

// Reserve implements Reserver.
func (NoBudget) Reserve(context.Context, Spend, money.Micro) (Hold, error) { return noHold{}, nil }

type noHold struct{}

func (noHold) Settle(context.Context, store.Tx, money.Micro) error { return nil }
func (noHold) Release(context.Context) error                       { return nil }
