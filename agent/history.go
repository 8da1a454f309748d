package agent

import (
	"encoding/json"
	"fmt"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/workspace"
)

// modelStep is the payload of a recorded model call.
type modelStep struct {
	Message Message     `json:"message"`
	Model   string      `json:"model"`
	Usage   Usage       `json:"usage"`
	Cost    money.Micro `json:"cost"`
}

// toolStep is the payload of a recorded tool call.
type toolStep struct {
	Result   ToolResult          `json:"result"`
	Receipts []workspace.Receipt `json:"receipts,omitempty"`
}

// progress is what a turn has done so far, rebuilt from recorded steps.
type progress struct {
	messages   []Message // full model context: earlier turns, then this one
	seq        int       // next step number of this turn
	modelCalls int
	cost       money.Micro
	receipts   []workspace.Receipt
	pending    []ToolCall // calls of the last model message not yet answered
	last       *Message   // last model message of this turn, if any
}

// rebuild replays the recorded steps of a conversation into the model
// context for turn `turn`, keeping at most keep earlier turns; with
// compact, the earlier turns before its Verbatim most recent ones are
// compacted.
func rebuild(turns []conversation.Turn, steps []conversation.Step, turn, keep int, compact *Compaction) (progress, error) {
	var p progress
	byTurn := map[int][]conversation.Step{}
	for _, s := range steps {
		byTurn[s.Turn] = append(byTurn[s.Turn], s)
	}
	first := max(1, turn-keep)
	for _, t := range turns {
		if t.Turn < first || t.Turn > turn {
			continue
		}
		from := len(p.messages)
		p.messages = append(p.messages, Message{Role: RoleUser, Text: t.Message})
		current := t.Turn == turn
		for _, s := range byTurn[t.Turn] {
			if err := p.apply(s, current); err != nil {
				return progress{}, err
			}
		}
		if !current {
			// A turn that stopped on a question (or was cut short) left
			// calls unanswered; providers reject a context like that.
			p.messages = answerOpenCalls(p.messages)
		}
		if !current && t.Reply != "" && (len(p.messages) == 0 || p.messages[len(p.messages)-1].Role != RoleModel) {
			// A turn that ended without a final model message (failed,
			// canceled, budget) still tells the model what the caller saw.
			p.messages = append(p.messages, Message{Role: RoleModel, Text: t.Reply})
		}
		if compact != nil && !current && t.Turn < turn-compact.Verbatim {
			compact.compactMessages(p.messages[from:])
		}
	}
	return p, nil
}

func (p *progress) apply(s conversation.Step, current bool) error {
	switch s.Kind {
	case conversation.StepModel:
		var m modelStep
		if err := json.Unmarshal(s.Payload, &m); err != nil {
			return fmt.Errorf("agent: step %d/%d: %w", s.Turn, s.Seq, err)
		}
		p.applyModel(m, s.Seq, current)
		return nil
	case conversation.StepTool:
		var t toolStep
		if err := json.Unmarshal(s.Payload, &t); err != nil {
			return fmt.Errorf("agent: step %d/%d: %w", s.Turn, s.Seq, err)
		}
		p.applyTool(t, s.Seq, current)
		return nil
	}
	if current {
		p.seq = s.Seq + 1
	}
	return nil
}

// applyModel adds model step m, number seq, to the context (as apply,
// without a payload to decode).
func (p *progress) applyModel(m modelStep, seq int, current bool) {
	p.messages = append(p.messages, m.Message)
	if current {
		p.modelCalls++
		p.cost += m.Cost
		msg := m.Message
		p.last = &msg
		p.pending = append([]ToolCall(nil), m.Message.Calls...)
		p.seq = seq + 1
	}
}

// applyTool adds tool step t, number seq, to the context (as apply,
// without a payload to decode).
func (p *progress) applyTool(t toolStep, seq int, current bool) {
	n := len(p.messages)
	if n > 0 && p.messages[n-1].Role == RoleTool {
		p.messages[n-1].Results = append(p.messages[n-1].Results, t.Result)
	} else {
		p.messages = append(p.messages, Message{Role: RoleTool, Results: []ToolResult{t.Result}})
	}
	if current {
		p.receipts = append(p.receipts, t.Receipts...)
		for i, c := range p.pending {
			if c.ID == t.Result.CallID {
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				break
			}
		}
		p.seq = seq + 1
	}
}

// answerOpenCalls gives every call of the last model message a result, in
// the calls' order, when the turn ended before they all ran: ask_caller's
// result says the question went to the caller (whose answer is the next
// user message); any other call is reported as not run.
func answerOpenCalls(msgs []Message) []Message {
	i := len(msgs) - 1
	if i >= 0 && msgs[i].Role == RoleTool {
		i--
	}
	if i < 0 || msgs[i].Role != RoleModel || len(msgs[i].Calls) == 0 {
		return msgs
	}
	var have []ToolResult
	if i+1 < len(msgs) {
		have = msgs[i+1].Results
	}
	if len(have) == len(msgs[i].Calls) {
		return msgs
	}
	byID := map[string]ToolResult{}
	for _, r := range have {
		byID[r.CallID] = r
	}
	results := make([]ToolResult, 0, len(msgs[i].Calls))
	for _, c := range msgs[i].Calls {
		r, ok := byID[c.ID]
		switch {
		case ok:
		case c.Name == AskTool:
			r = ToolResult{CallID: c.ID, Name: c.Name, Content: json.RawMessage(`{"asked":true,"note":"The question was sent to the caller; their answer is the next user message."}`)}
		default:
			r = ToolResult{CallID: c.ID, Name: c.Name, IsError: true, Content: json.RawMessage(`{"error":"not run: the turn ended before this call"}`)}
		}
		results = append(results, r)
	}
	return append(msgs[:i+1], Message{Role: RoleTool, Results: results})
}
