package negotiation

import (
	"context"
	"errors"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// Summarize has the model write the summary of an ended exchange: the job
// Jobs.Summarize schedules when the agent is a Summarizer. The exchange
// already holds the node's own summary; the model's replaces it, and
// negotiation.finished (OnFinish) is queued with whichever is final. When
// the cap leaves no room for the call, or the model fails, the node's
// own summary stays, saying so. Run again after it succeeded, it does
// nothing.
func (s *Service) Summarize(ctx context.Context, workspaceID, id string) error {
	pending, err := summaryPending(ctx, s.DB, workspaceID, id)
	if err != nil || !pending {
		return err
	}
	n, err := Get(ctx, s.DB, workspaceID, id)
	if err != nil {
		return err
	}
	text := n.Summary
	if sm, ok := s.Agent.(Summarizer); ok {
		written, err := sm.Summarize(ctx, n, s.Self, n.Summary)
		written = strings.TrimSpace(written)
		switch {
		case errors.Is(err, ErrBudgetCap):
			text += "\n(Written by the node: the exchange's cap left no room for the model to write this summary.)"
		case err != nil:
			s.log().Warn("the model could not write a negotiation summary", "negotiation_id", id, "err", err)
			text += "\n(Written by the node: the model could not write this summary: " + clip.Bytes(errs.Message(err), 200) + ".)"
		case written == "":
			text += "\n(Written by the node: the model's summary was empty.)"
		default:
			text = clip.Bytes(written, MaxSummary)
		}
	}
	return s.inTx(ctx, func(tx store.Tx) error {
		c, err := tx.Exec(ctx, `UPDATE negotiations SET summary = ?, summary_pending = 0 WHERE workspace_id = ? AND id = ? AND summary_pending = 1`,
			text, workspaceID, id)
		if err != nil {
			return fmt.Errorf("negotiation: summary of %s: %w", id, err)
		}
		if c == 0 || s.OnFinish == nil {
			return nil // written meanwhile by another run
		}
		n, err := Get(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		return s.OnFinish(ctx, tx, n)
	})
}

func markSummaryPending(ctx context.Context, tx store.Tx, workspaceID, id string) error {
	if _, err := tx.Exec(ctx, `UPDATE negotiations SET summary_pending = 1 WHERE workspace_id = ? AND id = ?`, workspaceID, id); err != nil {
		return fmt.Errorf("negotiation: summary of %s: %w", id, err)
	}
	return nil
}

func summaryPending(ctx context.Context, q store.Querier, workspaceID, id string) (bool, error) {
	var p int
	err := q.QueryRow(ctx, `SELECT summary_pending FROM negotiations WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&p)
	if err == store.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("negotiation: summary of %s: %w", id, err)
	}
	return p == 1, nil
}
