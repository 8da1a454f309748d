package node

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing/verify"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// Federation transport: one envelope per POST, as a compact JWS
// (Content-Type application/jose); the receiver's next envelope, if any,
// is the body of its answer.
const (
	MessagesPath = "/federation/v1/messages"
	joseType     = "application/jose"
	maxEnvelope  = 64 << 10
	envelopeLife = 5 * time.Minute
	peerTimeout  = 30 * time.Second
)

// envelopeKind maps envelope errors to the HTTP answer's kind: signature
// failures are the sender's credentials (401), order and replay a
// conflict (409), anything else a bad request (400).
func envelopeKind(err error) errs.Kind {
	switch {
	case errors.Is(err, verify.ErrSignature), errors.Is(err, verify.ErrUnknownKey), errors.Is(err, verify.ErrType),
		errors.Is(err, negotiation.ErrSender):
		return errs.Unauthorized
	case errors.Is(err, negotiation.ErrSequence), errors.Is(err, negotiation.ErrState), errors.Is(err, negotiation.ErrReplayed):
		return errs.Conflict
	}
	return errs.Malformed
}

// serveMessage receives a peer's envelope, checks it against the keys the
// receiving workspace pinned for the sender, records it and answers with
// this side's next envelope.
func (n *Node) serveMessage(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEnvelope+1))
	if err != nil || len(body) > maxEnvelope {
		n.writeProblem(w, errs.E(errs.Malformed, "the body must be one compact JWS of at most %d bytes", maxEnvelope))
		return
	}
	reply, err := n.receive(r.Context(), strings.TrimSpace(string(body)))
	if err != nil {
		n.writeProblem(w, err)
		return
	}
	if reply == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", joseType)
	_, _ = io.WriteString(w, reply)
}

