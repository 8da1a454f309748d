package node

import (
	"context"
	"net/http"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent/local/negotiate"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/httpapi"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

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

// PeerClient returns a client for other nodes' cards and keys, guarded like
// webhooks: https and public addresses only, except SOIS_PEER_ALLOW_HOSTS.
func (n *Node) PeerClient() *peers.Client {
	c := peers.NewClient(n.cfg.PeerAllowHosts)
	c.Now = n.now
	return c
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
		d, err := webhook.NewDelivery(neg.WorkspaceID, k.ID, webhook.EventNegotiation, k.ResponseURL, webhook.Payload{Negotiation: httpapi.ViewNegotiation(neg)})
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
