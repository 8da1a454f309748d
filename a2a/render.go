package a2a

import (
	"strconv"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/money"
)

// stateOf maps a turn's status to the A2A task state (docs/a2a.md).
var stateOf = map[conversation.Status]spec.TaskState{
	conversation.Queued:         spec.TaskStateSubmitted,
	conversation.Running:        spec.TaskStateWorking,
	conversation.InputRequired:  spec.TaskStateInputRequired,
	conversation.Completed:      spec.TaskStateCompleted,
	conversation.Failed:         spec.TaskStateFailed,
	conversation.BudgetExceeded: spec.TaskStateFailed,
	conversation.Canceled:       spec.TaskStateCanceled,
}

// statusOf maps an A2A task state filter to the turn statuses it covers.
var statusOf = map[spec.TaskState][]conversation.Status{
	spec.TaskStateSubmitted:     {conversation.Queued},
	spec.TaskStateWorking:       {conversation.Running},
	spec.TaskStateInputRequired: {conversation.InputRequired},
	spec.TaskStateCompleted:     {conversation.Completed},
	spec.TaskStateFailed:        {conversation.Failed, conversation.BudgetExceeded},
	spec.TaskStateCanceled:      {conversation.Canceled},
}

// render builds the A2A task t shows of conversation c: the state of its
// latest turn, that turn's reply as the status message, the receipts of
// every turn as data artifacts, the messages as history (the last
// historyLength of them when historyLength >= 0), and cost_usd, the turn
// statuses and the signed reply in metadata.
func render(t Task, c conversation.Conversation, historyLength int) *spec.Task {
	out := &spec.Task{ID: spec.TaskID(t.ID), ContextID: c.ID, Metadata: map[string]any{}}
	var history []*spec.Message
	var cost money.Micro
	var last conversation.Turn
	for _, turn := range c.Turns {
		if turn.Turn < t.FirstTurn || turn.Turn > t.Turn {
			continue
		}
		last = turn
		cost += turn.Cost
		history = append(history, &spec.Message{
			ID: messageID(t.ID, turn.Turn, "user"), ContextID: c.ID, TaskID: out.ID, Role: spec.MessageRoleUser,
			Parts: spec.ContentParts{spec.NewTextPart(turn.Message)},
		})
		if reply := replyText(turn); reply != "" && !turn.Status.Active() {
			history = append(history, agentMessage(t, c.ID, turn))
		}
		if len(turn.Actions) > 0 {
			out.Artifacts = append(out.Artifacts, &spec.Artifact{
				ID: spec.ArtifactID("receipts-" + strconv.Itoa(turn.Turn)), Name: "receipts",
				Description: "What the agent did in turn " + strconv.Itoa(turn.Turn) + ": receipts written by the tool layer, not by the model.",
				Parts:       spec.ContentParts{spec.NewDataPart(map[string]any{"actions": turn.Actions})},
			})
		}
	}
	out.Status = spec.TaskStatus{State: stateOf[last.Status]}
	at := t.UpdatedAt
	if last.FinishedAt != nil {
		at = *last.FinishedAt
	} else if last.StartedAt != nil {
		at = *last.StartedAt
	}
	at = at.UTC().Truncate(time.Millisecond)
	out.Status.Timestamp = &at
	if !last.Status.Active() && replyText(last) != "" {
		out.Status.Message = agentMessage(t, c.ID, last)
	}
	out.Metadata["cost_usd"] = cost.String()
	out.Metadata["conversation_id"] = c.ID
	out.Metadata["turn"] = last.Turn
	out.Metadata["status"] = string(last.Status)
	if last.Error != "" {
		out.Metadata["error"] = last.Error
	}
	// The signed reply covers the conversation's latest turn only.
	if c.SignedReply != "" && last.Turn == c.Last().Turn && !last.Status.Active() {
		out.Metadata["signed_reply"] = c.SignedReply
	}
	if historyLength >= 0 && len(history) > historyLength {
		history = history[len(history)-historyLength:]
	}
	if len(history) > 0 {
		out.History = history
	}
	return out
}

// agentMessage is a stopped turn's reply as the agent's A2A message.
func agentMessage(t Task, contextID string, turn conversation.Turn) *spec.Message {
	return &spec.Message{
		ID: messageID(t.ID, turn.Turn, "agent"), ContextID: contextID, TaskID: spec.TaskID(t.ID), Role: spec.MessageRoleAgent,
		Parts:    spec.ContentParts{spec.NewTextPart(replyText(turn))},
		Metadata: map[string]any{"turn": turn.Turn, "status": string(turn.Status), "cost_usd": turn.CostUSD},
	}
}

// replyText is what the agent said, or why the turn failed.
func replyText(turn conversation.Turn) string {
	if turn.Reply != "" {
		return turn.Reply
	}
	return turn.Error
}

func messageID(taskID string, turn int, role string) string {
	return taskID + "-" + strconv.Itoa(turn) + "-" + role
}

// submitted is a task whose one turn was queued a moment ago with message
// text (no reply, receipts or cost yet), as a non-blocking SendMessage
// answers it; history is the request's historyLength (-1: not set).
type submitted struct {
	task    Task
	text    string
	at      time.Time
	history int
}

// view is render's answer for q.
func (q *submitted) view() *spec.Task {
	t := q.task
	at := q.at.UTC().Truncate(time.Millisecond)
	out := &spec.Task{ID: spec.TaskID(t.ID), ContextID: t.ConversationID,
		Status: spec.TaskStatus{State: spec.TaskStateSubmitted, Timestamp: &at},
		Metadata: map[string]any{"cost_usd": money.Micro(0).String(), "conversation_id": t.ConversationID,
			"turn": t.Turn, "status": string(conversation.Queued)}}
	if q.history != 0 {
		out.History = []*spec.Message{{ID: messageID(t.ID, t.Turn, "user"), ContextID: t.ConversationID, TaskID: out.ID,
			Role: spec.MessageRoleUser, Parts: spec.ContentParts{spec.NewTextPart(q.text)}}}
	}
	return out
}
