package budget

import (
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
)

// None is the stored limit of a budget that is not set (api_keys.budget_*
// = -1): that budget does not restrict the key.
const None money.Micro = -1

// ParseLimit reads a budget limit given by a person or a client, as for
// `keys create --budget-daily 5` or an API field: a plain decimal amount of
// US dollars with at most six decimals ("5", "12.50", "0.000001"),
// optionally written with a leading "$" and surrounding spaces. Zero is a
// valid limit (only free calls run). Negative, signed, exponent or
// over-precise amounts are refused with an errs.Invalid error.
func ParseLimit(s string) (money.Micro, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "$")
	m, err := money.Parse(t)
	if err != nil {
		return 0, errs.Wrap(errs.Invalid, err, "budget %q is not an amount of US dollars such as 5 or 12.50 (at most 6 decimals, not negative)", s)
	}
	return m, nil
}

// Limits are an integration key's budgets, as stored with the key. Load
// them once with the key (access.Key.Limits) and pass them to every call of
// the turn: budget reads no key itself.
type Limits struct {
	KeyID            string
	WorkspaceID      string
	Daily            money.Micro // None when not set
	Monthly          money.Micro // None when not set
	Total            money.Micro // None when not set
	ThresholdPercent int         // the threshold event fires at this share of a limit
}

// Set reports whether any budget is set (a zero limit is set: it allows
// only free calls).
func (l Limits) Set() bool { return l.Daily >= 0 || l.Monthly >= 0 || l.Total >= 0 }

// byName returns the limits in names order, any negative one as None.
func (l Limits) byName() [3]money.Micro {
	out := [3]money.Micro{l.Daily, l.Monthly, l.Total}
	for i, v := range out {
		if v < 0 {
			out[i] = None
		}
	}
	return out
}
