package quality

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/agent/local/negotiate"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/workspace"
)

// MaxTurns is each game's turn limit (envelopes, open included).
const MaxTurns = 10

// capUSD is each side's cap per exchange.
const capUSD = money.Dollar

// Result is one game's score.
type Result struct {
	Seed       uint64      `json:"seed"`
	Game       string      `json:"game"`
	Agreed     bool        `json:"agreed"`
	Opener     int         `json:"opener_points"`
	Responder  int         `json:"responder_points"`
	Joint      int         `json:"joint_points"`
	Pareto     bool        `json:"pareto_optimal"`
	Turns      int         `json:"turns"`
	CostOpener money.Micro `json:"-"`
	CostResp   money.Micro `json:"-"`
	Violations []string    `json:"violations,omitempty"`
	End        string      `json:"end"` // the last envelope's type, or why the game stopped
}

const (
	openerID    = "node_opener"
	responderID = "node_responder"
)

// noTools: a game needs no workspace tools; any call is refused.
type noTools struct{}

func (noTools) List(context.Context) ([]workspace.Tool, error) { return nil, nil }
func (noTools) Call(_ context.Context, name string, _ json.RawMessage) (workspace.Result, error) {
	return workspace.Result{}, fmt.Errorf("quality: no tool %q in a game", name)
}

// Play runs game seed between opener and responder. Each side sees its
// own copy of the exchange with its own private goal.
func Play(ctx context.Context, seed uint64, opener, responder negotiation.Agent) Result {
	og, rg := NewGame(seed)
	res := Result{Seed: seed, Game: describe(og, rg)}
	id := fmt.Sprintf("game_%d", seed)
	var turns []negotiation.Turn
	var pending *negotiate.Split // the last proposal, as its proposer wrote it
	var pendingFrom string
	for seq := int64(1); seq <= MaxTurns; seq++ {
		self, peer, goal, role, agent := openerID, responderID, og.Goal(), negotiation.RoleOpener, opener
		if seq%2 == 0 {
			self, peer, goal, role, agent = responderID, openerID, rg.Goal(), negotiation.RoleResponder, responder
		}
		n := negotiation.Negotiation{WorkspaceID: "ws_" + self, ID: id, Peer: peer, Goal: goal, Status: negotiation.StatusOpen,
			Turns: append([]negotiation.Turn(nil), turns...), MaxUSD: capUSD, MaxTurns: MaxTurns, Role: role, CreatedAt: time.Now()}
		m, err := agent.Move(ctx, negotiation.Situation{Negotiation: n, Self: self, Seq: seq, Tools: noTools{}})
		if self == openerID {
			res.CostOpener += m.Cost
		} else {
			res.CostResp += m.Cost
		}
		res.Turns = int(seq)
		if err != nil {
			res.Violations = append(res.Violations, fmt.Sprintf("seq %d: %v", seq, err))
			res.End = "error"
			return res
		}
		if v := violation(seq, m, pending, pendingFrom, self, og); v != "" {
			res.Violations = append(res.Violations, fmt.Sprintf("seq %d (%s): %s", seq, role, v))
			res.End = "violation"
			return res
		}
		turns = append(turns, negotiation.Turn{Seq: seq, From: self, Type: m.Type, Text: m.Text, Data: m.Data, At: time.Now()})
		res.End = string(m.Type)
		switch m.Type {
		case negotiation.TypePropose:
			var sp negotiate.Split
			_ = json.Unmarshal(m.Data, &sp)
			pending, pendingFrom = &sp, self
		case negotiation.TypeAccept:
			mine, yours := pending.Mine, pending.Yours // the proposer's share, the accepter's
			if pendingFrom == openerID {
				res.Opener, res.Responder = og.Points(mine), rg.Points(yours)
			} else {
				res.Opener, res.Responder = og.Points(yours), rg.Points(mine)
			}
			res.Agreed, res.Joint = true, res.Opener+res.Responder
			res.Pareto = pareto(og, rg, res.Opener, res.Responder)
			return res
		case negotiation.TypeReject, negotiation.TypeClose:
			return res
		}
	}
	res.End = "turn_limit"
	return res
}

// violation checks a move against the envelope rules and the game: open
// first and only first; a proposal carries a split of exactly the pool;
// accept only a pending proposal of the peer's.
func violation(seq int64, m negotiation.Move, pending *negotiate.Split, pendingFrom, self string, g negotiate.Game) string {
	switch {
	case seq == 1 && m.Type != negotiation.TypeOpen:
		return fmt.Sprintf("first envelope is %q, not open", m.Type)
	case seq > 1 && m.Type == negotiation.TypeOpen:
		return "open after the first envelope"
	}
	switch m.Type {
	case negotiation.TypeOpen, negotiation.TypeMessage, negotiation.TypeReject, negotiation.TypeClose:
	case negotiation.TypePropose:
		var sp negotiate.Split
		if err := json.Unmarshal(m.Data, &sp); err != nil || sp.Kind != negotiate.KindSplit || !g.Valid(sp) {
			return fmt.Sprintf("propose whose data is not a split of the pool: %s", m.Data)
		}
	case negotiation.TypeAccept:
		if pending == nil || pendingFrom == self {
			return "accept with no proposal of the peer's pending"
		}
	default:
		return fmt.Sprintf("unknown envelope type %q", m.Type)
	}
	return ""
}
