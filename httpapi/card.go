package httpapi

import (
	"fmt"
	"net/http"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/a2a"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
)

// skills describe what the node's agent does, for whoever reads its card:
// one per tool family.
var skills = []spec.AgentSkill{
	{ID: "contacts", Name: "Contacts", Description: "Search, create, update and delete the workspace's contacts.", Tags: []string{"crm"},
		Examples: []string{"Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"}},
	{ID: "tasks", Name: "Tasks", Description: "Create, assign, update and complete tasks.", Tags: []string{"work"},
		Examples: []string{"Create a task: send the Acme proposal by Friday"}},
	{ID: "email", Name: "Email", Description: "Send email through the workspace's relay and search sent mail.", Tags: []string{"messaging"}},
	{ID: "files", Name: "Files", Description: "Find, read, organise and store the workspace's files.", Tags: []string{"documents"}},
	{ID: "org", Name: "Organisation", Description: "Answer questions about departments, teams and members.", Tags: []string{"directory"}},
	{ID: "extensions", Name: "Extensions", Description: "Use the tools of the remote MCP servers the workspace installed.", Tags: []string{"mcp"}},
	{ID: "peers", Name: "Peers", Description: "Negotiate with the workspace's peer nodes under a dollar cap and a turn limit.", Tags: []string{"federation"}},
}

// card returns the node's A2A agent card (DESIGN §7), unsigned.
func (n *Server) card() spec.AgentCard {
	base := n.cfg.BaseURL()
	return a2a.Card(a2a.CardParams{
		Name:        n.cfg.NodeName,
		Description: "A soisnode agent federation node: send plain English; its agent acts across the workspace (contacts, tasks, email, files, org chart, extensions) within your key's scopes and budgets, and replies with receipts of what it did.",
		Version:     n.cfg.Version,
		BaseURL:     base,
		Skills:      skills,
		Push:        true,
		Streaming:   true, // SendStreamingMessage and SubscribeToTask, from the database (a2a/stream.go)
		Node: peers.NodeParams{
			NodeID: n.nodeID, BaseURL: base, JWKSURL: base + peers.JWKSPath,
			FederationEndpoint: base + peers.FederationPath, Version: n.cfg.Version,
			AgentEndpoint: base + "/api/agent", MCPEndpoint: base + "/mcp",
			Negotiations:  true, // POST /federation/v1/messages answers (docs/federation.md)
			SignedReplies: true, Webhooks: true,
		},
	})
}

// serveCard serves GET /.well-known/agent-card.json, signed twice: the A2A
// signatures[] inside (over the canonical card) and Sois-Signature, a
// detached JWS (typ sois-card+jws) over the exact body, made per request
// so its iat is fresh and a rotated key signs at once.
func (n *Server) serveCard(w http.ResponseWriter, r *http.Request) {
	body, err := a2a.SignedCardJSON(r.Context(), n.keys, n.card())
	if err == nil {
		var sig string
		if sig, err = n.keys.SignCard(r.Context(), body); err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set(verify.HeaderSignature, sig)
			w.Header().Set("Cache-Control", "public, max-age=60")
			// Browser-based A2A clients read the card from any origin.
			w.Header().Set("Access-Control-Allow-Origin", "*")
			_, _ = w.Write(body)
			return
		}
	}
	n.writeProblem(w, fmt.Errorf("httpapi: agent card: %w", err))
}

// serveJWKS serves GET /.well-known/jwks.json: the node's public signing
// keys, current and retired within their grace.
func (n *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	body, err := n.keys.JWKS(r.Context())
	if err != nil {
		n.writeProblem(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body)
}
