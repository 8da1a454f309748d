package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// DeliveryView is a webhook delivery as the admin API and `soisnode
// deliveries` show it (without its body).
type DeliveryView struct {
	ID            string     `json:"id" doc:"The delivery id receivers de-duplicate on; the same on every retry and redelivery"`
	WorkspaceID   string     `json:"workspace_id" doc:"The workspace the delivery belongs to"`
	KeyID         string     `json:"key_id" doc:"The integration key whose response_url this is"`
	Event         string     `json:"event" doc:"The event" example:"conversation.completed"`
	URL           string     `json:"url" doc:"Where it is sent"`
	Status        string     `json:"status" enum:"pending,delivered,dead,disabled" doc:"pending: waiting for its next attempt; delivered: a 2xx arrived; dead: every attempt failed; disabled: the target answered 410 Gone"`
	Attempts      int        `json:"attempts" doc:"Attempts in the current schedule (a redelivery starts a new one)"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty" doc:"When pending: the next attempt"`
	LastStatus    int        `json:"last_status" doc:"HTTP status of the last attempt; 0 when there was none or no response"`
	LastError     string     `json:"last_error" doc:"Transport error of the last attempt, if any"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// AttemptView is one recorded delivery attempt.
type AttemptView struct {
	Attempt    int       `json:"attempt" doc:"1-based, counting every attempt including redeliveries"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code" doc:"HTTP status received; 0 when none"`
	LatencyMS  int64     `json:"latency_ms" doc:"Time to the response, in milliseconds"`
	Response   string    `json:"response" doc:"The first KiB of the response body"`
	Error      string    `json:"error" doc:"Transport error, if any"`
}

// DeliveryDetail is a delivery with its body and every attempt, oldest first.
type DeliveryDetail struct {
	DeliveryView
	Body       DeliveryBody  `json:"body" doc:"The exact JSON body sent (the same bytes on every attempt): one of the webhook payloads"`
	AttemptLog []AttemptView `json:"attempt_log" nullable:"false" doc:"Every attempt, oldest first"`
}

// DeliveryBody is a delivery's body, passed through as the JSON it is. Its
// schema names the webhook payloads, which also keeps them in the
// components that client generators keep (they prune schemas that only
// the webhooks section uses).
type DeliveryBody json.RawMessage

// MarshalJSON writes the body as is ({} when empty).
func (b DeliveryBody) MarshalJSON() ([]byte, error) {
	if len(b) == 0 {
		return []byte("{}"), nil
	}
	return b, nil
}

// UnmarshalJSON keeps the raw body.
func (b *DeliveryBody) UnmarshalJSON(data []byte) error {
	*b = append((*b)[:0], data...)
	return nil
}

// Schema is one of the webhook payloads.
func (DeliveryBody) Schema(r huma.Registry) *huma.Schema {
	var alts []*huma.Schema
	for _, t := range []any{WebhookPayload{}, ThresholdPayload{}, NegotiationPayload{}} {
		alts = append(alts, r.Schema(reflect.TypeOf(t), true, ""))
	}
	return &huma.Schema{AnyOf: alts}
}

// DeliveryPage is a page of deliveries, newest first.
type DeliveryPage struct {
	Deliveries []DeliveryView `json:"deliveries" nullable:"false"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page"`
}

