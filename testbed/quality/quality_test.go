package quality

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/soisnode/soisnode/agent/local/negotiate"
	"github.com/soisnode/soisnode/money"
)

// TestNewGame: every seeded game is a valid deal (5–7 items, both sides'
// values worth exactly 10, every item valued by someone), the same for
// the same seed.
func TestNewGame(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		a, b := NewGame(seed)
		total := 0
		for _, it := range a.Items {
			total += a.Count[it]
			if a.Value[it]+b.Value[it] == 0 {
				t.Fatalf("seed %d: %s valued by nobody", seed, it)
			}
		}
		if total < 5 || total > 7 || a.Points(a.Count) != 10 || b.Points(b.Count) != 10 {
			t.Fatalf("seed %d: %s", seed, describe(a, b))
		}
		if a2, b2 := NewGame(seed); a2.Goal() != a.Goal() || b2.Goal() != b.Goal() {
			t.Fatalf("seed %d is not deterministic", seed)
		}
		if g, ok := negotiate.ParseGame(a.Goal()); !ok || g.Goal() != a.Goal() {
			t.Fatalf("seed %d: the goal %q does not read back", seed, a.Goal())
		}
	}
}

// TestPareto: a division is Pareto-optimal only when no other gives one
// side more and the other no less.
func TestPareto(t *testing.T) {
	op := negotiate.Game{Items: []string{"books", "hats"}, Count: map[string]int{"books": 2, "hats": 2}, Value: map[string]int{"books": 5, "hats": 0}}
	rs := negotiate.Game{Items: op.Items, Count: op.Count, Value: map[string]int{"books": 0, "hats": 5}}
	for _, tc := range []struct {
		a, b int
		want bool
	}{{10, 10, true}, {10, 5, false}, {5, 10, false}, {0, 0, false}} {
		if got := pareto(op, rs, tc.a, tc.b); got != tc.want {
			t.Errorf("pareto(%d, %d) = %v", tc.a, tc.b, got)
		}
	}
}

// TestLocalBeatsAcceptFirst: over 50 seeded games the local strategy
// scores more for itself than the accept-first baseline in the same seat
// against the same counterpart, agrees almost always with itself, and no
// pairing breaks an envelope rule; the model path is priced and within
// its cap.
func TestLocalBeatsAcceptFirst(t *testing.T) {
	stats, err := Bench(context.Background(), 50, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	local, first, ok := versus(stats)
	if !ok {
		t.Fatal("pairings missing")
	}
	if local[0] <= first[0] || local[1] <= first[1] {
		t.Errorf("local %v points, accept-first %v: the strategy does not beat the baseline", local, first)
	}
	for _, s := range stats {
		if s.Violations != 0 {
			t.Errorf("%s vs %s: %d violations: %v", s.Opener, s.Responder, s.Violations, s.ViolationSample)
		}
		if s.Opener == "local" && s.Responder == "local" && s.AgreementRate < 0.9 {
			t.Errorf("local vs local agrees in %.0f %% of games", 100*s.AgreementRate)
		}
		if s.Opener == "fake-model" {
			mean, _ := money.Parse(s.MeanCostOpener)
			p95, _ := money.Parse(s.P95CostOpener)
			if mean <= 0 || p95 < mean || p95 > capUSD {
				t.Errorf("%s vs %s: cost mean %s, p95 %s", s.Opener, s.Responder, s.MeanCostOpener, s.P95CostOpener)
			}
		}
	}
	md := Markdown(stats, "test")
	for _, want := range []string{"| local | local |", "| fake-model | accept-first |", "Against the same local opener"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestViolations: a move off the rules ends the game with the violation
// named and no deal.
func TestViolations(t *testing.T) {
	g, _ := NewGame(1)
	bad := negotiate.Split{Kind: negotiate.KindSplit, Mine: map[string]int{"books": 99}}
	raw, _ := json.Marshal(bad)
	for _, tc := range []struct {
		name string
		seq  int64
		m    moveT
		want string
	}{
		{"no open", 1, moveT{"propose", raw}, "not open"},
		{"open again", 3, moveT{"open", nil}, "open after"},
		{"bad split", 2, moveT{"propose", raw}, "not a split"},
		{"accept nothing", 2, moveT{"accept", nil}, "no proposal"},
		{"unknown", 2, moveT{"shout", nil}, "unknown envelope"},
	} {
		if v := violation(tc.seq, tc.m.move(), nil, "", openerID, g); !strings.Contains(v, tc.want) {
			t.Errorf("%s: %q", tc.name, v)
		}
	}
}
