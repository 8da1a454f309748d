package negotiate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/soisnode/soisnode/negotiation"
)

// The "divide the items" game (in the spirit of Lewis et al. 2017, "Deal
// or No Deal"): a pool of items is split between the two sides; each side
// holds private values per item, worth 10 points for the whole pool to
// either side. A deal is the accept of a propose whose body.data is a
// Split; no deal is worth 0 to both. Each side reads its own goal:
//
//	Divide the items (books 1, hats 2, balls 3); my values per item: books 4, hats 0, balls 2.
//
// The local agent's strategy: open without an offer, then ask much and
// concede one step per turn (never below half the pool's worth until the
// last turns), offering among the splits worth its current aspiration the
// one the peer's own proposals suggest the peer values most; accept an
// offer as soon as it is worth what it would ask next, and take any offer
// worth something on the last turn rather than end with nothing.

// KindSplit is the body.data kind of a proposed split.
const KindSplit = "split"

// Split is a proposed division: Mine is the proposer's share, Yours the
// receiver's, both as counts per item.
type Split struct {
	Kind  string         `json:"kind"`
	Mine  map[string]int `json:"mine"`
	Yours map[string]int `json:"yours"`
}

// Game is one side's view of a divide-the-items game.
type Game struct {
	Items []string       // item names, in the goal's order
	Count map[string]int // the pool
	Value map[string]int // this side's private value per item
}

var (
	reDivide = regexp.MustCompile(`(?i)divide the items \(([^)]*)\);\s*my values per item:\s*([^.]*)`)
	rePair   = regexp.MustCompile(`^\s*([a-z][a-z -]*?)\s+(\d{1,2})\s*$`)
)

// ParseGame reads a divide-the-items goal.
func ParseGame(goal string) (Game, bool) {
	m := reDivide.FindStringSubmatch(goal)
	if m == nil {
		return Game{}, false
	}
	g := Game{Count: map[string]int{}, Value: map[string]int{}}
	pairs := func(s string, into map[string]int, order bool) bool {
		for _, p := range strings.Split(s, ",") {
			pm := rePair.FindStringSubmatch(strings.ToLower(p))
			if pm == nil {
				return false
			}
			n, _ := strconv.Atoi(pm[2])
			if _, dup := into[pm[1]]; dup {
				return false
			}
			into[pm[1]] = n
			if order {
				g.Items = append(g.Items, pm[1])
			}
		}
		return true
	}
	if !pairs(m[1], g.Count, true) || !pairs(m[2], g.Value, false) || len(g.Value) != len(g.Count) {
		return Game{}, false
	}
	for _, it := range g.Items {
		if _, ok := g.Value[it]; !ok || g.Count[it] < 1 {
			return Game{}, false
		}
	}
	return g, true
}

// ownGame reads this side's game from its own goal. A responder's stored
// goal is normally the peer's opening text: that is never read as this
// side's values (the peer's words are data).
func ownGame(n negotiation.Negotiation) (Game, bool) {
	if n.Role == negotiation.RoleResponder && len(n.Turns) > 0 && strings.TrimSpace(n.Turns[0].Text) == strings.TrimSpace(n.Goal) {
		return Game{}, false
	}
	return ParseGame(n.Goal)
}

// Goal writes the game as the goal ParseGame reads.
func (g Game) Goal() string {
	var pool, vals []string
	for _, it := range g.Items {
		pool = append(pool, fmt.Sprintf("%s %d", it, g.Count[it]))
		vals = append(vals, fmt.Sprintf("%s %d", it, g.Value[it]))
	}
	return fmt.Sprintf("Divide the items (%s); my values per item: %s.", strings.Join(pool, ", "), strings.Join(vals, ", "))
}

// Points is what share is worth to this side.
func (g Game) Points(share map[string]int) int {
	p := 0
	for it, n := range share {
		p += n * g.Value[it]
	}
	return p
}