// ViewDelivery converts a delivery for display.
func ViewDelivery(d webhook.Delivery) DeliveryView {
	v := DeliveryView{ID: d.ID, WorkspaceID: d.WorkspaceID, KeyID: d.KeyID, Event: d.Event, URL: d.URL,
		Status: string(d.Status), Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if d.Status == webhook.StatusPending && !d.NextAttemptAt.IsZero() {
		next := d.NextAttemptAt
		v.NextAttemptAt = &next
	}
	return v
}

// ViewDeliveryDetail converts a delivery and its attempts for display.
func ViewDeliveryDetail(d webhook.Delivery, attempts []webhook.Attempt) DeliveryDetail {
	out := DeliveryDetail{DeliveryView: ViewDelivery(d), Body: DeliveryBody(d.Body), AttemptLog: make([]AttemptView, 0, len(attempts))}
	for _, a := range attempts {
		out.AttemptLog = append(out.AttemptLog, AttemptView{Attempt: a.Number, At: a.At, StatusCode: a.StatusCode,
			LatencyMS: a.Latency.Milliseconds(), Response: a.Response, Error: a.Error})
	}
	return out
}

type adminListInput struct {
	Status string `query:"status" enum:"pending,delivered,dead,disabled" doc:"Only deliveries with this status"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"Page size"`
	Cursor string `query:"cursor" maxLength:"64" doc:"next_cursor of the previous page"`
}

type adminListOutput struct {
	Body DeliveryPage
}

type deliveryIDInput struct {
	ID string `path:"id" maxLength:"64" doc:"Delivery id"`
}

type deliveryOutput struct {
	Body DeliveryDetail
}

// adminScope is the scope the admin operations need from the key: only an
// unrestricted key (no scopes, or "*") carries it, so a key narrowed to,
// say, contacts:read cannot administer deliveries even for an owner.
const adminScope = "admin:write"

// requireAdmin returns the caller's workspace when its member is an owner
// or admin and its key is not narrowed by scopes.
func requireAdmin(ctx context.Context) (string, error) {
	pr := principal(ctx)
	if !isAdmin(pr) {
		return "", errs.E(errs.Forbidden, "this needs a member whose role is owner or admin")
	}
	if !workspace.ScopeAllows(pr.Caller.Scopes, adminScope) {
		return "", errs.E(errs.Forbidden, "this needs an integration key without scope restrictions")
	}
	return pr.Caller.WorkspaceID, nil
}

func isAdmin(pr access.Principal) bool {
	return pr.Member.Role == workspace.Owner || pr.Member.Role == workspace.Admin
}

func (n *Server) registerAdmin(api huma.API) {
	addTag(api, "Admin", "Operations for the workspace's owners and admins: webhook deliveries.")
	huma.Register(api, huma.Operation{
		OperationID: "list-deliveries", Method: http.MethodGet, Path: "/api/admin/deliveries",
		Summary:     "List webhook deliveries",
		Description: "The workspace's webhook deliveries, newest first, paged with next_cursor. Only for members whose role is owner or admin, with a key without scope restrictions.",
		Tags:        []string{"Admin"}, Security: securityBoth, Errors: []int{401, 403, 422, 429},
	}, func(ctx context.Context, in *adminListInput) (*adminListOutput, error) {
		ws, err := requireAdmin(ctx)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		ds, err := n.deliveries.List(ctx, webhook.Filter{WorkspaceID: ws, Status: webhook.Status(in.Status), Before: in.Cursor, Limit: in.Limit})
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		page := DeliveryPage{Deliveries: make([]DeliveryView, 0, len(ds))}
		for _, d := range ds {
			page.Deliveries = append(page.Deliveries, ViewDelivery(d))
		}
		if len(ds) == in.Limit {
			page.NextCursor = ds[len(ds)-1].ID
		}
		return &adminListOutput{Body: page}, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-delivery", Method: http.MethodGet, Path: "/api/admin/deliveries/{id}",
		Summary:     "Get a webhook delivery with its attempts",
		Description: "The delivery and every attempt: HTTP status, latency, the first KiB of the response and any transport error. Another workspace's delivery is 404, like an unknown one.",
		Tags:        []string{"Admin"}, Security: securityBoth, Errors: []int{401, 403, 404, 422, 429},
	}, func(ctx context.Context, in *deliveryIDInput) (*deliveryOutput, error) {
		ws, err := requireAdmin(ctx)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		return n.deliveryDetail(ctx, ws, in.ID)
	})
	huma.Register(api, huma.Operation{
		OperationID: "redeliver-delivery", Method: http.MethodPost, Path: "/api/admin/deliveries/{id}/redeliver",
		Summary:     "Redeliver a webhook delivery",
		Description: "Queues the delivery again, due now, with a fresh retry schedule and the same delivery id (receivers de-duplicate on it). It is how a dead or disabled delivery is retried; it also lifts a 410 Gone block on its URL.",
		Tags:        []string{"Admin"}, Security: securityBoth, Errors: []int{401, 403, 404, 422, 429},
		DefaultStatus: http.StatusAccepted,
	}, func(ctx context.Context, in *deliveryIDInput) (*deliveryOutput, error) {
		ws, err := requireAdmin(ctx)
		if err != nil {
			return nil, problemFor(n.log, err)
		}
		if err := n.deliveries.Redeliver(ctx, ws, in.ID); err != nil {
			return nil, problemFor(n.log, err)
		}
		n.log.Info("delivery redelivered", "delivery_id", in.ID, "workspace_id", ws, "member_id", principal(ctx).Member.ID)
		n.dispatcher.Notify()
		return n.deliveryDetail(ctx, ws, in.ID)
	})
}

func (n *Server) deliveryDetail(ctx context.Context, ws, id string) (*deliveryOutput, error) {
	d, attempts, err := n.deliveries.Get(ctx, ws, id)
	if err != nil {
		return nil, problemFor(n.log, err)
	}
	return &deliveryOutput{Body: ViewDeliveryDetail(d, attempts)}, nil
}
