package node

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
)

// skills describe what the node's agent does, for whoever reads its card.
var skills = []peers.Skill{
	{ID: "contacts", Name: "Contacts", Description: "Search, create, update and delete the workspace's contacts.", Tags: []string{"crm"}},
	{ID: "tasks", Name: "Tasks", Description: "Create, assign, update and complete tasks.", Tags: []string{"work"}},
	{ID: "email", Name: "Email", Description: "Send email through the workspace's relay and search sent mail.", Tags: []string{"messaging"}},
	{ID: "files", Name: "Files", Description: "Find, read, organise and store the workspace's files.", Tags: []string{"documents"}},
	{ID: "org", Name: "Organisation", Description: "Answer questions about departments, teams and members.", Tags: []string{"directory"}},
	{ID: "extensions", Name: "Extensions", Description: "Use the tools of the remote MCP servers the workspace installed.", Tags: []string{"mcp"}},
}

// card returns the node's agent card (DESIGN §7).
func (n *Node) card() peers.Card {
	base := n.cfg.BaseURL()
	return peers.Card{
		ID: n.nodeID, Name: n.cfg.NodeName, BaseURL: base, JWKSURL: base + peers.JWKSPath, Version: Version,
		Capabilities: peers.Capabilities{
			Agent: base + "/api/agent", MCP: base + "/mcp", SignedReplies: true, Webhooks: true,
			Negotiations: true, // POST /federation/v1/messages answers (with a deterministic responder, docs/federation.md)
		},
		Skills:     skills,
		Federation: peers.Federation{Endpoint: base + peers.FederationPath},
	}
}

// serveCard serves GET /.well-known/agent-card.json, signed: Sois-Signature
// is a detached JWS (typ sois-card+jws) over the exact body, made per
// request so its iat is fresh and a rotated key signs at once.
func (n *Node) serveCard(w http.ResponseWriter, r *http.Request) {
	body, err := json.Marshal(n.card())
	if err == nil {
		var sig string
		if sig, err = n.keys.SignCard(r.Context(), body); err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set(verify.HeaderSignature, sig)
			w.Header().Set("Cache-Control", "public, max-age=60")
			_, _ = w.Write(body)
			return
		}
	}
	p := problemFor(n.log, fmt.Errorf("node: agent card: %w", err))
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// PeerClient returns a client for other nodes' cards and keys, guarded like
// webhooks: https and public addresses only, except SOIS_PEER_ALLOW_HOSTS.
func (n *Node) PeerClient() *peers.Client {
	c := peers.NewClient(n.cfg.PeerAllowHosts)
	c.Now = n.now
	return c
}