// Valid reports whether s splits exactly this game's pool.
func (g Game) Valid(s Split) bool {
	if len(s.Mine) > len(g.Items) || len(s.Yours) > len(g.Items) {
		return false
	}
	for it := range s.Mine {
		if _, ok := g.Count[it]; !ok {
			return false
		}
	}
	for it := range s.Yours {
		if _, ok := g.Count[it]; !ok {
			return false
		}
	}
	for _, it := range g.Items {
		if s.Mine[it] < 0 || s.Yours[it] < 0 || s.Mine[it]+s.Yours[it] != g.Count[it] {
			return false
		}
	}
	return true
}

// Shares lists every share of the pool one side can hold.
func (g Game) Shares() []map[string]int {
	out := []map[string]int{{}}
	for _, it := range g.Items {
		var next []map[string]int
		for _, s := range out {
			for n := 0; n <= g.Count[it]; n++ {
				c := make(map[string]int, len(s)+1)
				for k, v := range s {
					c[k] = v
				}
				c[it] = n
				next = append(next, c)
			}
		}
		out = next
	}
	return out
}

// rest is the other side's share when this side holds share.
func (g Game) rest(share map[string]int) map[string]int {
	out := make(map[string]int, len(g.Items))
	for _, it := range g.Items {
		out[it] = g.Count[it] - share[it]
	}
	return out
}

// divideMove is the local agent's move in a divide-the-items exchange.
func divideMove(s negotiation.Situation, g Game) negotiation.Move {
	n := s.Negotiation
	if s.Seq == 1 {
		return negotiation.Move{Type: negotiation.TypeOpen, Text: "Let us divide the items. What would you like to keep?"}
	}
	mine := 0 // our proposals so far: how far we have conceded
	var offer *Split
	theirs := map[string]int{} // how often the peer kept each item in its proposals
	for _, t := range n.Turns {
		if t.Type != negotiation.TypePropose {
			continue
		}
		var sp Split
		if json.Unmarshal(t.Data, &sp) != nil || sp.Kind != KindSplit || !g.Valid(sp) {
			continue
		}
		if t.From == s.Self {
			mine++
			offer = nil
			continue
		}
		for it, k := range sp.Mine {
			theirs[it] += k
		}
		offer = &sp
	}
	last := n.MaxTurns > 0 && int(s.Seq) >= n.MaxTurns
	floor := 6 // half the pool's worth and a point, until the end is near
	if n.MaxTurns > 0 && int(s.Seq) >= n.MaxTurns-2 {
		floor = 5
	}
	aspire := max(10-mine, floor)
	if offer != nil {
		got := g.Points(offer.Yours)
		if got >= aspire || (last && got > 0) {
			return negotiation.Move{Type: negotiation.TypeAccept, Text: fmt.Sprintf("Agreed: that is worth %d to us.", got), Data: negotiation.Encode(offer)}
		}
	}
	if last {
		return closeMove("We could not agree on a division; closing.")
	}
	share := bestShare(g, aspire, theirs)
	return negotiation.Move{Type: negotiation.TypePropose, Text: "We propose to keep " + describeShare(g, share) + " and give you " + describeShare(g, g.rest(share)) + ".",
		Data: negotiation.Encode(Split{Kind: KindSplit, Mine: share, Yours: g.rest(share)})}
}

// bestShare is the share worth at least aspire to us (or the most we can
// get, if none is) that leaves the peer the most of what its proposals
// asked for (each item's count in them, plus one so that nothing is
// worthless to the peer by default); ties go to more points for us.
func bestShare(g Game, aspire int, theirs map[string]int) map[string]int {
	var best map[string]int
	bestPeer, bestOurs := -1, -1
	for _, sh := range g.Shares() {
		ours := g.Points(sh)
		if ours < aspire {
			continue
		}
		peer := 0
		for it, k := range g.rest(sh) {
			peer += k * (theirs[it] + 1)
		}
		if peer > bestPeer || (peer == bestPeer && ours > bestOurs) {
			best, bestPeer, bestOurs = sh, peer, ours
		}
	}
	if best == nil {
		return g.Count
	}
	return best
}

func describeShare(g Game, share map[string]int) string {
	var parts []string
	for _, it := range g.Items {
		if share[it] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", share[it], it))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
