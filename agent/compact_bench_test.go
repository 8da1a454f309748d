package agent_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/price"
	"github.com/soisnode/soisnode/conversation"
)

// BenchmarkHistoryTokens is the prompt size of a 5-turn conversation's
// last turn, each earlier turn a search listing ten contacts (~1.4 kB)
// and the model's answer: the history sent with agent.DefaultCompaction
// beside the same history verbatim (what the local agent gets, and every
// provider got before).
//
// Metrics: history-tokens and full-history-tokens (price.EstimateTokens
// of the messages alone), ratio = history ÷ full.
func BenchmarkHistoryTokens(b *testing.B) {
	turns, steps := searches(5)
	var msgs []agent.Message
	var err error
	for b.Loop() {
		if msgs, err = agent.History(turns, steps, 5, 20, &agent.DefaultCompaction); err != nil {
			b.Fatal(err)
		}
	}
	full, err := agent.History(turns, steps, 5, 20, nil)
	if err != nil {
		b.Fatal(err)
	}
	got, all := price.EstimateTokens(agent.Request{Messages: msgs}), price.EstimateTokens(agent.Request{Messages: full})
	b.ReportMetric(float64(got), "history-tokens")
	b.ReportMetric(float64(all), "full-history-tokens")
	b.ReportMetric(float64(got)/float64(all), "ratio")
}

// searches is a conversation of n turns: each earlier one a contacts
// search and the model's answer; turn n is the one being run.
func searches(n int) ([]conversation.Turn, []conversation.Step) {
	var turns []conversation.Turn
	var steps []conversation.Step
	rec := func(turn, seq int, kind string, v any) {
		p, _ := json.Marshal(v)
		steps = append(steps, conversation.Step{Turn: turn, Seq: seq, Kind: kind, Payload: p})
	}
	for i := 1; i <= n; i++ {
		turns = append(turns, conversation.Turn{Turn: i, Message: fmt.Sprintf("Find the contacts at Acme, page %d", i), Reply: "Here they are."})
		if i == n {
			break
		}
		var hits []map[string]string
		for k := range 10 {
			hits = append(hits, map[string]string{"id": fmt.Sprintf("01JD7X3K9Q6M2B5V8N4R0T%04d", i*10+k), "name": fmt.Sprintf("Person %d", k), "email": fmt.Sprintf("person%d@acme.example", k), "title": "Head of Something"})
		}
		res, _ := json.Marshal(map[string]any{"contacts": hits})
		call := agent.ToolCall{ID: fmt.Sprintf("c%d", i), Name: "contacts_search", Args: json.RawMessage(`{"query":"Acme"}`)}
		rec(i, 0, conversation.StepModel, map[string]any{"message": agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{call}}})
		rec(i, 1, conversation.StepTool, map[string]any{"result": agent.ToolResult{CallID: call.ID, Name: call.Name, Content: res}})
		rec(i, 2, conversation.StepModel, map[string]any{"message": agent.Message{Role: agent.RoleModel, Text: "Here they are."}})
	}
	return turns, steps
}
