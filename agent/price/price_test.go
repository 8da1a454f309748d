package price

import (
	"math"
	"testing"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/money"
)

func TestCost(t *testing.T) {
	flat := Price{Rates: Rates{Input: 2_500_000, CachedInput: 1_250_000, Output: 10_000_000}} // $2.50 / $1.25 / $10
	tiered := Price{
		Rates:       Rates{Input: 1_250_000, CachedInput: 125_000, Output: 10_000_000},
		LongContext: &Tier{AboveInputTokens: 200_000, Rates: Rates{Input: 2_500_000, CachedInput: 250_000, Output: 15_000_000}},
	}
	tests := []struct {
		name string
		p    Price
		u    agent.Usage
		want money.Micro
	}{
		{"zero usage", flat, agent.Usage{}, 0},
		{"one input token rounds up", flat, agent.Usage{InputTokens: 1}, 3}, // 2.5 µ$ → 3
		{"exact micro", flat, agent.Usage{InputTokens: 2}, 5},               // 5 µ$
		{"one output token", flat, agent.Usage{OutputTokens: 1}, 10},        // 10 µ$
		{"million in and out", flat, agent.Usage{InputTokens: 1e6, OutputTokens: 1e6}, 12_500_000},
		{"cached at cached rate", flat, agent.Usage{InputTokens: 1000, CachedInputTokens: 400}, 2000}, // 600×2.5 + 400×1.25 = 1500+500
		{"rounds the sum once", flat, agent.Usage{InputTokens: 2, CachedInputTokens: 1}, 4},           // 2.5 + 1.25 = 3.75 → 4, not 3 + 2
		{"cached capped at input", flat, agent.Usage{InputTokens: 10, CachedInputTokens: 50}, 13},     // 10×1.25 = 12.5 → 13
		{"negative counts are zero", flat, agent.Usage{InputTokens: -5, CachedInputTokens: -1, OutputTokens: -9}, 0},
		{"tier below threshold", tiered, agent.Usage{InputTokens: 200_000, OutputTokens: 1000}, 260_000}, // 0.25 + 0.01
		{"tier above threshold", tiered, agent.Usage{InputTokens: 200_001, OutputTokens: 1000}, 515_003}, // 200001×2.5=500002.5 + 15000
		{"free", Price{Model: LocalModel}, agent.Usage{InputTokens: 1e9, OutputTokens: 1e9}, 0},
		{"saturates", Price{Rates: Rates{Input: math.MaxInt64}}, agent.Usage{InputTokens: math.MaxInt64}, math.MaxInt64},
		{"large but exact", Price{Rates: Rates{Output: 200_000_000}}, agent.Usage{OutputTokens: 1e12}, 200_000_000_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Cost(tt.u); got != tt.want {
				t.Errorf("Cost(%+v) = %d, want %d", tt.u, got, tt.want)
			}
		})
	}
}

func TestMaxCost(t *testing.T) {
	p := Price{Rates: Rates{Input: 300_000, CachedInput: 30_000, Output: 2_500_000}, MaxOutputTokens: 65536}
	odd := Price{Rates: Rates{Input: 1_000_000, CachedInput: 3_000_000, Output: 0}}
	tiered := Price{
		Rates:       Rates{Input: 1_250_000, Output: 10_000_000},
		LongContext: &Tier{AboveInputTokens: 200_000, Rates: Rates{Input: 2_500_000, Output: 15_000_000}},
	}
	tests := []struct {
		name        string
		p           Price
		prompt, out int64
		want        money.Micro
	}{
		{"prompt and output", p, 10_000, 1_000, 5_500},            // 3000 + 2500
		{"model cap when unset", p, 0, 0, 163_840},                // 65536 × 2.5
		{"negative prompt", p, -1, 1, 3},                          // 2.5 → 3
		{"higher of input and cached", odd, 1, 0, 3},              // cached rate is higher
		{"long tier by prompt size", tiered, 200_001, 1, 500_018}, // 500002.5 + 15 → 500018
		{"free", Price{Model: LocalModel}, 1e6, 1e6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.MaxCost(tt.prompt, tt.out); got != tt.want {
				t.Errorf("MaxCost(%d, %d) = %d, want %d", tt.prompt, tt.out, got, tt.want)
			}
		})
	}
}

// A reservation must cover the settled cost of any call within its limits.
func TestMaxCostCoversCost(t *testing.T) {
	tbl := Default()
	for _, name := range tbl.Models() {
		p, _ := tbl.Lookup(name)
		for _, u := range []agent.Usage{
			{InputTokens: 1, OutputTokens: 1},
			{InputTokens: 12_345, CachedInputTokens: 12_000, OutputTokens: 777},
			{InputTokens: 250_000, OutputTokens: 8192},
		} {
			if c, m := p.Cost(u), p.MaxCost(u.InputTokens, u.OutputTokens); c > m {
				t.Errorf("%s %+v: Cost %s > MaxCost %s", name, u, c, m)
			}
		}
	}
}
