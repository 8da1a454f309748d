package budget

import (
	"time"

	"github.com/soisnode/soisnode/money"
)

// Name names one of a key's three budgets (or, in a refusal, a Cap).
type Name string

// The budgets a key may have, each with its own window.
const (
	Daily   Name = "daily"   // the UTC calendar day
	Monthly Name = "monthly" // the UTC calendar month
	Total   Name = "total"   // forever; never resets
)

// names lists the budgets in the order they are read and reported.
var names = [3]Name{Daily, Monthly, Total}

// Window is one budget's current period and, as Status returns it, the
// money in it. Windows fills only Budget, Start and ResetsAt.
type Window struct {
	Budget   Name
	Start    time.Time // first instant of the window (UTC); zero for Total
	ResetsAt time.Time // first instant after the window (UTC); zero for Total
	Limit    money.Micro
	Spent    money.Micro // ledger costs dated inside the window
	// Unconfirmed is the part of Spent settled at its reserved amount
	// because its call was lost in a crash (see Sweep).
	Unconfirmed money.Micro
	Reserved    money.Micro // holds of calls still running
}

// Remaining is what the window still admits: the limit minus what is spent
// and reserved, never negative.
func (w Window) Remaining() money.Micro {
	left := w.Limit - w.Spent - w.Reserved
	if left < 0 {
		return 0
	}
	return left
}

// covers reports whether the window can take amount more without going
// over its limit. Written as a subtraction of non-negative amounts so a
// huge amount cannot overflow into a yes.
func (w Window) covers(amount money.Micro) bool {
	return amount <= w.Limit-w.Spent-w.Reserved
}

// WindowOf returns the window of budget n that contains now. Boundaries are
// UTC whatever now's location. Any n other than Daily and Monthly gets the
// Total window.
func WindowOf(n Name, now time.Time) Window {
	t := now.UTC()
	y, m, d := t.Date()
	switch n {
	case Daily:
		start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return Window{Budget: n, Start: start, ResetsAt: start.AddDate(0, 0, 1)}
	case Monthly:
		// time.Date normalises month 13 to January of the next year.
		return Window{Budget: n, Start: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), ResetsAt: time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)}
	}
	return Window{Budget: Total}
}

// Windows returns the daily, monthly and total windows that contain now.
func Windows(now time.Time) []Window {
	ws := make([]Window, len(names))
	for i, n := range names {
		ws[i] = WindowOf(n, now)
	}
	return ws
}

// Threshold is the spend at which percent of limit is reached, rounded up
// to the micro-dollar. It is 0, meaning "no threshold", when the limit is
// not positive or percent is not positive; percent above 100 counts as 100.
func Threshold(limit money.Micro, percent int) money.Micro {
	if limit <= 0 || percent <= 0 {
		return 0
	}
	p := money.Micro(min(percent, 100))
	// limit = q*100 + r, so limit*p/100 = q*p + r*p/100 without overflow.
	q, r := limit/100, limit%100
	return q*p + (r*p+99)/100
}

// Reached reports whether spent has reached the threshold of limit at
// percent. It is never true for a disabled threshold (see Threshold).
func Reached(limit, spent money.Micro, percent int) bool {
	th := Threshold(limit, percent)
	return th > 0 && spent >= th
}

// blocking returns the window that cannot take amount more. When several
// cannot, it names the one that resets last (total, then monthly, then
// daily), because that is when the caller can next succeed.
func blocking(ws []Window, amount money.Micro) (Window, bool) {
	var found Window
	ok := false
	for _, w := range ws {
		if !w.covers(amount) && (!ok || resetsLater(w, found)) {
			found, ok = w, true
		}
	}
	return found, ok
}

// resetsLater reports whether a resets after b; a window that never resets
// (zero ResetsAt) is later than any.
func resetsLater(a, b Window) bool {
	switch {
	case b.ResetsAt.IsZero():
		return false
	case a.ResetsAt.IsZero():
		return true
	}
	return a.ResetsAt.After(b.ResetsAt)
}
