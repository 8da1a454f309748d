package peers

import (
	"context"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// ByNode returns every workspace's pin of the node nodeID, oldest first:
// who receives that node's envelopes. Plain A2A peers send none, so they
// are never among them.
func ByNode(ctx context.Context, q store.Querier, nodeID string) ([]Peer, error) {
	return query(ctx, q, "pins of "+nodeID, `SELECT `+columns+` FROM peers WHERE node_id = ? AND a2a_url = '' ORDER BY created_at, id`, nodeID)
}

// ByNodeHolding is ByNode with, for each pin, whether its workspace holds
// the negotiation negotiationID with that node — where an envelope of that
// exchange goes; another node's exchange of the same id is not held —
// read in the same query, so that receiving an envelope costs one round
// trip before its verification instead of one per pin and negotiation.
func ByNodeHolding(ctx context.Context, q store.Querier, nodeID, negotiationID string) ([]Peer, []bool, error) {
	rows, err := q.Query(ctx, `SELECT `+columns+`, EXISTS (SELECT 1 FROM negotiations n WHERE n.workspace_id = peers.workspace_id AND n.id = ? AND n.peer = peers.node_id)
		FROM peers WHERE node_id = ? AND a2a_url = '' ORDER BY created_at, id`, negotiationID, nodeID)
	if err != nil {
		return nil, nil, fmt.Errorf("peers: pins of %s: %w", nodeID, err)
	}
	defer rows.Close()
	var pins []Peer
	var holds []bool
	for rows.Next() {
		var held bool
		p, err := scan(rows, &held)
		if err != nil {
			return nil, nil, err
		}
		pins, holds = append(pins, p), append(holds, held)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("peers: pins of %s: %w", nodeID, err)
	}
	return pins, holds, nil
}

// Lookup is the registry as the negotiation service reads it.
type Lookup struct{ DB store.Querier }

// ByNode returns every workspace's pin of nodeID.
func (l Lookup) ByNode(ctx context.Context, nodeID string) ([]Peer, error) {
	return ByNode(ctx, l.DB, nodeID)
}

// ByNodeHolding returns every workspace's pin of nodeID and whether its
// workspace holds negotiation negotiationID with it (ByNodeHolding).
func (l Lookup) ByNodeHolding(ctx context.Context, nodeID, negotiationID string) ([]Peer, []bool, error) {
	return ByNodeHolding(ctx, l.DB, nodeID, negotiationID)
}

// Get returns the workspace's peer named ref exactly (Resolve: its local
// name, id or node id), else the one whose local or card name matches it
// case-insensitively, with a leading "the" ignored and dashes read as
// spaces ("the CRM" finds a peer named "crm", "Acme CRM" one named
// "acme-crm"). A name two peers share is a Conflict.
func (l Lookup) Get(ctx context.Context, workspaceID, ref string) (Peer, error) {
	p, err := Resolve(ctx, l.DB, workspaceID, ref)
	if err == nil || !errs.Is(err, errs.NotFound) {
		return p, err
	}
	all, lerr := List(ctx, l.DB, workspaceID)
	if lerr != nil {
		return Peer{}, lerr
	}
	want := normalName(ref)
	var found []Peer
	for _, c := range all {
		if normalName(c.Name) == want || normalName(c.CardName) == want {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return Peer{}, err
	case 1:
		return found[0], nil
	}
	return Peer{}, errs.E(errs.Conflict, "%q names more than one peer; use the peer id", ref)
}

func normalName(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, "-", " ")), " "))
	return strings.TrimPrefix(s, "the ")
}

// All returns every workspace's soisnode peers, oldest first (a node
// announcing its new keys tells each of them; plain A2A peers pinned none).
func All(ctx context.Context, q store.Querier) ([]Peer, error) {
	return query(ctx, q, "all", `SELECT `+columns+` FROM peers WHERE a2a_url = '' ORDER BY created_at, id`)
}
