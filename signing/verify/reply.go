package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Reply is the payload of a conversation's signed_reply (DESIGN §5).
type Reply struct {
	Iss            string          `json:"iss"` // the node id
	ConversationID string          `json:"conversation_id"`
	Turn           int             `json:"turn"`
	Status         string          `json:"status"`
	Reply          string          `json:"reply"`
	Actions        json.RawMessage `json:"actions"` // the turn's receipts, a JSON array
	CostUSD        string          `json:"cost_usd"`
	Iat            int64           `json:"iat"`
}

// SignedReply verifies a signed_reply token (typ TypeReply) and decodes it.
func SignedReply(ctx context.Context, keys Source, token string, now time.Time) (*Reply, *Verified, error) {
	v, err := Compact(ctx, keys, token, now)
	if err != nil {
		return nil, nil, err
	}
	if v.Type != TypeReply {
		return nil, nil, fmt.Errorf("%w: typ %q, want %q", ErrType, v.Type, TypeReply)
	}
	var r Reply
	if err := json.Unmarshal(v.Payload, &r); err != nil {
		return nil, nil, fmt.Errorf("%w: reply payload: %v", ErrMalformed, err)
	}
	return &r, v, nil
}
