package local

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/agent"
)

// intent is one action a request asks for.
type intent interface {
	// needs lists the tools the intent cannot do without; a request whose
	// intents need an undeclared tool is refused before anything runs.
	needs() []string
	// run plays the intent on r. It returns false when r holds the next
	// step (tool calls, a question or the final reply) and the plan stops.
	run(r *runner) bool
}

// call is a tool call the plan wants made.
type call struct {
	tool string
	args map[string]any
}

// mk builds a call from key/value pairs. Empty values are left out, so a
// tool sees only what the request named.
func mk(tool string, kv ...any) call {
	args := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			if v != "" {
				args[k] = v
			}
		case []string:
			if len(v) > 0 {
				args[k] = v
			}
		case int:
			if v != 0 {
				args[k] = v
			}
		case map[string]any:
			for mk, mv := range v {
				args[mk] = mv
			}
		default:
			if v != nil {
				args[k] = v
			}
		}
	}
	return call{tool: tool, args: args}
}

// requestStart returns the index of the user message that opened the
// request the conversation is serving: the last user message, or, when
// that message answers a question we asked, the message that led to the
// question (recursively). It returns -1 when there is no user message.
func requestStart(msgs []agent.Message) int {
	i := lastUser(msgs, len(msgs))
	for i > 0 {
		j := i - 1
		for j >= 0 && msgs[j].Role == agent.RoleTool {
			j--
		}
		if j < 0 || msgs[j].Role != agent.RoleModel || !asks(msgs[j]) {
			break
		}
		k := lastUser(msgs, j)
		if k < 0 {
			break
		}
		i = k
	}
	return i
}

// lastUser returns the index of the last user message before end, or -1.
func lastUser(msgs []agent.Message, end int) int {
	for i := end - 1; i >= 0; i-- {
		if msgs[i].Role == agent.RoleUser {
			return i
		}
	}
	return -1
}

func asks(m agent.Message) bool {
	for _, c := range m.Calls {
		if c.Name == agent.AskTool {
			return true
		}
	}
	return false
}

// runner replays a plan against the history. Each exec or ask either
// finds its step already in the history (and returns what came back) or
// makes that step the next one and reports that the plan must stop.
type runner struct {
	msgs     []agent.Message
	pos      int // first message the replay has not consumed
	tools    map[string]bool
	cal      calendar
	said     []string       // reply sentences so far
	next     *agent.Message // the step to return, once decided
	restart  int            // a user message to treat as a new request, or -1
	answerAt int            // index of the answer ask last returned
	contact  obj            // the contact this request last created or changed
	lostWay  bool           // the history does not follow the plan
}

func newRunner(msgs []agent.Message, start int, tools map[string]bool, cal calendar) *runner {
	return &runner{msgs: msgs, pos: start + 1, tools: tools, cal: cal, restart: -1}
}

// run plays the intents in order and ends with the final reply.
func (r *runner) run(intents []intent) {
	for _, it := range intents {
		if !it.run(r) {
			return
		}
	}
	r.finish()
}

// exec makes calls (in parallel, as one model message) and returns their
// results in the same order. ok is false when the calls are the next step.
func (r *runner) exec(calls ...call) (res []result, ok bool) {
	if len(calls) == 0 {
		return nil, true
	}
	for _, c := range calls {
		if !r.tools[c.tool] {
			r.stop(denied([]string{c.tool}))
			return nil, false
		}
	}
	if r.pos >= len(r.msgs) {
		r.emit(calls)
		return nil, false
	}
	m := r.msgs[r.pos]
	if m.Role != agent.RoleModel || !sameTools(m.Calls, calls) ||
		r.pos+1 >= len(r.msgs) || r.msgs[r.pos+1].Role != agent.RoleTool {
		r.lost()
		return nil, false
	}
	res = pairResults(m.Calls, r.msgs[r.pos+1].Results)
	r.pos += 2
	return res, true
}

// ask puts a question to the caller and returns the answer. ok is false
// when the question is the next step. Without the ask tool the question
// becomes the final reply.
func (r *runner) ask(question string) (answer string, ok bool) {
	if !r.tools[agent.AskTool] {
		r.stop(question + " (This conversation cannot take an answer, so I stopped here.)")
		return "", false
	}
	if r.pos >= len(r.msgs) {
		// What was already done leads the question: the question is all
		// the caller sees of this turn.
		q := strings.Join(append(append([]string{}, r.said...), question), " ")
		args, _ := json.Marshal(map[string]string{"question": q})
		r.next = &agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{
			{ID: callID(r.msgs, 0), Name: agent.AskTool, Args: args},
		}}
		return "", false
	}
	m := r.msgs[r.pos]
	if m.Role != agent.RoleModel || len(m.Calls) != 1 || m.Calls[0].Name != agent.AskTool {
		r.lost()
		return "", false
	}
	i := r.pos + 1
	if i < len(r.msgs) && r.msgs[i].Role == agent.RoleTool {
		i++ // the loop may record the question as answered by a tool result
	}
	if i >= len(r.msgs) || r.msgs[i].Role != agent.RoleUser {
		r.lost()
		return "", false
	}
	r.answerAt = i
	r.pos = i + 1
	return r.msgs[i].Text, true
}

// say adds a sentence to the final reply.
func (r *runner) say(format string, a ...any) {
	r.said = append(r.said, fmt.Sprintf(format, a...))
}

// stop ends the turn now with what was said so far and text.
func (r *runner) stop(text string) {
	r.said = append(r.said, text)
	r.finish()
}

// finish ends the turn with the final reply.
func (r *runner) finish() {
	text := strings.Join(r.said, " ")
	if text == "" {
		text = "Done."
	}
	m := textMessage(text)
	r.next = &m
}

// lost ends a replay whose history does not follow the plan, e.g. because
// another model made the earlier steps.
func (r *runner) lost() {
	r.lostWay = true
	r.stop("I can't continue this request: the earlier steps of this conversation are not the ones I would have taken. Please send the request again.")
}

// emit makes calls the next step, numbering them after every call already
// in the conversation ("c1", "c2", …).
func (r *runner) emit(calls []call) {
	m := agent.Message{Role: agent.RoleModel}
	for i, c := range calls {
		args := c.args
		if args == nil {
			args = map[string]any{}
		}
		raw, _ := json.Marshal(args) // strings, slices and ints: cannot fail
		m.Calls = append(m.Calls, agent.ToolCall{ID: callID(r.msgs, i), Name: c.tool, Args: raw})
	}
	r.next = &m
}

// callID is the id of the i-th call of the next model message.
func callID(msgs []agent.Message, i int) string {
	n := 0
	for _, m := range msgs {
		n += len(m.Calls)
	}
	return fmt.Sprintf("c%d", n+i+1)
}

func sameTools(got []agent.ToolCall, want []call) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Name != want[i].tool {
			return false
		}
	}
	return true
}

// denied is the reply when the caller's key or role lacks tools: the
// agent is offered only the tools both allow, and cannot tell which refused.
func denied(tools []string) string {
	return "I can't do that: your access does not allow " + orList(tools) + " (the integration key's scopes, or your role in the workspace)."
}

// orList joins words as "a", "a or b", "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
