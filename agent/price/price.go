// Package price turns a model call's token usage into money. Prices are
// configuration, not code: a table of USD per million tokens ships embedded
// (prices.json) and an operator's file in the same format overrides it (see
// Load). All arithmetic is integer; amounts round up to the next
// micro-dollar so a call is never undercharged.
package price

import (
	"math"
	"math/bits"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/money"
)

// perMillion is the token count the rates are quoted for.
const perMillion = 1_000_000

// Rates are the three per-token prices of one tier, each the price of one
// million tokens in micro-dollars (so 2_500_000 is $2.50 per 1M tokens).
type Rates struct {
	Input       money.Micro // uncached prompt tokens
	CachedInput money.Micro // prompt tokens served from the provider's cache
	Output      money.Micro // generated tokens, reasoning/thinking included
}

// Price is what one model charges.
type Price struct {
	Model string // the table entry that matched
	Rates        // the standard tier
	// LongContext, when set, replaces Rates for every token of a call whose
	// prompt is larger than LongContext.AboveInputTokens (Gemini Pro bills
	// the whole call at the higher tier).
	LongContext *Tier
	// MaxOutputTokens is the model's output cap, used by MaxCost when the
	// request sets none. Zero means unknown.
	MaxOutputTokens int64
}

// Tier is a higher price that applies above a prompt size.
type Tier struct {
	AboveInputTokens int64
	Rates
}

// rates returns the tier that applies to a prompt of inputTokens.
func (p Price) rates(inputTokens int64) Rates {
	if p.LongContext != nil && inputTokens > p.LongContext.AboveInputTokens {
		return p.LongContext.Rates
	}
	return p.Rates
}

// Cost is the price of a finished call: cached input tokens at the cached
// rate, the rest of the input at the input rate, output at the output rate,
// rounded up to the next micro-dollar. Negative counts count as zero and
// cached tokens are capped at the input count; an amount too large for
// money.Micro saturates at its maximum rather than wrapping.
func (p Price) Cost(u agent.Usage) money.Micro {
	in := max(u.InputTokens, 0)
	cached := min(max(u.CachedInputTokens, 0), in)
	out := max(u.OutputTokens, 0)
	r := p.rates(in)
	var sum acc
	sum.add(in-cached, r.Input)
	sum.add(cached, r.CachedInput)
	sum.add(out, r.Output)
	return sum.micros()
}

// MaxCost is the most a call can cost with a prompt of promptTokens and at
// most maxOutputTokens of output: the amount to reserve before the call.
// All prompt tokens are charged at the higher of the input and cached rates.
// When maxOutputTokens is zero or less, the model's MaxOutputTokens is used;
// when that is unknown too, no output is reserved, so callers should always
// bound a request's output.
func (p Price) MaxCost(promptTokens, maxOutputTokens int64) money.Micro {
	promptTokens = max(promptTokens, 0)
	if maxOutputTokens <= 0 {
		maxOutputTokens = p.MaxOutputTokens
	}
	r := p.rates(promptTokens)
	var sum acc
	sum.add(promptTokens, max(r.Input, r.CachedInput))
	sum.add(max(maxOutputTokens, 0), r.Output)
	return sum.micros()
}

// acc is an unsigned 128-bit sum of tokens × rate products, wide enough that
// no realistic (or unrealistic) usage overflows before the final division.
type acc struct{ hi, lo uint64 }

func (a *acc) add(tokens int64, rate money.Micro) {
	if tokens <= 0 || rate <= 0 {
		return
	}
	hi, lo := bits.Mul64(uint64(tokens), uint64(rate))
	var carry uint64
	a.lo, carry = bits.Add64(a.lo, lo, 0)
	a.hi, _ = bits.Add64(a.hi, hi, carry)
}

// micros divides by one million tokens, rounding up, saturating at MaxInt64.
func (a acc) micros() money.Micro {
	if a.hi >= perMillion { // the quotient would not fit in 64 bits
		return money.Micro(math.MaxInt64)
	}
	q, r := bits.Div64(a.hi, a.lo, perMillion)
	if q >= math.MaxInt64 {
		return money.Micro(math.MaxInt64)
	}
	if r != 0 {
		q++
	}
	return money.Micro(q)
}
