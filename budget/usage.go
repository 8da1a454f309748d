package budget

import (
	"context"
	"fmt"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// usage is one set budget's window with its money, and whether its
// threshold event is already recorded.
type usage struct {
	Window
	fired bool
}

// usageSQL reads everything a decision needs in ONE statement, so on
// PostgreSQL it sees one snapshot: a settle committing between two
// statements could otherwise vanish from the holds before it appears in
// the ledger. Ledger rows count in the window that contains their
// created_at; every live hold counts against every window (see readUsage).
const usageSQL = `SELECT
	CAST(COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(cost), 0) AS BIGINT),
	CAST(COALESCE((SELECT SUM(amount) FROM budget_holds WHERE key_id = ? AND expires_at > ?), 0) AS BIGINT),
	(SELECT count(*) FROM budget_threshold_events WHERE key_id = ? AND budget = 'daily' AND window_start = ?),
	(SELECT count(*) FROM budget_threshold_events WHERE key_id = ? AND budget = 'monthly' AND window_start = ?),
	(SELECT count(*) FROM budget_threshold_events WHERE key_id = ? AND budget = 'total' AND window_start = 0)
FROM ledger WHERE key_id = ? AND created_at >= ?`

// readUsage returns the windows at now of k's set budgets, in names order.
//
// Live holds count against every window, not only the one they were made
// in: a call reserved at 23:59:59 and settled after midnight lands in the
// new day's ledger, so the new day must already count its hold, or calls
// in flight across midnight could spend the new day's limit twice.
func readUsage(ctx context.Context, q store.Querier, k key, now time.Time) ([]usage, error) {
	ws := Windows(now)
	day, month := ws[0], ws[1]
	from := micros(month.Start) // a day lies inside its month
	if k.limits[2] >= 0 {
		from = 0 // the total counts every row
	}
	var spent [3]int64
	var reserved int64
	var fired [3]int64
	err := q.QueryRow(ctx, usageSQL,
		micros(day.Start), micros(day.ResetsAt),
		micros(month.Start), micros(month.ResetsAt),
		k.id, now.UnixMicro(),
		k.id, micros(day.Start),
		k.id, micros(month.Start),
		k.id,
		k.id, from,
	).Scan(&spent[0], &spent[1], &spent[2], &reserved, &fired[0], &fired[1], &fired[2])
	if err != nil {
		return nil, fmt.Errorf("budget: read spend of key %s: %w", k.id, err)
	}
	var us []usage
	for i, w := range ws {
		if k.limits[i] < 0 {
			continue
		}
		w.Limit, w.Spent, w.Reserved = k.limits[i], money.Micro(spent[i]), money.Micro(reserved)
		us = append(us, usage{Window: w, fired: fired[i] > 0})
	}
	return us, nil
}

// windowsOf strips the threshold bookkeeping from us.
func windowsOf(us []usage) []Window {
	ws := make([]Window, len(us))
	for i, u := range us {
		ws[i] = u.Window
	}
	return ws
}
