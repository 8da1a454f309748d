package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Events (DESIGN §6).
const (
	EventCompleted       = "conversation.completed"
	EventInputRequired   = "conversation.input_required"
	EventFailed          = "conversation.failed"
	EventBudgetExceeded  = "conversation.budget_exceeded"
	EventNegotiation     = "negotiation.finished"
	EventBudgetThreshold = "budget.threshold"
)

// Status is where a delivery stands.
type Status string

// Statuses.
const (
	StatusPending   Status = "pending"   // waiting for its next attempt
	StatusDelivered Status = "delivered" // a 2xx arrived
	StatusDead      Status = "dead"      // the schedule ran out; an admin may redeliver
	StatusDisabled  Status = "disabled"  // the target answered 410 Gone, or had before
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusDelivered, StatusDead, StatusDisabled:
		return true
	}
	return false
}

// Delivery is one event on its way to one URL. Its ID is the delivery id
// receivers de-duplicate on; it never changes across retries or redelivery.
type Delivery struct {
	ID            string
	WorkspaceID   string
	KeyID         string // the integration key whose response_url this is, if any
	Event         string
	URL           string
	Body          []byte // the exact bytes signed and sent (omitted by List)
	Status        Status
	Attempts      int // attempts in the current schedule (reset by Redeliver)
	NextAttemptAt time.Time
	LastStatus    int    // HTTP status of the last attempt, 0 if none
	LastError     string // transport error of the last attempt
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Attempt is the record of one try.
type Attempt struct {
	DeliveryID string
	Number     int // 1-based, counting every try including redeliveries
	StatusCode int
	Latency    time.Duration
	Response   string // first KiB
	Error      string
	At         time.Time
}

// Payload is the JSON body of a delivery: {"event", "delivery_id",
// "conversation", "signed_reply"} for conversation events and {"event",
// "delivery_id", "negotiation"} for negotiation.finished.
type Payload struct {
	Event        string `json:"event"`
	DeliveryID   string `json:"delivery_id"`
	Conversation any    `json:"conversation,omitempty"`
	Negotiation  any    `json:"negotiation,omitempty"`
	Budget       any    `json:"budget,omitempty"` // budget.threshold
	SignedReply  string `json:"signed_reply,omitempty"`
}

// NewDelivery builds a delivery of event to url with a fresh id, whose body is p
// with Event and DeliveryID filled in. Enqueue it in the transaction that
// produced the event.
func NewDelivery(workspaceID, keyID, event, url string, p Payload) (Delivery, error) {
	p.Event, p.DeliveryID = event, store.NewID()
	body, err := json.Marshal(p)
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: encode body: %w", err)
	}
	return Delivery{ID: p.DeliveryID, WorkspaceID: workspaceID, KeyID: keyID, Event: event, URL: url, Body: body}, nil
}

// Noter is a transaction that wants to be told when Enqueue queued a
// delivery to send in it, so that its owner wakes the dispatcher after
// the commit only then (a turn's finish: most turns queue none).
type Noter interface {
	store.Tx
	NoteDelivery()
}

// Enqueue stores d as pending, due at d.CreatedAt (now when zero), inside the
// caller's transaction: the event and its delivery commit together. A
// delivery to a URL disabled by a 410 is stored as disabled and not sent.
// A tx that is a Noter is told of a pending delivery.
func Enqueue(ctx context.Context, tx store.Tx, d Delivery) error {
	if d.ID == "" || d.WorkspaceID == "" || d.Event == "" || d.URL == "" || len(d.Body) == 0 {
		return errs.E(errs.Invalid, "a delivery needs an id, workspace, event, url and body")
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	at := store.Micros(d.CreatedAt)
	disabled, err := isDisabled(ctx, tx, d.WorkspaceID, d.URL)
	if err != nil {
		return err
	}
	status := StatusPending
	if disabled {
		status = StatusDisabled
	}
	_, err = tx.Exec(ctx, `INSERT INTO deliveries
		(id, workspace_id, key_id, event, url, origin, body, status, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.WorkspaceID, d.KeyID, d.Event, d.URL, Origin(d.URL), d.Body, string(status), at, at, at)
	if err != nil {
		return fmt.Errorf("webhook: enqueue %s: %w", d.ID, err)
	}
	if n, ok := tx.(Noter); ok && status == StatusPending {
		n.NoteDelivery()
	}
	return nil
}

func isDisabled(ctx context.Context, q store.Querier, workspaceID, url string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM webhook_disabled_urls WHERE workspace_id = ? AND url = ?`,
		workspaceID, url).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("webhook: check disabled url: %w", err)
	}
	return n > 0, nil
}
