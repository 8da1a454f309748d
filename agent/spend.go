package agent

import (
	"context"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// RecordSpend writes one priced model call made outside a conversation
// turn (a negotiation turn) to the spend ledger, inside tx: the same
// transaction that settles its hold, so spent always equals the ledger.
func RecordSpend(ctx context.Context, tx store.Tx, s Spend, model string, u Usage, cost money.Micro, now time.Time) error {
	return writeLedger(ctx, tx, s, model, u, cost, now)
}
