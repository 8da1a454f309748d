package agent

import (
	"context"
	"encoding/json"

	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// SignedReply is the payload of a signed_reply JWS (DESIGN §5).
type SignedReply struct {
	Issuer         string              `json:"iss"`
	ConversationID string              `json:"conversation_id"`
	Turn           int                 `json:"turn"`
	Status         string              `json:"status"`
	Reply          string              `json:"reply"`
	Actions        []workspace.Receipt `json:"actions"`
	CostUSD        string              `json:"cost_usd"`
	IssuedAt       int64               `json:"iat"`
}

// finish signs and records the outcome, runs the finish hook in the same
// transaction, and wakes waiters after commit.
func (r *Runner) finish(ctx context.Context, t *turnRun, o conversation.Outcome) error {
	ctx = context.WithoutCancel(ctx) // a turn that ran must be recorded even if the job is being stopped
	o.Now = r.Now()
	if o.Actions == nil {
		o.Actions = []workspace.Receipt{}
	}
	if r.Signer != nil && o.Status != "" {
		payload, err := json.Marshal(SignedReply{
			Issuer: r.NodeID, ConversationID: t.conv.ID, Turn: t.turn, Status: string(o.Status),
			Reply: o.Reply, Actions: o.Actions, CostUSD: t.prog.cost.String(), IssuedAt: o.Now.Unix(),
		})
		if err != nil {
			return err
		}
		if o.SignedReply, err = r.Signer.SignCompact(ctx, payload, map[string]any{"typ": "sois-reply+jws"}); err != nil {
			t.log.Error("signing the reply failed", "err", err)
		}
	}
	var finished, hooked bool
	var conv conversation.Conversation
	final := t.final
	err := r.DB.InTx(ctx, func(tx store.Tx) error {
		var err error
		fo := o
		if final != nil {
			// The answer's cost is added by Finish's statements.
			if err := final.record(ctx, tx, false); err != nil {
				return err
			}
			fo.Cost = final.cost
		}
		if finished, err = conversation.Finish(ctx, tx, t.conv.ID, t.turn, fo); err != nil || !finished {
			return err
		}
		if r.OnFinish == nil && r.Done == nil {
			return nil
		}
		// Read back on the writer's connection, whose pages this
		// transaction has just written: the hook's webhook payload, and
		// what ?wait= requests answer without reading it again (Done).
		if conv, err = conversation.Load(ctx, tx, t.conv.ID); err != nil {
			return err
		}
		if r.OnFinish == nil {
			return nil
		}
		f := Finished{Conv: conv, Turn: conv.Last(), ModelTime: t.modelTime, FirstRun: t.firstRun}
		if t.key.ID != "" {
			f.Key = &t.key
		}
		hooked = true
		return r.OnFinish(ctx, tx, f)
	})
	if err != nil && hooked && r.RolledBack != nil {
		r.RolledBack(t.conv.ID)
	}
	if err != nil && final != nil {
		// Record the answer on its own, then the outcome, as a turn whose
		// answer has calls does: the same end as if they had never been
		// one transaction.
		t.final = nil
		if rerr := r.DB.InTx(ctx, func(tx store.Tx) error { return final.record(ctx, tx, true) }); rerr != nil {
			t.prog.cost = final.costBefore
			return r.finish(ctx, t, t.unrecorded(ctx, final.hold, rerr))
		}
		return r.finish(ctx, t, o)
	}
	if err != nil {
		return err
	}
	if finished {
		t.log.Info("turn finished", "status", o.Status, "actions", len(o.Actions), "cost_usd", t.prog.cost.String())
	}
	if r.Done != nil {
		if finished {
			r.Done(t.conv.ID, &conv)
		} else {
			r.Done(t.conv.ID, nil)
		}
	}
	return nil
}

// GiveUp ends a turn that could not be run (its job ran out of attempts)
// as failed, with its webhook, so the caller is told instead of waiting.
func (r *Runner) GiveUp(ctx context.Context, convID string, turn int, cause error) {
	r.defaults()
	log := r.Log.With("conversation_id", convID, "turn", turn)
	log.Error("turn abandoned after its last attempt", "err", cause)
	// Its last run died: what that run held counts as spent.
	err := r.DB.InTx(ctx, func(tx store.Tx) error {
		lost, err := r.Budgets.SettleTurn(ctx, tx, convID, turn)
		if err != nil || lost == 0 {
			return err
		}
		return conversation.AddCost(ctx, tx, convID, turn, lost)
	})
	if err != nil {
		log.Error("could not account for the abandoned turn's calls", "err", err)
	}
	conv, err := conversation.Load(ctx, r.DB, convID)
	if err != nil {
		log.Error("could not load the abandoned turn", "err", err)
		return
	}
	t := &turnRun{Runner: r, log: log, conv: conv, turn: turn}
	for _, tr := range conv.Turns {
		if tr.Turn == turn {
			t.prog.cost, t.prog.receipts = tr.Cost, tr.Actions
		}
	}
	if err := r.finish(ctx, t, t.failMsg("the turn could not be completed after several attempts (an internal error; the node's log has the details)")); err != nil {
		log.Error("could not record the abandoned turn", "err", err)
	}
}
