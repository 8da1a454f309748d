package node

import (
	"context"

	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/store"
)

// addFederationSweeps schedules, among the loops Start runs and Shutdown
// stops, the purge of expired negotiation nonces (negotiation.NoncePurger,
// every negotiation.PurgeEvery) and the end of exchanges past their
// deadline (negotiation.DeadlineSweeper, every negotiation.SweepEvery).
func (n *Node) addFederationSweeps() {
	p := &negotiation.NoncePurger{Nonces: &negotiation.SQLNonces{DB: n.db, Now: n.now}, Log: n.log}
	d := &negotiation.DeadlineSweeper{Service: n.negotiations, Log: n.log}
	n.background = append(n.background, p.Run, d.Run)
}

// StoredNodeID returns the id of the node whose database db is: configured
// (SOIS_NODE_ID) when set, else the one generated once and stored, as
// serve uses it. The CLI needs it to tell this node's turns of a
// transcript from the peer's.
func StoredNodeID(ctx context.Context, db *store.DB, configured string) (string, error) {
	return nodeID(ctx, db, configured)
}
