package agent

import (
	"context"
	"encoding/json"
	"time"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Waiter runs a tool call whose result comes later, from outside the turn
// (peers_negotiate: an exchange with another node). The turn stays
// running while it waits, but holds no worker: its job is put back and
// asks again (Poll) after WaitError.After.
type Waiter interface {
	// Poll starts the call's work the first time it is asked (idempotent:
	// the same call always means the same work, keyed by its conversation,
	// turn and call id) and returns its result once done. An error is the
	// call's failure, shown to the model like a tool's.
	Poll(ctx context.Context, w WaitCall) (res workspace.Result, done bool, err error)
}

// WaitCall is one waiting tool call and who made it.
type WaitCall struct {
	Caller         workspace.Caller
	ConversationID string
	Turn           int
	CallID         string
	Args           json.RawMessage
}

// WaitError is what Run returns while a turn waits on a Waiter: the job
// runner should run the turn again after After (the queue snoozes it),
// not count it as a failure.
type WaitError struct{ After time.Duration }

func (e *WaitError) Error() string { return "agent: the turn is waiting on a tool" }

// SnoozeAfter tells the job runner when to run the turn again.
func (e *WaitError) SnoozeAfter() time.Duration { return e.After }

// pollWaiter runs one call through its Waiter: done is false while it
// waits; otherwise the result is recorded like any tool's.
func (t *turnRun) pollWaiter(ctx context.Context, w Waiter, call ToolCall) (bool, error) {
	step := toolStep{Result: ToolResult{CallID: call.ID, Name: call.Name}}
	tool, err := t.Registry.Lookup(ctx, t.caller, call.Name)
	if err == nil {
		err = tool.Validate(call.Args)
	}
	var res workspace.Result
	done := true
	if err == nil {
		res, done, err = w.Poll(ctx, WaitCall{Caller: t.caller, ConversationID: t.conv.ID, Turn: t.turn, CallID: call.ID, Args: call.Args})
	}
	if !done && err == nil {
		return false, nil
	}
	if err != nil {
		step = t.toolError(ctx, call, step, err)
	} else {
		step.Result.Content, step.Receipts = resultContent(res), res.Actions
	}
	if err := t.DB.InTx(ctx, func(tx store.Tx) error { return t.recordTool(ctx, tx, step) }); err != nil {
		return true, err
	}
	t.applyTool(step)
	return true, nil
}
