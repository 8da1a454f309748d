package node

import (
	"context"

	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/store"
)

// addNoncePurge schedules the purge of expired negotiation nonces
// (negotiation.NoncePurger, every negotiation.PurgeEvery) among the loops
// Start runs and Shutdown stops.
func (n *Node) addNoncePurge() {
	p := &negotiation.NoncePurger{Nonces: &negotiation.SQLNonces{DB: n.db, Now: n.now}, Log: n.log}
	n.background = append(n.background, p.Run)
}

// StoredNodeID returns the id of the node whose database db is: configured
// (SOIS_NODE_ID) when set, else the one generated once and stored, as
// serve uses it. The CLI needs it to tell this node's turns of a
// transcript from the peer's.
func StoredNodeID(ctx context.Context, db *store.DB, configured string) (string, error) {
	return nodeID(ctx, db, configured)
}
