package node

import (
	"context"
	"log/slog"

	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/queue"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
)

// AnnounceKeys queues, for every peer of every workspace on db, an
// envelope announcing the node's current signing keys, signed by the key
// previousKID the peers pinned (`soisnode signing rotate` calls it). A
// running node sends them; it returns how many were queued.
func AnnounceKeys(ctx context.Context, db *store.DB, ring *signing.Keyring, cfg Config, previousKID string, log *slog.Logger) (int, error) {
	id, err := nodeID(ctx, db, cfg.NodeID)
	if err != nil {
		return 0, err
	}
	q, err := queue.New(db, queue.Config{Logger: log}, nil)
	if err != nil {
		return 0, err
	}
	jwks, err := ring.JWKS(ctx)
	if err != nil {
		return 0, err
	}
	svc := &negotiation.Service{DB: db, Self: id, Signer: ring, Peers: peers.Lookup{DB: db}, Jobs: negotiation.RiverJobs{Insert: q.Insert}, Log: log}
	return svc.Announce(ctx, ring, previousKID, jwks)
}
