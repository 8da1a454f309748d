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
// created_at; every hold counts against every window (see readUsage).
const usageSQL = `SELECT
	CAST(COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(cost), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN unconfirmed = 1 AND created_at >= ? AND created_at < ? THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN unconfirmed = 1 AND created_at >= ? AND created_at < ? THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN unconfirmed = 1 THEN cost ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE((SELECT SUM(amount) FROM budget_holds WHERE key_id = ?), 0) AS BIGINT),
	(SELECT count(*) FROM budget_threshold_events WHERE key_id = ? AND budget = 'daily' AND window_start = ?),
	(SELECT count(*) FROM budget_threshold_events WHERE key_id = ? AND budget = 'monthly' AND window_start = ?),
	(SELECT count(*) FROM budget_threshold_events WHERE key_id = ? AND budget = 'total' AND window_start = 0)
FROM ledger WHERE key_id = ? AND created_at >= ?`

// readUsage returns the windows at now of l's set budgets, in names order.
//
// Every hold counts against every window, not only the one it was made in:
// a call reserved at 23:59:59 and settled after midnight lands in the new
// day's ledger, so the new day must already count its hold, or calls in
// flight across midnight could spend the new day's limit twice. An expired
// hold counts too until a sweep turns it into unconfirmed spend: nothing is
// released because time passed.
func readUsage(ctx context.Context, q store.Querier, l Limits, now time.Time) ([]usage, error) {
	limits := l.byName()
	ws := Windows(now)
	day, month := ws[0], ws[1]
	from := store.Micros(month.Start) // a day lies inside its month
	if limits[2] >= 0 {
		from = 0 // the total counts every row
	}
	var spent, unconfirmed [3]int64
	var reserved int64
	var fired [3]int64
	err := q.QueryRow(ctx, usageSQL,
		store.Micros(day.Start), store.Micros(day.ResetsAt),
		store.Micros(month.Start), store.Micros(month.ResetsAt),
		store.Micros(day.Start), store.Micros(day.ResetsAt),
		store.Micros(month.Start), store.Micros(month.ResetsAt),
		l.KeyID,
		l.KeyID, store.Micros(day.Start),
		l.KeyID, store.Micros(month.Start),
		l.KeyID,
		l.KeyID, from,
	).Scan(&spent[0], &spent[1], &spent[2], &unconfirmed[0], &unconfirmed[1], &unconfirmed[2], &reserved, &fired[0], &fired[1], &fired[2])
	if err != nil {
		return nil, fmt.Errorf("budget: read spend of key %s: %w", l.KeyID, err)
	}
	var us []usage
	for i, w := range ws {
		if limits[i] < 0 {
			continue
		}
		w.Limit, w.Spent, w.Unconfirmed, w.Reserved = limits[i], money.Micro(spent[i]), money.Micro(unconfirmed[i]), money.Micro(reserved)
		us = append(us, usage{Window: w, fired: fired[i] > 0})
	}
	return us, nil
}

// readCap returns c as a window that never resets: its limit, what the
// ledger recorded under its scope and what is held under it.
func readCap(ctx context.Context, q store.Querier, c Cap) (Window, error) {
	var spent, unconfirmed, reserved int64
	err := q.QueryRow(ctx, `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN unconfirmed = 1 THEN cost ELSE 0 END), 0) AS BIGINT),
		CAST(COALESCE((SELECT SUM(amount) FROM budget_holds WHERE scope = ?), 0) AS BIGINT)
		FROM ledger WHERE scope = ?`, c.Scope, c.Scope).Scan(&spent, &unconfirmed, &reserved)
	if err != nil {
		return Window{}, fmt.Errorf("budget: read spend of %s: %w", c.Scope, err)
	}
	return Window{Budget: Name(c.Name), Limit: c.Limit, Spent: money.Micro(spent), Unconfirmed: money.Micro(unconfirmed), Reserved: money.Micro(reserved)}, nil
}

// windowsOf strips the threshold bookkeeping from us.
func windowsOf(us []usage) []Window {
	ws := make([]Window, len(us))
	for i, u := range us {
		ws[i] = u.Window
	}
	return ws
}
