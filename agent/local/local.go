// Package local is the built-in model provider: offline, deterministic and
// free. It understands a documented set of plain-English requests for every
// workspace tool family (docs/local-agent.md) and says plainly when it does
// not understand one.
//
// It keeps no state between calls. Each call re-reads the conversation:
// it finds the request the current turn serves (following its own
// questions back to the message that raised them), parses that request
// into intents, and replays its plan against the tool calls, results and
// answers already in the history. The first step the history does not yet
// hold is the answer, so the same messages always give the same step.
package local

import (
	"context"

	"github.com/soisnode/soisnode/agent"
)

// ModelName is the model name the local provider reports.
const ModelName = "local"

// Provider is the local model. It never touches the network and reports
// zero usage. The zero value is ready to use and safe for concurrent use.
type Provider struct{}

var _ agent.Provider = (*Provider)(nil)

// New returns the local provider.
func New() *Provider { return &Provider{} }

// Name returns "local".
func (*Provider) Name() string { return "local" }

// Model returns "local".
func (*Provider) Model() string { return ModelName }

// Generate returns the next step of the turn: tool calls, a question for
// the caller (a call of agent.AskTool), or the final reply. It is a pure
// function of req; only a cancelled ctx makes it fail.
func (*Provider) Generate(ctx context.Context, req agent.Request) (agent.Response, error) {
	if err := ctx.Err(); err != nil {
		return agent.Response{}, err
	}
	req.Messages = dropAskEchoes(req.Messages)
	return agent.Response{Message: nextStep(req), Model: ModelName}, nil
}

// dropAskEchoes removes what the loop adds after a question when it
// replays an earlier turn for real models — the ask_caller result and the
// question repeated as model text — so a question is followed directly by
// the caller's answer, as the planner expects.
func dropAskEchoes(msgs []agent.Message) []agent.Message {
	out := make([]agent.Message, 0, len(msgs))
	for i := 0; i < len(msgs); i++ {
		m := msgs[i]
		if m.Role == agent.RoleTool && len(m.Results) > 0 && allAsks(m.Results) {
			if i+1 < len(msgs) && msgs[i+1].Role == agent.RoleModel && len(msgs[i+1].Calls) == 0 {
				i++ // the question, echoed as the turn's reply
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

func allAsks(rs []agent.ToolResult) bool {
	for _, r := range rs {
		if r.Name != agent.AskTool {
			return false
		}
	}
	return true
}

// nextStep decides the model message that continues req.
func nextStep(req agent.Request) agent.Message {
	tools := make(map[string]bool, len(req.Tools)+len(req.Deferred))
	for _, t := range req.Tools {
		tools[t.Name] = true
	}
	for _, name := range req.Deferred { // the caller may use them: no need to describe them first
		tools[name] = true
	}
	if m, ok := peerStep(req, tools); ok {
		return m
	}
	cal := calendarFrom(req.System)
	start := requestStart(req.Messages)
	if start < 0 {
		return textMessage(cantYet("there is no message to act on"))
	}
	for {
		prior := priorContact(req.Messages, start)
		intents, perr := parseWith(req.Messages[start].Text, cal, prior != nil)
		if perr != nil {
			return textMessage(perr.reply())
		}
		if missing := missingTools(intents, tools); len(missing) > 0 {
			return textMessage(denied(missing))
		}
		r := newRunner(req.Messages, start, tools, cal)
		r.contact = prior
		r.run(intents)
		if r.restart > start {
			// An answer to one of our questions was a new request.
			start = r.restart
			continue
		}
		if last := lastUser(req.Messages, len(req.Messages)); r.lostWay && last > start {
			// The questions were not ours (another model asked them):
			// take the last message as a request of its own.
			start = last
			continue
		}
		return *r.next
	}
}

// missingTools lists, in order and once each, the tools the intents need
// that the caller was not given.
func missingTools(intents []intent, tools map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range intents {
		for _, t := range it.needs() {
			if !tools[t] && !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

func textMessage(text string) agent.Message {
	return agent.Message{Role: agent.RoleModel, Text: text}
}
