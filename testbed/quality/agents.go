package quality

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/local/negotiate"
	"github.com/soisnode/soisnode/agent/negotiator"
	"github.com/soisnode/soisnode/agent/price"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store"
)

// AcceptFirst is the baseline: it accepts the first offer it sees, and
// when it must speak first it asks for everything it values.
type AcceptFirst struct{}

var _ negotiation.Agent = AcceptFirst{}

// Move implements negotiation.Agent.
func (AcceptFirst) Move(_ context.Context, s negotiation.Situation) (negotiation.Move, error) {
	g, ok := negotiate.ParseGame(s.Negotiation.Goal)
	if !ok {
		return negotiation.Move{Type: negotiation.TypeClose, Text: "not a game"}, nil
	}
	if s.Seq == 1 {
		return negotiation.Move{Type: negotiation.TypeOpen, Text: "Let us divide the items."}, nil
	}
	if last := s.Negotiation.Turns[len(s.Negotiation.Turns)-1]; last.Type == negotiation.TypePropose {
		return negotiation.Move{Type: negotiation.TypeAccept, Text: "Accepted.", Data: last.Data}, nil
	}
	return negotiation.Move{Type: negotiation.TypePropose, Text: "We keep what we value.", Data: negotiation.Encode(greedy(g))}, nil
}

// greedy keeps every item of value to g's side and gives away the rest.
func greedy(g negotiate.Game) negotiate.Split {
	sp := negotiate.Split{Kind: negotiate.KindSplit, Mine: map[string]int{}, Yours: map[string]int{}}
	for _, it := range g.Items {
		if g.Value[it] > 0 {
			sp.Mine[it] = g.Count[it]
		} else {
			sp.Yours[it] = g.Count[it]
		}
	}
	return sp
}

// Script is a scripted fake model (an agent.Provider) behind the real
// model negotiator (agent/negotiator): it reads the goal from the system
// prompt and the transcript from the situation the negotiator writes, and
// answers with one negotiation_reply call — open; then proposals worth 8,
// 7, 6 and 5 to it (the fewest items first); it accepts an offer worth 5
// or more (4 or more after three proposals). Its usage is ⌈bytes/4⌉ each
// way, so every call is priced like a real one.
type Script struct{ model string }

var _ agent.Provider = Script{}

// Name implements agent.Provider.
func (Script) Name() string { return "script" }

// Model implements agent.Provider.
func (s Script) Model() string { return s.model }

// Generate implements agent.Provider.
func (s Script) Generate(_ context.Context, req agent.Request) (agent.Response, error) {
	goal := ""
	if i := strings.Index(req.System, "Goal: "); i >= 0 {
		goal, _, _ = strings.Cut(req.System[i+len("Goal: "):], "\n")
	}
	g, ok := negotiate.ParseGame(goal)
	reply := map[string]any{"type": "close", "text": "I cannot read this game."}
	var view struct {
		Our  []turnView `json:"our_turns"`
		Peer struct {
			Data []turnView `json:"untrusted_data"`
		} `json:"peer_turns"`
		NextSeq int64 `json:"next_seq"`
	}
	if len(req.Messages) > 0 {
		_ = json.Unmarshal([]byte(strings.TrimPrefix(req.Messages[0].Text, "The exchange so far:\n")), &view)
	}
	if ok {
		reply = scriptMove(g, view.NextSeq, view.Our, view.Peer.Data)
	}
	args, _ := json.Marshal(reply)
	in := int64(len(req.System)+len(mustJSON(req.Messages))+len(mustJSON(req.Tools))+3) / 4
	return agent.Response{Model: s.model,
		Message: agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: fmt.Sprintf("c%d", view.NextSeq), Name: negotiator.ReplyTool, Args: args}}},
		Usage:   agent.Usage{InputTokens: in, OutputTokens: int64(len(args)+3) / 4}}, nil
}

type turnView struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func scriptMove(g negotiate.Game, seq int64, ours, theirs []turnView) map[string]any {
	if seq == 1 {
		return map[string]any{"type": "open", "text": "Let us divide the items."}
	}
	proposals := 0
	for _, t := range ours {
		if t.Type == "propose" {
			proposals++
		}
	}
	if n := len(theirs); n > 0 && theirs[n-1].Type == "propose" {
		var sp negotiate.Split
		if json.Unmarshal(theirs[n-1].Data, &sp) == nil && g.Valid(sp) {
			if p := g.Points(sp.Yours); p >= 5 || (proposals >= 3 && p >= 4) {
				return map[string]any{"type": "accept", "text": "Accepted.", "data": sp}
			}
		}
	}
	want := max(8-proposals, 5)
	var best map[string]int
	for _, sh := range g.Shares() {
		if g.Points(sh) != want && !(best == nil && g.Points(sh) > want) {
			continue
		}
		if best == nil || g.Points(best) != want || items(sh) < items(best) {
			best = sh
		}
	}
	if best == nil {
		best = g.Count
	}
	rest := map[string]int{}
	for _, it := range g.Items {
		rest[it] = g.Count[it] - best[it]
	}
	return map[string]any{"type": "propose", "text": "Our proposal.", "data": negotiate.Split{Kind: negotiate.KindSplit, Mine: best, Yours: rest}}
}

func items(sh map[string]int) int {
	n := 0
	for _, k := range sh {
		n += k
	}
	return n
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// ModelModel is the priced model the scripted fake answers as.
const ModelModel = "gpt-4.1-mini"

// NewModelAgent is the real model negotiator on the scripted fake, with
// the shipped price table and holds in a throw-away SQLite database in dir
// (each side's spend is reserved and settled as in a node). close closes
// the database.
func NewModelAgent(ctx context.Context, dir string) (a negotiation.Agent, close func(), err error) {
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "quality.db"))
	if err != nil {
		return nil, nil, fmt.Errorf("quality: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("quality: migrate: %w", err)
	}
	if _, ok := price.Default().Lookup(ModelModel); !ok {
		db.Close()
		return nil, nil, fmt.Errorf("quality: %s has no price", ModelModel)
	}
	return &negotiator.Agent{Provider: Script{model: ModelModel}, Pricer: node.TablePricer{Table: price.Default()}, DB: db,
		Budgets: budget.New(db, time.Now, budget.Options{}), Now: time.Now}, func() { db.Close() }, nil
}
