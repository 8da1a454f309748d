package budget

import (
	"context"
	"fmt"
	"github.com/soisnode/soisnode/store"
	"time"

	"github.com/soisnode/soisnode/money"
)

// Day is one UTC day's settled spend of a key (unconfirmed rows included,
// at their reserved amount, as the windows count them).
type Day struct {
	Start time.Time   // 00:00 UTC
	Spent money.Micro // ledger cost recorded that day
}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// History returns the key's spend per UTC day for the days days ending
// with today (UTC), oldest first, one entry per day (zero when nothing was
// spent): the console's spend chart.
func (b *Budgets) History(ctx context.Context, keyID string, days int) ([]Day, error) {
	if days < 1 || days > 366 {
		return nil, fmt.Errorf("budget: history of %d days (want 1..366)", days)
	}
	today := WindowOf(Daily, b.now()).Start
	first := today.AddDate(0, 0, -(days - 1))
	// The day number is a literal so both dialects see one expression in
	// SELECT and GROUP BY (86400000000 µs = one day).
	rows, err := b.db.Query(ctx, `SELECT CAST(created_at / 86400000000 AS BIGINT) AS day, CAST(SUM(cost) AS BIGINT) FROM ledger
		WHERE key_id = ? AND created_at >= ? GROUP BY CAST(created_at / 86400000000 AS BIGINT)`,
		keyID, store.Micros(first))
	if err != nil {
		return nil, fmt.Errorf("budget: history: %w", err)
	}
	defer rows.Close()
	byDay := map[int64]int64{}
	for rows.Next() {
		var d, spent int64
		if err := rows.Scan(&d, &spent); err != nil {
			return nil, fmt.Errorf("budget: history: %w", err)
		}
		byDay[d] = spent
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("budget: history: %w", err)
	}
	out := make([]Day, days)
	for i := range out {
		start := first.AddDate(0, 0, i)
		out[i] = Day{Start: start, Spent: money.Micro(byDay[store.Micros(start)/dayMicros])}
	}
	return out, nil
}
