package budget

import (
	"testing"
	"time"

	"github.com/soisnode/soisnode/money"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestWindows(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name                 string
		now                  time.Time
		dayStart, dayEnd     string
		monthStart, monthEnd string
	}{
		{"midday", utc("2026-03-15T12:34:56Z"), "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"exactly midnight starts the day", utc("2026-03-15T00:00:00Z"), "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"last microsecond of the day", utc("2026-03-15T23:59:59.999999Z"), "2026-03-15T00:00:00Z", "2026-03-16T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"month end", utc("2026-01-31T23:00:00Z"), "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"december rolls into january", utc("2026-12-31T23:59:59Z"), "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"new year", utc("2027-01-01T00:00:00Z"), "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"},
		{"leap february 28", utc("2028-02-28T10:00:00Z"), "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"leap day", utc("2028-02-29T10:00:00Z"), "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"common february 28", utc("2027-02-28T10:00:00Z"), "2027-02-28T00:00:00Z", "2027-03-01T00:00:00Z", "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z"},
		// 2026-04-01 08:00 in Tokyo is still 31 March in UTC.
		{"local time zones do not matter", time.Date(2026, 4, 1, 8, 0, 0, 0, tokyo), "2026-03-31T00:00:00Z", "2026-04-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Windows(tt.now)
			if len(ws) != 3 || ws[0].Budget != Daily || ws[1].Budget != Monthly || ws[2].Budget != Total {
				t.Fatalf("windows = %+v", ws)
			}
			check := func(what string, got time.Time, want string) {
				t.Helper()
				if !got.Equal(utc(want)) || got.Location() != time.UTC {
					t.Errorf("%s = %v, want %s (UTC)", what, got, want)
				}
			}
			check("day start", ws[0].Start, tt.dayStart)
			check("day resets_at", ws[0].ResetsAt, tt.dayEnd)
			check("month start", ws[1].Start, tt.monthStart)
			check("month resets_at", ws[1].ResetsAt, tt.monthEnd)
			if !ws[2].Start.IsZero() || !ws[2].ResetsAt.IsZero() {
				t.Errorf("total window = %+v, want no start and no reset", ws[2])
			}
			// now lies in [start, resets_at) of the calendar windows.
			for _, w := range ws[:2] {
				if tt.now.Before(w.Start) || !tt.now.Before(w.ResetsAt) {
					t.Errorf("%s window [%v, %v) does not contain %v", w.Budget, w.Start, w.ResetsAt, tt.now)
				}
			}
		})
	}
}

// A clock moved past a boundary lands in a new window; within one it does not.
func TestWindowsReset(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		daily, month  bool // whether each resets between before and after
	}{
		{"same day", "2026-05-10T01:00:00Z", "2026-05-10T23:59:59Z", false, false},
		{"past midnight", "2026-05-10T23:59:59Z", "2026-05-11T00:00:01Z", true, false},
		{"past month end", "2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z", true, true},
		{"december to january", "2026-12-31T23:59:59Z", "2027-01-01T00:00:01Z", true, true},
		{"into leap day", "2028-02-28T23:59:59Z", "2028-02-29T00:00:01Z", true, false},
		{"out of leap day", "2028-02-29T23:59:59Z", "2028-03-01T00:00:01Z", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, a := Windows(utc(tt.before)), Windows(utc(tt.after))
			if got := !b[0].Start.Equal(a[0].Start); got != tt.daily {
				t.Errorf("daily reset = %v, want %v", got, tt.daily)
			}
			if got := !b[1].Start.Equal(a[1].Start); got != tt.month {
				t.Errorf("monthly reset = %v, want %v", got, tt.month)
			}
			if !b[0].ResetsAt.After(utc(tt.before)) || (tt.daily && a[0].Start.Before(b[0].ResetsAt)) {
				t.Errorf("daily resets_at %v inconsistent with the next window %v", b[0].ResetsAt, a[0].Start)
			}
		})
	}
}

func TestThreshold(t *testing.T) {
	tests := []struct {
		limit   money.Micro
		percent int
		want    money.Micro
	}{
		{5 * money.Dollar, 80, 4 * money.Dollar},
		{money.Dollar, 50, 500_000},
		{1, 80, 1},    // rounds up: 0.8 micro-dollar → 1
		{101, 50, 51}, // 50.5 → 51
		{10 * money.Dollar, 100, 10 * money.Dollar},
		{10 * money.Dollar, 150, 10 * money.Dollar},           // capped at 100 %
		{10 * money.Dollar, 0, 0},                             // disabled
		{10 * money.Dollar, -5, 0},                            // disabled
		{0, 80, 0},                                            // a $0 budget has no threshold
		{None, 80, 0},                                         // nor an unset one
		{money.Micro(1<<63 - 1), 100, money.Micro(1<<63 - 1)}, // no overflow
	}
	for _, tt := range tests {
		if got := Threshold(tt.limit, tt.percent); got != tt.want {
			t.Errorf("Threshold(%d, %d) = %d, want %d", tt.limit, tt.percent, got, tt.want)
		}
	}
}

func TestReached(t *testing.T) {
	five := 5 * money.Dollar
	tests := []struct {
		limit, spent money.Micro
		percent      int
		want         bool
	}{
		{five, 3_999_999, 80, false},
		{five, 4 * money.Dollar, 80, true}, // reaching is crossing
		{five, 7 * money.Dollar, 80, true}, // overshoot counts
		{five, 0, 80, false},
		{five, five, 0, false}, // disabled
		{0, 0, 80, false},      // a $0 budget never fires
		{0, 10, 80, false},
	}
	for _, tt := range tests {
		if got := Reached(tt.limit, tt.spent, tt.percent); got != tt.want {
			t.Errorf("Reached(limit %d, spent %d, %d%%) = %v, want %v", tt.limit, tt.spent, tt.percent, got, tt.want)
		}
	}
}

func TestRemainingAndBlocking(t *testing.T) {
	now := utc("2026-05-10T12:00:00Z")
	ws := Windows(now)
	day, month, total := ws[0], ws[1], ws[2]
	day.Limit, day.Spent, day.Reserved = 100, 60, 30
	month.Limit, month.Spent, month.Reserved = 1000, 500, 30
	total.Limit, total.Spent, total.Reserved = 10_000, 5000, 30
	if got := day.Remaining(); got != 10 {
		t.Errorf("remaining = %d, want 10", got)
	}
	over := day
	over.Spent = 200
	if got := over.Remaining(); got != 0 {
		t.Errorf("remaining of an overspent window = %d, want 0", got)
	}

	tests := []struct {
		name   string
		ws     []Window
		amount money.Micro
		want   Name // "" = admitted
	}{
		{"fits exactly", []Window{day, month, total}, 10, ""},
		{"one over the daily", []Window{day, month, total}, 11, Daily},
		{"monthly beats daily", []Window{day, month, total}, 500, Monthly},
		{"total beats all", []Window{day, month, total}, 5000, Total},
		{"no budgets", nil, 1 << 40, ""},
		{"huge amount does not overflow", []Window{day}, money.Micro(1<<63 - 1), Daily},
		{"zero limit refuses any paid amount", []Window{{Budget: Total}}, 1, Total},
		{"zero limit admits zero", []Window{{Budget: Total}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ok := blocking(tt.ws, tt.amount)
			switch {
			case tt.want == "" && ok:
				t.Errorf("refused by %s, want admitted", w.Budget)
			case tt.want != "" && (!ok || w.Budget != tt.want):
				t.Errorf("blocking = %s, %v; want %s", w.Budget, ok, tt.want)
			}
		})
	}
}
