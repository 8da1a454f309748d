package price

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent"
)

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		name string
		req  agent.Request
		want int64
	}{
		{"empty", agent.Request{}, RequestOverhead},
		{"system rounds up", agent.Request{System: "abcd"}, RequestOverhead + 2},
		{"one message", agent.Request{Messages: []agent.Message{{Role: agent.RoleUser, Text: "hello there"}}}, // 11 bytes → 4
			RequestOverhead + MessageOverhead + 4},
		{"calls and results", agent.Request{Messages: []agent.Message{
			{Role: agent.RoleModel, Calls: []agent.ToolCall{{ID: "c1", Name: "ab", Args: json.RawMessage(`{"q":1}`)}}},      // 9 → 3
			{Role: agent.RoleTool, Results: []agent.ToolResult{{CallID: "c1", Name: "ab", Content: json.RawMessage(`{}`)}}}, // 4 → 2
		}}, RequestOverhead + 2*MessageOverhead + 2*PartOverhead + 3 + 2},
		{"tools", agent.Request{Tools: []agent.ToolDecl{agent.AskToolDecl}},
			RequestOverhead + ToolOverhead + ceilTokens(len(agent.AskTool)+len(agent.AskToolDecl.Description)+len(agent.AskToolDecl.Schema))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EstimateTokens(tt.req); got != tt.want {
				t.Errorf("EstimateTokens = %d, want %d", got, tt.want)
			}
		})
	}
}

// The estimate must stay above a ~4 bytes/token tokenizer for English text.
func TestEstimateTokensIsConservative(t *testing.T) {
	text := strings.Repeat("Create a contact for Jane Doe, CEO of Acme Corp. ", 100)
	got := EstimateTokens(agent.Request{Messages: []agent.Message{{Role: agent.RoleUser, Text: text}}})
	if min := int64(len(text) / 4); got <= min {
		t.Errorf("EstimateTokens = %d, want > %d", got, min)
	}
}

// The bound counts every byte as a token, so no tokenizer (each of whose
// tokens covers at least one byte) can exceed it, whatever the script.
func TestPromptBoundCountsBytes(t *testing.T) {
	text := strings.Repeat("東京で会議を予約して。", 50)
	call := agent.ToolCall{ID: "c1", Name: "ab", Args: json.RawMessage(`{"q":"日本"}`)}
	req := agent.Request{
		System:   "sys",
		Messages: []agent.Message{{Role: agent.RoleUser, Text: text}, {Role: agent.RoleModel, Calls: []agent.ToolCall{call}}},
		Tools:    []agent.ToolDecl{agent.AskToolDecl},
	}
	want := int64(RequestOverhead+3) + MessageOverhead + int64(len(text)) + MessageOverhead + PartOverhead + int64(len(call.Name)+len(call.Args)) +
		ToolOverhead + int64(len(agent.AskTool)+len(agent.AskToolDecl.Description)+len(agent.AskToolDecl.Schema))
	if got := PromptBound(req); got != want {
		t.Fatalf("PromptBound = %d, want %d", got, want)
	}
	if runes := int64(len([]rune(text))); PromptBound(req) <= runes || EstimateTokens(req) >= PromptBound(req) {
		t.Fatalf("bound %d, estimate %d, runes %d: the bound must exceed both", PromptBound(req), EstimateTokens(req), runes)
	}
}
