// Package quality scores negotiations: seeded "divide the items" games
// (in the spirit of Lewis et al. 2017, "Deal or No Deal") played by two
// negotiation agents through the negotiation package's Agent interface,
// offline, with agreement, points, Pareto optimality, turns, cost and
// violations per game and their aggregates per pairing.
package quality

import (
	"fmt"
	"math/rand/v2"

	"github.com/soisnode/soisnode/agent/local/negotiate"
)

// itemNames are the game's item types.
var itemNames = []string{"books", "hats", "balls"}

// NewGame deals game seed: three item types, 5 to 7 items in all (1 to 4
// of each), and for each side private values per item worth 10 for the
// whole pool, every item valued by at least one side, neither side's
// values equal to the other's.
func NewGame(seed uint64) (opener, responder negotiate.Game) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for {
		count := map[string]int{}
		total := 0
		for _, it := range itemNames {
			count[it] = 1 + r.IntN(4)
			total += count[it]
		}
		if total < 5 || total > 7 {
			continue
		}
		a, okA := values(r, count)
		b, okB := values(r, count)
		if !okA || !okB || equal(a, b) {
			continue
		}
		valued := true
		for _, it := range itemNames {
			valued = valued && a[it]+b[it] > 0
		}
		if !valued {
			continue
		}
		return negotiate.Game{Items: itemNames, Count: count, Value: a}, negotiate.Game{Items: itemNames, Count: count, Value: b}
	}
}

// values draws values per item with Σ count×value = 10, or false.
func values(r *rand.Rand, count map[string]int) (map[string]int, bool) {
	for range 100 {
		v := map[string]int{}
		left := 10
		for i, it := range itemNames {
			if i == len(itemNames)-1 {
				if left%count[it] != 0 {
					break
				}
				v[it] = left / count[it]
				return v, true
			}
			v[it] = r.IntN(left/count[it] + 1)
			left -= v[it] * count[it]
		}
	}
	return nil, false
}

func equal(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// pareto reports whether the division giving the opener share (points a
// to the opener, b to the responder) is Pareto-optimal: no other division
// gives one side more and the other no less.
func pareto(op, rs negotiate.Game, a, b int) bool {
	for _, sh := range op.Shares() {
		rest := map[string]int{}
		for _, it := range op.Items {
			rest[it] = op.Count[it] - sh[it]
		}
		x, y := op.Points(sh), rs.Points(rest)
		if x >= a && y >= b && (x > a || y > b) {
			return false
		}
	}
	return true
}

// describe is the game for a report line.
func describe(op, rs negotiate.Game) string {
	return fmt.Sprintf("%v; values %v / %v", op.Count, op.Value, rs.Value)
}
