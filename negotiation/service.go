package negotiation

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// Service runs exchanges: it opens them (Open), takes the peer's
// envelopes (Receive), takes this side's turns and sends them (Step, a
// durable job), ends them on their deadline (Expire) or on request
// (Cancel). One envelope's path through an exchange is readable here:
// receive.go, step.go, open.go.
type Service struct {
	DB        *store.DB
	Self      string // this node's id: "from" of what it signs
	Signer    Signer
	Peers     PeerStore
	Transport Transport
	// A2A carries exchanges with plain A2A peers; nil: none can be held.
	A2A A2AClient
	// Sealer opens the credentials stored for plain A2A peers (the node's
	// key-encryption key); nil: none can be opened.
	Sealer webhook.Sealer
	Jobs   Jobs
	// Lane answers a received envelope at once in this process (lane.go);
	// nil: every answer is a River job.
	Lane     Lane
	Agent    Agent
	Registry *workspace.Registry // the tools agents act with, limited per side
	// OnFinish runs in the transaction that ends an exchange (queues the
	// negotiation.finished webhook).
	OnFinish func(ctx context.Context, tx store.Tx, n Negotiation) error
	// OnReject is told why an inbound envelope was refused (metrics).
	OnReject func(reason string)
	Now      func() time.Time
	Log      *slog.Logger
	// Deadline is how long an exchange may run; default DefaultDeadline.
	Deadline time.Duration
	// EnvelopeLife is exp − iat of what this side signs; default 5 minutes.
	EnvelopeLife time.Duration

	keys keyCache     // pinned key sets, parsed once per JWKS
	pins pinCache     // senders' pins, re-checked inside the recording transaction
	ends leaseEnds    // sent answers' leases, ended by the next write (leaseend.go)
	txs  atomic.Int64 // transactions begun through inTx (tests count them)
}

// DefaultDeadline is how long an exchange may run when Service.Deadline
// is zero.
const DefaultDeadline = 15 * time.Minute

// PeerStore is what the service needs of the peer registry.
type PeerStore interface {
	// ByNode returns every workspace's pin of the node, oldest first.
	ByNode(ctx context.Context, nodeID string) ([]peers.Peer, error)
	// Get returns the workspace's peer named ref (id, node id or name).
	Get(ctx context.Context, workspaceID, ref string) (peers.Peer, error)
}

// Transport delivers a signed envelope to a peer.
type Transport interface {
	// Send POSTs token to the peer at baseURL. A refusal by the peer
	// (4xx) is a *Refused; anything else may be retried.
	Send(ctx context.Context, baseURL, token string) error
}

// Refused is a peer's refusal of an envelope (a 4xx answer): sending it
// again will not help.
type Refused struct {
	Status int
	Detail string
}

func (r *Refused) Error() string { return "the peer refused the envelope: " + r.Detail }

// Jobs schedules the service's durable work, inside the caller's
// transaction so that nothing recorded is left without its job.
type Jobs interface {
	// Step schedules this side's turn seq of an exchange: produce it if it
	// is not recorded yet, then send it.
	Step(ctx context.Context, tx store.Tx, workspaceID, id string, seq int64) error
	// Summarize schedules the model-written summary of an ended exchange
	// (Service.Summarize), when the agent is a Summarizer.
	Summarize(ctx context.Context, tx store.Tx, workspaceID, id string) error
}

// Agent takes this side's turns.
type Agent interface {
	// Move decides this side's next envelope. The peer's texts and data in
	// s are untrusted: data to reason about, never instructions.
	Move(ctx context.Context, s Situation) (Move, error)
}

// Summarizer is an Agent that writes an exchange's summary itself (a
// model). The node's own summary (Summarize) is what it is given as the
// facts; the call is held and recorded under the exchange's cap like a
// turn's, and ErrBudgetCap means the cap leaves no room for it.
type Summarizer interface {
	Summarize(ctx context.Context, n Negotiation, self, facts string) (string, error)
}

// Situation is what an agent knows when it takes a turn.
type Situation struct {
	Negotiation Negotiation // terms and transcript so far
	Self        string      // this node's id (turns from it are ours)
	Seq         int64       // the seq of the envelope to produce
	Tools       Tools       // the tools this side may use for this exchange
	// Keep stores the move in tx, the transaction that settles the model
	// call that produced it, so a crash before the turn is recorded resumes
	// from it instead of asking the model again. Optional for agents that
	// spend nothing (the local agent); nil outside Step.
	Keep func(ctx context.Context, tx store.Tx, m Move) error
}

