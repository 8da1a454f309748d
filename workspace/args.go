package workspace

import (
	"context"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
)

// The helpers here are shared by the tool families: argument decoding,
// text checks and paging, so every tool answers bad input the same way.

// CheckText rejects invalid UTF-8, control characters (newlines and tabs
// only where multiline is set) and values over max runes. field names the
// argument in the message.
func CheckText(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return errs.E(errs.Invalid, "%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return errs.E(errs.Invalid, "%s is too long (%d characters, at most %d)", field, n, max)
	}
	for _, r := range v {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return errs.E(errs.Invalid, "%s must not contain control characters", field)
		}
	}
	return nil
}

// DecodeArgs unmarshals tool arguments (already schema-checked).
func DecodeArgs(args json.RawMessage, v any) error {
	if len(strings.TrimSpace(string(args))) == 0 {
		args = json.RawMessage(`{}`)
	}
	if err := json.Unmarshal(args, v); err != nil {
		return errs.E(errs.Invalid, "arguments: %v", err)
	}
	return nil
}

// PageLimit applies the default (20) and maximum (100) page sizes.
func PageLimit(n int) int {
	switch {
	case n <= 0:
		return 20
	case n > 100:
		return 100
	}
	return n
}

// QueryPage runs a page query: it appends limit+1 as the query's last
// argument (the SQL ends with LIMIT ?), scans each row, and returns at most
// limit items and whether more rows follow, for the caller's next cursor.
func QueryPage[T any](ctx context.Context, q store.Querier, limit int, scan func(store.Row) (T, error), query string, args ...any) ([]T, bool, error) {
	rows, err := q.Query(ctx, query, append(args, limit+1)...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	items := []T{}
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, false, err
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if len(items) > limit {
		return items[:limit], true, nil
	}
	return items, false, nil
}
