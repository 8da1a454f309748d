// Package conversation owns what callers of POST /api/agent see:
// conversations, their turns, the steps a turn took (so a resumed turn
// replays instead of redoing), idempotency records, and the statuses of
// DESIGN §3.
package conversation

import (
	"encoding/json"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Status is a conversation's or turn's state.
type Status string

// Statuses (DESIGN §3).
const (
	Queued         Status = "queued"
	Running        Status = "running"
	InputRequired  Status = "input_required"
	Completed      Status = "completed"
	Failed         Status = "failed"
	BudgetExceeded Status = "budget_exceeded"
	Canceled       Status = "canceled"
)

// Statuses lists every status, for validation and documentation.
var Statuses = []Status{Queued, Running, InputRequired, Completed, Failed, BudgetExceeded, Canceled}

// Active reports whether a turn in status s has not stopped yet.
func (s Status) Active() bool { return s == Queued || s == Running }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Turn is one message from the caller and the agent's handling of it.
type Turn struct {
	Turn       int                 `json:"turn"`
	Message    string              `json:"message"`
	Reply      string              `json:"reply"`
	Status     Status              `json:"status"`
	Error      string              `json:"error,omitempty"`
	Actions    []workspace.Receipt `json:"actions"`
	Cost       money.Micro         `json:"-"`
	CostUSD    string              `json:"cost_usd"`
	CreatedAt  time.Time           `json:"-"`
	StartedAt  *time.Time          `json:"started_at"`
	FinishedAt *time.Time          `json:"finished_at"`
}

// Conversation is the resource GET /api/agent/conversations/{id} returns.
type Conversation struct {
	ID          string          `json:"id"`
	WorkspaceID string          `json:"-"`
	KeyID       string          `json:"-"`
	MemberID    string          `json:"-"`
	Status      Status          `json:"status"`
	Turns       []Turn          `json:"turns"`
	Reply       string          `json:"reply"`
	Error       string          `json:"error,omitempty"`
	SignedReply string          `json:"signed_reply"`
	Cost        money.Micro     `json:"-"`
	CostUSD     string          `json:"cost_usd"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Last returns the latest turn, or a zero Turn.
func (c *Conversation) Last() Turn {
	if len(c.Turns) == 0 {
		return Turn{}
	}
	return c.Turns[len(c.Turns)-1]
}

func optTime(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := store.Time(v)
	return &t
}
