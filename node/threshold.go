package node

import (
	"context"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// onThreshold turns a crossed soft threshold (once per key, budget and
// window) into a log line and a budget.threshold webhook to the key's
// response_url.
func (n *Node) onThreshold(ctx context.Context, e budget.Event) {
	n.log.Warn("budget threshold crossed", "key_id", e.KeyID, "budget", e.Budget, "percent", e.Percent,
		"limit_usd", e.Limit.String(), "spent_usd", e.Spent.String())
	key, err := access.FindKey(ctx, n.db, e.KeyID)
	if err != nil || key.ResponseURL == "" {
		return
	}
	ev := httpapi.ThresholdEvent{KeyID: e.KeyID, Budget: string(e.Budget), Percent: e.Percent, LimitUSD: e.Limit.Short(), SpentUSD: e.Spent.String()}
	if !e.ResetsAt.IsZero() {
		ev.ResetsAt = e.ResetsAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	d, err := webhook.NewDelivery(e.WorkspaceID, e.KeyID, webhook.EventBudgetThreshold, key.ResponseURL, webhook.Payload{Budget: ev})
	if err != nil {
		return
	}
	d.CreatedAt = n.now()
	if err := n.db.InTx(ctx, func(tx store.Tx) error { return webhook.Enqueue(ctx, tx, d) }); err != nil {
		n.log.Error("could not queue the budget.threshold webhook", "key_id", e.KeyID, "err", err)
		return
	}
	n.dispatcher.Notify()
}
