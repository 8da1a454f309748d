package httpapi

import (
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/webhook"
)

// WebhookPayload documents the body of conversation webhooks (DESIGN §6).
type WebhookPayload struct {
	Event        string                    `json:"event" enum:"conversation.completed,conversation.input_required,conversation.failed,conversation.budget_exceeded" doc:"What happened"`
	DeliveryID   string                    `json:"delivery_id" doc:"Unique per event; the same on every retry. De-duplicate on it."`
	Conversation conversation.Conversation `json:"conversation" doc:"The conversation as GET /api/agent/conversations/{id} returns it"`
	SignedReply  string                    `json:"signed_reply" doc:"Compact JWS of the turn's result (verify with /.well-known/jwks.json)"`
}

// NegotiationPayload documents the body of the negotiation.finished webhook.
type NegotiationPayload struct {
	Event       string          `json:"event" enum:"negotiation.finished" doc:"What happened"`
	DeliveryID  string          `json:"delivery_id" doc:"Unique per event; de-duplicate on it"`
	Negotiation NegotiationJSON `json:"negotiation" doc:"The negotiation as GET /api/negotiations/{id} returns it, with its signed transcript and summary"`
}

// ThresholdPayload documents the body of the budget.threshold webhook.
type ThresholdPayload struct {
	Event      string         `json:"event" enum:"budget.threshold" doc:"What happened"`
	DeliveryID string         `json:"delivery_id" doc:"Unique per event; de-duplicate on it"`
	Budget     ThresholdEvent `json:"budget" doc:"The budget whose soft threshold was crossed (once per window)"`
}

// ThresholdEvent is the budget part of a budget.threshold webhook.
type ThresholdEvent struct {
	KeyID    string `json:"key_id"`
	Budget   string `json:"budget" enum:"daily,monthly,total"`
	Percent  int    `json:"threshold_percent"`
	LimitUSD string `json:"limit_usd"`
	SpentUSD string `json:"spent_usd"`
	ResetsAt string `json:"resets_at,omitempty"`
}

var webhookEvents = []struct{ event, summary string }{
	{webhook.EventCompleted, "A turn completed"},
	{webhook.EventInputRequired, "The agent asks the caller a question"},
	{webhook.EventFailed, "A turn failed"},
	{webhook.EventBudgetExceeded, "A turn stopped because a budget is spent"},
}

// documentWebhooks describes the deliveries sent to a key's response_url
// in the OpenAPI document's webhooks section.
func documentWebhooks(api huma.API) {
	oa := api.OpenAPI()
	convSchema := oa.Components.Schemas.Schema(reflect.TypeOf(WebhookPayload{}), true, "WebhookPayload")
	thresholdSchema := oa.Components.Schemas.Schema(reflect.TypeOf(ThresholdPayload{}), true, "ThresholdPayload")
	negotiationSchema := oa.Components.Schemas.Schema(reflect.TypeOf(NegotiationPayload{}), true, "NegotiationPayload")
	str := &huma.Schema{Type: "string"}
	headers := []*huma.Param{
		{Name: "Sois-Signature", In: "header", Required: true, Schema: str, Description: "Compact JWS with detached payload over the exact body bytes (EdDSA; protected header: alg, kid, typ, iat, delivery_id). Reject when older than 5 minutes."},
		{Name: "Sois-Delivery-Id", In: "header", Required: true, Schema: str, Description: "The delivery id (same as delivery_id in the body)"},
		{Name: "Sois-Event", In: "header", Required: true, Schema: str, Description: "The event name"},
		{Name: "webhook-id", In: "header", Required: true, Schema: str, Description: "Standard Webhooks: the delivery id"},
		{Name: "webhook-timestamp", In: "header", Required: true, Schema: str, Description: "Standard Webhooks: unix seconds of this attempt"},
		{Name: "webhook-signature", In: "header", Required: true, Schema: str, Description: "Standard Webhooks: space-separated v1,<base64 HMAC-SHA256 of id.timestamp.body under the key's webhook secret (whsec_…)> entries (one per secret in force) and v1a,<base64 Ed25519 signature of id.timestamp.body> entries by the node's keys"},
	}
	if oa.Webhooks == nil {
		oa.Webhooks = map[string]*huma.PathItem{}
	}
	events := append(webhookEvents,
		struct{ event, summary string }{webhook.EventBudgetThreshold, "A key's spend crossed its soft threshold (default 80%) of a budget"},
		struct{ event, summary string }{webhook.EventNegotiation, "A negotiation with a peer node ended"})
	for _, e := range events {
		schema := convSchema
		switch e.event {
		case webhook.EventBudgetThreshold:
			schema = thresholdSchema
		case webhook.EventNegotiation:
			schema = negotiationSchema
		}
		oa.Webhooks[e.event] = &huma.PathItem{Post: &huma.Operation{
			OperationID: "webhook-" + e.event,
			Summary:     e.summary,
			Description: "Sent to the integration key's response_url. Only a 2xx answer counts as delivered; 410 Gone stops deliveries to the URL. Retried with backoff for at least 24 hours.",
			Tags:        []string{"Webhooks"},
			Security:    []map[string][]string{{"webhookSignature": {}}},
			Parameters:  headers,
			RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}},
			Responses: map[string]*huma.Response{
				"200": {Description: "Received (any 2xx)"},
				"410": {Description: "Gone: stop sending to this URL"},
			},
		}}
	}
}