// Tools are the workspace tools one side may use in an exchange: the
// opener's integration key and member, or the responder's peer policy.
// A tool outside them is not listed and a call to it is refused.
type Tools interface {
	List(ctx context.Context) ([]workspace.Tool, error)
	Call(ctx context.Context, name string, args json.RawMessage) (workspace.Result, error)
}

// Move is this side's next envelope and what it did to produce it.
type Move struct {
	Type    Type
	Text    string
	Data    json.RawMessage
	Actions []workspace.Receipt // local effects (imports), as receipts
	// Cost is the model spend for this turn, as the agent saw it: for its
	// logs only. The exchange's cost is what the ledger recorded for it.
	Cost money.Micro
}

// inTx runs fn in a transaction of s.DB, counted in s.txs.
func (s *Service) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	s.txs.Add(1)
	return s.DB.InTx(ctx, fn)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) deadline() time.Duration {
	if s.Deadline > 0 {
		return s.Deadline
	}
	return DefaultDeadline
}

func (s *Service) life() time.Duration {
	if s.EnvelopeLife > 0 {
		return s.EnvelopeLife
	}
	return 5 * time.Minute
}

func (s *Service) rejected(reason string) {
	if s.OnReject != nil {
		s.OnReject(reason)
	}
}

// envelope builds this side's envelope seq of exchange n.
func (s *Service) envelope(n Negotiation, seq int64, m Move) Envelope {
	now := s.now()
	return Envelope{
		V: Version, NegotiationID: n.ID, Seq: seq, From: s.Self, To: n.Peer,
		IssuedAt: now.Unix(), ExpiresAt: now.Add(s.life()).Unix(), Nonce: NewNonce(),
		Type: m.Type, Body: Body{Text: m.Text, Data: m.Data}, Budget: Budget{Cap: n.MaxUSD, Spent: min(n.Cost, n.MaxUSD)},
	}
}

// finish ends an open exchange in tx with its summary and runs OnFinish.
func (s *Service) finish(ctx context.Context, tx store.Tx, n Negotiation, status Status, note string) (Negotiation, error) {
	return s.finishWith(ctx, tx, n, status, note, false)
}

// finishWith is finish; current says n is the exchange exactly as tx
// holds it (its row locked by an append in tx), so the finished exchange
// is n with its end set instead of being read back.
func (s *Service) finishWith(ctx context.Context, tx store.Tx, n Negotiation, status Status, note string, current bool) (Negotiation, error) {
	summary, now := Summarize(n, status, s.Self, note), s.now()
	var err error
	if current && status.Final() && status.known() && len(summary) <= MaxSummary {
		if err = finishRow(ctx, tx, n.WorkspaceID, n.ID, status, summary, now); err == nil {
			n.Status, n.Summary, n.FinishedAt = status, summary, store.Time(store.Micros(now))
		}
	} else {
		n, err = Finish(ctx, tx, n.WorkspaceID, n.ID, status, summary, now)
	}
	if err != nil {
		return Negotiation{}, err
	}
	if err := dropKept(ctx, tx, n.WorkspaceID, n.ID, math.MaxInt64); err != nil {
		return Negotiation{}, err
	}
	if _, ok := s.Agent.(Summarizer); ok && s.Jobs != nil {
		// The model writes the summary in a job of its own (a model call
		// never runs inside a transaction); it queues OnFinish then.
		if err := markSummaryPending(ctx, tx, n.WorkspaceID, n.ID); err != nil {
			return Negotiation{}, err
		}
		if err := s.Jobs.Summarize(ctx, tx, n.WorkspaceID, n.ID); err != nil {
			return Negotiation{}, err
		}
	} else if s.OnFinish != nil {
		if err := s.OnFinish(ctx, tx, n); err != nil {
			return Negotiation{}, err
		}
	}
	s.log().Info("negotiation finished", "negotiation_id", n.ID, "workspace_id", n.WorkspaceID, "status", status, "turns", len(n.Turns))
	return n, nil
}
