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
