package price

import (
	"testing"

	"github.com/soisnode/soisnode/agent"
)

// FuzzPriceFile: no SOIS_PRICES_FILE content panics the parser; every
// price it accepts is non-negative, and what a call may cost is never more
// than what MaxCost reserves for it.
func FuzzPriceFile(f *testing.F) {
	f.Add(shipped, int64(1000), int64(200), int64(300))
	f.Add([]byte(`{"version":1,"currency":"USD","models":{"m":{"input":"0.10","output":"0.40","max_output_tokens":8192}}}`), int64(5), int64(0), int64(10))
	f.Add([]byte(`{"models":{"m":{"input":"1.25","cached_input":"0.31","output":"10","long_context":{"above_input_tokens":200000,"input":"2.5","output":"15"}}}}`), int64(300000), int64(100), int64(1))
	f.Add([]byte(`{"models":{" ":{"input":"1","output":"1"}}}`), int64(0), int64(0), int64(0))
	f.Add([]byte(`{"models":{"m":{"input":"-1","output":"1e9"}}}`), int64(-1), int64(-1), int64(-1))
	f.Add([]byte(`{"version":2}`), int64(1), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, data []byte, in, cached, out int64) {
		prices, err := parse(data)
		if err != nil {
			return
		}
		for name, p := range prices {
			if p.Input < 0 || p.CachedInput < 0 || p.Output < 0 || p.MaxOutputTokens < 0 {
				t.Fatalf("%s: negative price accepted: %+v", name, p)
			}
			if in < 0 || out <= 0 {
				continue
			}
			u := agent.Usage{InputTokens: in, CachedInputTokens: cached, OutputTokens: out}
			if c, m := p.Cost(u), p.MaxCost(in, out); c > m {
				t.Fatalf("%s: usage %+v costs %d, more than the %d reserved", name, u, c, m)
			}
		}
	})
}
