package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/store"
)

// Step kinds.
const (
	StepModel = "model" // a model call's answer
	StepTool  = "tool"  // one tool call's result and receipts
)

// Step is one recorded step of a turn. Payload is owned by the agent.
type Step struct {
	Turn    int
	Seq     int
	Kind    string
	Payload json.RawMessage
}

// AddStep records a step inside tx — the same transaction as its effects.
// A duplicate (turn, seq) fails, so a step can never be recorded twice.
func AddStep(ctx context.Context, tx store.Tx, id string, s Step, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO turn_steps (conversation_id, turn, seq, kind, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, s.Turn, s.Seq, s.Kind, string(s.Payload), store.Micros(now))
	if err != nil {
		return fmt.Errorf("conversation: record step %d/%d: %w", s.Turn, s.Seq, err)
	}
	return nil
}

// Steps returns every recorded step of a conversation, in order.
func Steps(ctx context.Context, q store.Querier, id string) ([]Step, error) {
	rows, err := q.Query(ctx, `SELECT turn, seq, kind, payload FROM turn_steps WHERE conversation_id = ? ORDER BY turn, seq`, id)
	if err != nil {
		return nil, fmt.Errorf("conversation: steps: %w", err)
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var s Step
		var payload string
		if err := rows.Scan(&s.Turn, &s.Seq, &s.Kind, &payload); err != nil {
			return nil, fmt.Errorf("conversation: steps: %w", err)
		}
		s.Payload = json.RawMessage(payload)
		out = append(out, s)
	}
	return out, rows.Err()
}
