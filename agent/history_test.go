package agent

import (
	"encoding/json"
	"testing"

	"github.com/soisnode/soisnode/conversation"
)

func step(turn, seq int, kind string, v any) conversation.Step {
	b, _ := json.Marshal(v)
	return conversation.Step{Turn: turn, Seq: seq, Kind: kind, Payload: b}
}

// TestRebuildResumesWhereTheTurnStopped: recorded steps become context,
// answered calls are not pending, unanswered ones are.
func TestRebuildResumesWhereTheTurnStopped(t *testing.T) {
	turns := []conversation.Turn{
		{Turn: 1, Message: "first", Reply: "Which one?", Status: conversation.InputRequired},
		{Turn: 2, Message: "the second"},
	}
	calls := []ToolCall{{ID: "a", Name: "x_create"}, {ID: "b", Name: "x_create"}}
	steps := []conversation.Step{
		step(1, 0, conversation.StepModel, modelStep{Message: Message{Role: RoleModel, Calls: []ToolCall{{ID: "q", Name: AskTool}}}}),
		step(2, 0, conversation.StepModel, modelStep{Message: Message{Role: RoleModel, Calls: calls}, Cost: 7}),
		step(2, 1, conversation.StepTool, toolStep{Result: ToolResult{CallID: "a", Name: "x_create", Content: json.RawMessage(`{}`)}}),
	}
	p, err := rebuild(turns, steps, 2, 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.seq != 2 || p.modelCalls != 1 || p.cost != 7 {
		t.Fatalf("progress seq=%d calls=%d cost=%d", p.seq, p.modelCalls, p.cost)
	}
	if len(p.pending) != 1 || p.pending[0].ID != "b" {
		t.Fatalf("pending = %+v, want call b only", p.pending)
	}
	// Context: user, model(ask), tool(ask answered), model(question), user, model(calls), tool(a).
	roles := ""
	for _, m := range p.messages {
		roles += string(m.Role)[:1]
	}
	if roles != "umtmumt" {
		t.Fatalf("context roles %q", roles)
	}
}

func TestRebuildKeepsRecentTurns(t *testing.T) {
	var turns []conversation.Turn
	for i := 1; i <= 30; i++ {
		turns = append(turns, conversation.Turn{Turn: i, Message: "m", Reply: "r"})
	}
	p, err := rebuild(turns, nil, 30, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 5 earlier turns (user + reply each) and the current user message.
	if len(p.messages) != 11 {
		t.Fatalf("%d messages, want 11", len(p.messages))
	}
}