func (n *Node) writeProblem(w http.ResponseWriter, err error) {
	p := problemFor(n.log, err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// receive handles one inbound envelope and returns the reply to send back
// ("" for none).
func (n *Node) receive(ctx context.Context, token string) (string, error) {
	from, err := negotiation.Sender(token)
	if err != nil {
		return "", errs.Wrap(errs.Malformed, err, "%v", err)
	}
	peer, neg, err := n.receivingPeer(ctx, from, token)
	if err != nil {
		return "", err
	}
	keys, err := peer.KeySet()
	if err != nil {
		return "", err
	}
	x := negotiation.Expect{Self: n.nodeID, Peer: from, State: negotiation.StateNew, Now: n.now()}
	if neg != nil {
		x.State, x.LastSeq = neg.State(), neg.LastSeq()
	}
	env, err := negotiation.Verify(ctx, keys, token, x)
	if err != nil {
		return "", errs.Wrap(envelopeKind(err), err, "%v", err)
	}
	if neg != nil && env.NegotiationID != neg.ID {
		return "", errs.E(errs.Malformed, "negotiation_id does not match")
	}
	if err := negotiation.Remember(ctx, &negotiation.SQLNonces{DB: n.db, Now: n.now}, env); err != nil {
		return "", errs.Wrap(envelopeKind(err), err, "%v", err)
	}
	caps := negotiation.Caps{MaxTurns: peer.MaxTurns, MaxUSD: peer.MaxUSD}
	turns := 1
	if neg != nil {
		caps = negotiation.Caps{MaxTurns: neg.MaxTurns, MaxUSD: neg.MaxUSD}
		turns = len(neg.Turns) + 1
	}
	state, ended, status := negotiation.Next(x.State, env.Type, turns, 0, caps)
	var reply string
	var out negotiation.Envelope
	if !ended {
		// This slice's responder: deterministic, no model call, $0.
		out = n.envelope(env.NegotiationID, env.Seq+1, from, negotiation.TypeClose, responderText(peer, env), caps.MaxUSD)
		if reply, err = negotiation.Sign(ctx, n.keys, out); err != nil {
			return "", err
		}
		_, ended, status = negotiation.Next(state, out.Type, turns+1, 0, caps)
	}
	now := n.now()
	err = n.db.InTx(ctx, func(tx store.Tx) error {
		if neg == nil {
			if _, err := negotiation.Create(ctx, tx, peer.WorkspaceID, negotiation.CreateParams{
				ID: env.NegotiationID, Peer: from, Goal: env.Body.Text, MaxUSD: caps.MaxUSD, MaxTurns: caps.MaxTurns,
			}, now); err != nil {
				return err
			}
		}
		got, err := negotiation.AppendTurn(ctx, tx, peer.WorkspaceID, env.NegotiationID, negotiation.TurnOf(env, token, now), 0)
		if err != nil {
			return err
		}
		if reply != "" {
			if got, err = negotiation.AppendTurn(ctx, tx, peer.WorkspaceID, env.NegotiationID, negotiation.TurnOf(out, reply, now), 0); err != nil {
				return err
			}
		}
		if ended {
			_, err = negotiation.Finish(ctx, tx, peer.WorkspaceID, env.NegotiationID, status, Summarize(got, status, n.nodeID), now)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	n.log.Info("negotiation turn received", "negotiation_id", env.NegotiationID, "from", from, "type", env.Type, "workspace_id", peer.WorkspaceID)
	return reply, nil
}

// receivingPeer finds the workspace that pinned the sender, and the
// negotiation the envelope continues (nil for a new one). When several
// workspaces pinned the sender, the one holding the negotiation wins; a
// new negotiation goes to the workspace that pinned the sender first.
func (n *Node) receivingPeer(ctx context.Context, from, token string) (peers.Peer, *negotiation.Negotiation, error) {
	rows, err := n.db.Query(ctx, `SELECT workspace_id FROM peers WHERE node_id = ? ORDER BY created_at, id`, from)
	if err != nil {
		return peers.Peer{}, nil, fmt.Errorf("node: peers of %s: %w", from, err)
	}
	var wss []string
	for rows.Next() {
		var ws string
		if err := rows.Scan(&ws); err != nil {
			rows.Close()
			return peers.Peer{}, nil, fmt.Errorf("node: peers of %s: %w", from, err)
		}
		wss = append(wss, ws)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return peers.Peer{}, nil, fmt.Errorf("node: peers of %s: %w", from, err)
	}
	if len(wss) == 0 {
		return peers.Peer{}, nil, errs.E(errs.Unauthorized, "node %s is not a pinned peer", from)
	}
	// The id only chooses where to look; Verify checks the envelope after.
	id := unverifiedID(token)
	for _, ws := range wss {
		if neg, err := negotiation.Get(ctx, n.db, ws, id); err == nil {
			p, err := peers.Get(ctx, n.db, ws, from)
			return p, &neg, err
		} else if !errs.Is(err, errs.NotFound) {
			return peers.Peer{}, nil, err
		}
	}
	p, err := peers.Get(ctx, n.db, wss[0], from)
	return p, nil, err
}

func unverifiedID(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var p struct {
		ID string `json:"negotiation_id"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.ID
}

// envelope builds this node's next envelope of a negotiation.
func (n *Node) envelope(id string, seq int64, to string, typ negotiation.Type, text string, capUSD money.Micro) negotiation.Envelope {
	now := n.now()
	return negotiation.Envelope{
		V: negotiation.Version, NegotiationID: id, Seq: seq, From: n.nodeID, To: to,
		IssuedAt: now.Unix(), ExpiresAt: now.Add(envelopeLife).Unix(), Nonce: negotiation.NewNonce(),
		Type: typ, Body: negotiation.Body{Text: text}, Budget: negotiation.Budget{Cap: capUSD},
	}
}

// responderText is the deterministic responder's answer: what this side
// would do under the policy it pinned for the peer.
func responderText(p peers.Peer, env negotiation.Envelope) string {
	scopes := "no tools"
	if len(p.Scopes) > 0 {
		scopes = "only " + strings.Join(p.Scopes, ", ")
	}
	return fmt.Sprintf("Received %q. Under this workspace's policy for %s it may use %s, spend at most %s USD and take %d turns; no agent answers negotiations here yet, so it closes.",
		truncate(env.Body.Text, 200), p.NodeID, scopes, p.MaxUSD.Short(), p.MaxTurns)
}

// Summarize is a negotiation's summary built from its transcript: the
// outcome, then one line per turn.
func Summarize(neg negotiation.Negotiation, status negotiation.Status, self string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s after %d turns.", status, len(neg.Turns))
	for _, t := range neg.Turns {
		who := "peer"
		if t.From == self {
			who = "us"
		}
		fmt.Fprintf(&b, "\n%d %s (%s): %s", t.Seq, t.Type, who, truncate(t.Text, 500))
	}
	return truncate(b.String(), negotiation.MaxSummary)
}

func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - 3
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

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

// send posts an envelope to a peer and returns its reply envelope ("" for
// none). A refusal is Unavailable, with the peer's problem detail.
func (n *Node) send(ctx context.Context, baseURL, token string) (string, error) {
	target := strings.TrimRight(baseURL, "/") + MessagesPath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(token))
	if err != nil {
		return "", errs.E(errs.Invalid, "bad peer URL %s", target)
	}
	req.Header.Set("Content-Type", joseType)
	req.Header.Set("Accept", joseType+", application/problem+json")
	resp, err := n.peerHTTP().Do(req)
	if err != nil {
		return "", errs.Wrap(errs.Unavailable, err, "POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEnvelope+1))
	if err != nil {
		return "", errs.Wrap(errs.Unavailable, err, "POST %s: %v", target, err)
	}
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return "", nil
	case resp.StatusCode != http.StatusOK:
		var p Problem
		_ = json.Unmarshal(body, &p)
		return "", errs.E(errs.Unavailable, "peer answered %s: %s", resp.Status, truncate(p.Detail, 500))
	case len(body) > maxEnvelope:
		return "", errs.E(errs.Unavailable, "peer's answer is larger than %d bytes", maxEnvelope)
	}
	return strings.TrimSpace(string(body)), nil
}
