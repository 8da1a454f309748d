package node

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent/local/negotiate"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// MessagesPath is the federation transport's endpoint (DESIGN §7).
const MessagesPath = negotiation.MessagesPath

const peerTimeout = 30 * time.Second

// assembleNegotiation builds the exchange service and its agent tools.
func (n *Node) assembleNegotiation() {
	n.negotiations = &negotiation.Service{
		DB: n.db, Self: n.nodeID, Signer: n.keys, Peers: peers.Lookup{DB: n.db},
		Transport: negotiation.HTTPTransport{Client: n.peerHTTP()},
		A2A:       negotiation.A2AHTTP{Client: n.peerHTTP()}, Sealer: n.secrets.Sealer,
		Agent:    negotiate.Negotiator{},
		Registry: n.registry, OnFinish: n.onNegotiationFinished,
		OnReject: func(reason string) { n.fedm.federationRejected(reason) },
		Now:      n.now, Log: n.log, Deadline: n.cfg.NegotiationDeadline,
	}
	n.registry.Add(n.negotiations.AgentTools()...)
}

// serveMessage receives a peer's envelope: 202 once it is verified and
// recorded (the answer comes later, as this node's own POST).
func (n *Node) serveMessage(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), negotiation.ContentType) {
		n.fedm.federationRejected("content_type")
		n.writeProblem(w, errs.E(errs.Malformed, "Content-Type must be %s", negotiation.ContentType))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, negotiation.MaxEnvelope+1))
	if err != nil || len(body) > negotiation.MaxEnvelope {
		n.fedm.federationRejected("size")
		n.writeProblem(w, errs.E(errs.TooLarge, "the body must be one compact JWS of at most %d bytes", negotiation.MaxEnvelope))
		return
	}
	answer, err := n.negotiations.Accept(r.Context(), strings.TrimSpace(string(body)))
	if err != nil {
		n.writeProblem(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_ = http.NewResponseController(w).Flush() // the 202 first, then this side's answer
	answer()
}

func (n *Node) writeProblem(w http.ResponseWriter, err error) {
	p := problemFor(n.log, err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// peerHTTP is an HTTP client for peers' federation endpoints, guarded like
// PeerClient: https and public addresses only, except SOIS_PEER_ALLOW_HOSTS.
func (n *Node) peerHTTP() *http.Client {
	g := webhook.Guard{AllowHosts: n.cfg.PeerAllowHosts, Subject: "peer URL", Setting: "SOIS_PEER_ALLOW_HOSTS"}
	return &http.Client{
		Transport:     g.Transport(peerTimeout),
		Timeout:       peerTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// onNegotiationFinished queues negotiation.finished in the finishing
// transaction: to the opener's integration key's response_url, or, on
// the responding side, to every live key of the workspace that has one.
func (n *Node) onNegotiationFinished(ctx context.Context, tx store.Tx, neg negotiation.Negotiation) error {
	n.fedm.negotiationFinished(string(neg.Status))
	var keys []access.Key
	if neg.KeyID != "" {
		k, err := access.FindKey(ctx, tx, neg.KeyID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err == nil {
			keys = append(keys, k)
		}
	} else {
		all, err := access.ListKeys(ctx, tx, neg.WorkspaceID)
		if err != nil {
			return err
		}
		keys = all
	}
	queued := false
	for _, k := range keys {
		if k.ResponseURL == "" || k.Revoked {
			continue
		}
		d, err := webhook.NewDelivery(neg.WorkspaceID, k.ID, webhook.EventNegotiation, k.ResponseURL, webhook.Payload{Negotiation: negotiationJSON(neg)})
		if err != nil {
			return err
		}
		d.CreatedAt = n.now()
		if err := webhook.Enqueue(ctx, tx, d); err != nil {
			return err
		}
		queued = true
	}
	if queued && n.dispatcher != nil {
		// Woken after commit would be better; the dispatcher's poll finds
		// the delivery either way.
		go n.dispatcher.Notify()
	}
	return nil
}

// Sealer seals and opens secrets at rest under the node's key-encryption
// key (plain A2A peers' credentials; tests set them through it).
func (n *Node) Sealer() webhook.Sealer { return n.secrets.Sealer }
