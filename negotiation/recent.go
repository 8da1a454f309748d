package negotiation

import (
	"context"
	"fmt"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// Listed is a negotiation as a listing shows it: its terms and outcome,
// without the transcript (Turns is empty), and how many turns it has.
type Listed struct {
	Negotiation
	TurnCount int
}

// MaxRecent is the most negotiations Recent returns.
const MaxRecent = 1000

// Recent returns the workspace's newest negotiations, newest first: at
// most limit (1 to MaxRecent), only those with status when status is not
// "". An unknown status is Invalid.
func Recent(ctx context.Context, q store.Querier, workspaceID string, status Status, limit int) ([]Listed, error) {
	if status != "" && !status.known() {
		return nil, errs.E(errs.Invalid, "unknown status %q (open, accepted, rejected, closed, turn_limit, budget_cap, expired, failed, canceled)", status)
	}
	if limit < 1 || limit > MaxRecent {
		return nil, errs.E(errs.Invalid, "limit must be 1 to %d", MaxRecent)
	}
	rows, err := q.Query(ctx, `SELECT n.id, n.peer, n.goal, n.status, n.summary, (SELECT COALESCE(SUM(l.cost), 0) FROM ledger l WHERE l.scope = 'negotiation:' || n.id AND l.workspace_id = n.workspace_id), n.max_usd, n.max_turns, n.created_at, n.finished_at,
		(SELECT COUNT(*) FROM negotiation_turns t WHERE t.workspace_id = n.workspace_id AND t.negotiation_id = n.id)
		FROM negotiations n WHERE n.workspace_id = ? AND (? = '' OR n.status = ?)
		ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, workspaceID, string(status), string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("negotiation: list: %w", err)
	}
	defer rows.Close()
	out := []Listed{}
	for rows.Next() {
		l := Listed{Negotiation: Negotiation{WorkspaceID: workspaceID, Turns: []Turn{}}}
		var st string
		var cost, maxUSD, created, finished int64
		if err := rows.Scan(&l.ID, &l.Peer, &l.Goal, &st, &l.Summary, &cost, &maxUSD, &l.MaxTurns, &created, &finished, &l.TurnCount); err != nil {
			return nil, fmt.Errorf("negotiation: list: %w", err)
		}
		l.Status, l.Cost, l.MaxUSD, l.CreatedAt = Status(st), money.Micro(cost), money.Micro(maxUSD), store.Time(created)
		if finished != 0 {
			l.FinishedAt = store.Time(finished)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("negotiation: list: %w", err)
	}
	return out, nil
}
