package agent

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/conversation"
)

// fiveTurns is a conversation of five turns, each a search whose result
// lists ten contacts (~1.4 kB), then the model's answer; turn 5 is the
// one being run.
func fiveTurns() ([]conversation.Turn, []conversation.Step) {
	var turns []conversation.Turn
	var steps []conversation.Step
	for i := 1; i <= 5; i++ {
		turns = append(turns, conversation.Turn{Turn: i, Message: fmt.Sprintf("Find the contacts at Acme, page %d", i), Reply: "Here they are."})
		if i == 5 {
			break
		}
		var hits []map[string]string
		for k := range 10 {
			hits = append(hits, map[string]string{"id": fmt.Sprintf("01JD7X3K9Q6M2B5V8N4R0T%04d", i*10+k), "name": fmt.Sprintf("Person %d", k), "email": fmt.Sprintf("person%d@acme.example", k), "title": "Head of Something"})
		}
		res, _ := json.Marshal(map[string]any{"contacts": hits})
		call := ToolCall{ID: fmt.Sprintf("c%d", i), Name: "contacts_search", Args: json.RawMessage(`{"query":"Acme"}`)}
		steps = append(steps,
			step(i, 0, conversation.StepModel, modelStep{Message: Message{Role: RoleModel, Calls: []ToolCall{call}}}),
			step(i, 1, conversation.StepTool, toolStep{Result: ToolResult{CallID: call.ID, Name: call.Name, Content: res}}),
			step(i, 2, conversation.StepModel, modelStep{Message: Message{Role: RoleModel, Text: "Here they are."}}))
	}
	return turns, steps
}

// TestCompactionKeepsRecentTurnsVerbatim: with compaction the last
// Verbatim earlier turns are as recorded, older turns' long results
// become small JSON objects naming their size, and every message (the
// caller's and the model's words) stays.
func TestCompactionKeepsRecentTurnsVerbatim(t *testing.T) {
	turns, steps := fiveTurns()
	full, err := rebuild(turns, steps, 5, 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := Compaction{}.withDefaults()
	got, err := rebuild(turns, steps, 5, 20, &c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.messages) != len(full.messages) {
		t.Fatalf("%d messages compacted, %d verbatim", len(got.messages), len(full.messages))
	}
	compacted := 0
	for i, m := range got.messages {
		if m.Text != full.messages[i].Text || m.Role != full.messages[i].Role {
			t.Fatalf("message %d changed: %+v", i, m)
		}
		for j, r := range m.Results {
			orig := full.messages[i].Results[j].Content
			turn := i/4 + 1 // user, model(call), tool, model(text) per earlier turn
			if turn >= 5-c.Verbatim {
				if string(r.Content) != string(orig) {
					t.Fatalf("turn %d's result compacted; want it verbatim", turn)
				}
				continue
			}
			var v struct {
				Compacted bool   `json:"compacted"`
				Bytes     int    `json:"bytes"`
				Head      string `json:"head"`
			}
			if err := json.Unmarshal(r.Content, &v); err != nil || !v.Compacted || v.Bytes != len(orig) || !strings.HasPrefix(string(orig), strings.TrimSuffix(v.Head, "…")) || len(r.Content) > c.MaxBytes {
				t.Fatalf("turn %d's result = %s (%v)", turn, r.Content, err)
			}
			compacted++
		}
	}
	if compacted != 2 {
		t.Fatalf("%d results compacted, want turns 1 and 2's", compacted)
	}
}
