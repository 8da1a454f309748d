package negotiation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// A kept move is this side's next envelope as the agent produced it,
// stored in the transaction that settles the model call that produced it
// (Situation.Keep), so that a crash between the model's answer and the
// turn's record does not ask the model again: Step takes the kept move,
// signs it, records it and sends it. Only a crash during a model call
// repeats that call.

type keptMove struct {
	Type    Type                `json:"type"`
	Text    string              `json:"text"`
	Data    json.RawMessage     `json:"data,omitempty"`
	Actions []workspace.Receipt `json:"actions,omitempty"`
}

// keeper returns Situation.Keep for turn seq of n.
func (s *Service) keeper(n Negotiation, seq int64) func(ctx context.Context, tx store.Tx, m Move) error {
	return func(ctx context.Context, tx store.Tx, m Move) error {
		b, err := json.Marshal(keptMove{Type: m.Type, Text: m.Text, Data: m.Data, Actions: m.Actions})
		if err != nil {
			return fmt.Errorf("negotiation: keep move %d of %s: %w", seq, n.ID, err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO negotiation_pending (workspace_id, negotiation_id, seq, move, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, negotiation_id, seq) DO NOTHING`, n.WorkspaceID, n.ID, seq, string(b), store.Micros(s.now()))
		if err != nil {
			return fmt.Errorf("negotiation: keep move %d of %s: %w", seq, n.ID, err)
		}
		return nil
	}
}

// kept returns the move kept for turn seq of exchange id, if any.
func kept(ctx context.Context, q store.Querier, workspaceID, id string, seq int64) (Move, bool, error) {
	var raw string
	err := q.QueryRow(ctx, `SELECT move FROM negotiation_pending WHERE workspace_id = ? AND negotiation_id = ? AND seq = ?`,
		workspaceID, id, seq).Scan(&raw)
	if err == store.ErrNoRows {
		return Move{}, false, nil
	}
	if err != nil {
		return Move{}, false, fmt.Errorf("negotiation: kept move %d of %s: %w", seq, id, err)
	}
	var k keptMove
	if err := json.Unmarshal([]byte(raw), &k); err != nil {
		return Move{}, false, fmt.Errorf("negotiation: kept move %d of %s: %w", seq, id, err)
	}
	return Move{Type: k.Type, Text: k.Text, Data: k.Data, Actions: k.Actions}, true, nil
}

// dropKept deletes the kept moves of exchange id up to seq (in the
// transaction that records turn seq or ends the exchange).
func dropKept(ctx context.Context, tx store.Tx, workspaceID, id string, seq int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM negotiation_pending WHERE workspace_id = ? AND negotiation_id = ? AND seq <= ?`,
		workspaceID, id, seq); err != nil {
		return fmt.Errorf("negotiation: drop kept moves of %s: %w", id, err)
	}
	return nil
}
