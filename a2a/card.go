package a2a

import (
	"context"
	"encoding/json"
	"fmt"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
)

// Path is where the A2A server listens: JSON-RPC at Path itself, HTTP+JSON
// below it (Path + "/message:send", Path + "/tasks/{id}", …).
const Path = "/a2a"

// Security scheme names in the card.
const (
	SchemeBearer = "bearerToken" // Authorization: Bearer sois_tok_…
	SchemeAPIKey = "apiKey"      // X-Api-Key: sois_…
)

// CardParams is what the node states about itself in its card.
type CardParams struct {
	Name        string
	Description string
	Version     string
	BaseURL     string // no trailing slash
	Node        peers.NodeParams
	Skills      []spec.AgentSkill
	Streaming   bool // SubscribeToTask / SendStreamingMessage are served
	Push        bool // push-notification configs are served
}

// Card returns the node's A2A 1.0 agent card (without signatures): both
// bindings at Path, the two credentials as security schemes required
// together, and soisnode's extension.
func Card(p CardParams) spec.AgentCard {
	url := p.BaseURL + Path
	return spec.AgentCard{
		Name:        p.Name,
		Description: p.Description,
		Version:     p.Version,
		SupportedInterfaces: []*spec.AgentInterface{
			spec.NewAgentInterface(url, spec.TransportProtocolJSONRPC),
			spec.NewAgentInterface(url, spec.TransportProtocolHTTPJSON),
		},
		Provider: &spec.AgentProvider{Org: p.Name, URL: p.BaseURL},
		Capabilities: spec.AgentCapabilities{
			Streaming:         p.Streaming,
			PushNotifications: p.Push,
			Extensions:        []spec.AgentExtension{p.Node.Extension()},
		},
		DefaultInputModes:  []string{"text/plain"},
		DefaultOutputModes: []string{"text/plain", "application/json"},
		Skills:             p.Skills,
		SecuritySchemes: spec.NamedSecuritySchemes{
			SchemeBearer: spec.HTTPAuthSecurityScheme{Scheme: "Bearer", BearerFormat: "sois_tok_…",
				Description: "A member's access token. The agent acts as this member."},
			SchemeAPIKey: spec.APIKeySecurityScheme{Location: spec.APIKeySecuritySchemeLocationHeader, Name: "X-Api-Key",
				Description: "The integration key (sois_…): its scopes, budgets and response_url. Required together with the access token."},
		},
		// One requirement naming both schemes: both headers, together.
		SecurityRequirements: spec.SecurityRequirementsOptions{{SchemeBearer: {}, SchemeAPIKey: {}}},
	}
}

// CardSigner signs an A2A card's canonical payload (*signing.Keyring).
type CardSigner interface {
	SignA2ACard(ctx context.Context, payload []byte) (verify.A2ASignature, error)
}

// SignedCardJSON returns card as served: with one signatures[] entry, a JWS
// over verify.A2ACardPayload of the card without signatures.
func SignedCardJSON(ctx context.Context, s CardSigner, card spec.AgentCard) ([]byte, error) {
	card.Signatures = nil
	unsigned, err := json.Marshal(card)
	if err != nil {
		return nil, fmt.Errorf("a2a: encode card: %w", err)
	}
	payload, err := verify.A2ACardPayload(unsigned)
	if err != nil {
		return nil, fmt.Errorf("a2a: canonical card: %w", err)
	}
	sig, err := s.SignA2ACard(ctx, payload)
	if err != nil {
		return nil, fmt.Errorf("a2a: sign card: %w", err)
	}
	card.Signatures = []spec.AgentCardSignature{{Protected: sig.Protected, Signature: sig.Signature}}
	body, err := json.Marshal(card)
	if err != nil {
		return nil, fmt.Errorf("a2a: encode card: %w", err)
	}
	return body, nil
}
