package quality

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/soisnode/soisnode/agent/local/negotiate"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
)

// Pairing is who opens and who answers, by name.
type Pairing struct {
	Opener, Responder string
}

// Stats aggregates one pairing's games.
type Stats struct {
	Opener          string   `json:"opener"`
	Responder       string   `json:"responder"`
	Games           int      `json:"games"`
	AgreementRate   float64  `json:"agreement_rate"`
	MeanOpener      float64  `json:"mean_opener_points"`
	MeanResponder   float64  `json:"mean_responder_points"`
	MeanJoint       float64  `json:"mean_joint_points"`
	ParetoRate      float64  `json:"pareto_rate"` // of the agreed games
	MedianTurns     float64  `json:"median_turns"`
	MeanCostOpener  string   `json:"mean_cost_usd_opener"`
	P95CostOpener   string   `json:"p95_cost_usd_opener"`
	MeanCostResp    string   `json:"mean_cost_usd_responder"`
	P95CostResp     string   `json:"p95_cost_usd_responder"`
	Violations      int      `json:"violations"`
	ViolationSample []string `json:"violation_sample,omitempty"`
	Results         []Result `json:"games_detail,omitempty"`
}

// Pairings are the matches the benchmark plays: the local agent against
// itself and against the baseline both ways, the baseline against itself,
// and the model negotiator on a scripted fake model against both.
var Pairings = []Pairing{
	{"local", "local"}, {"local", "accept-first"}, {"accept-first", "local"}, {"accept-first", "accept-first"},
	{"fake-model", "local"}, {"fake-model", "accept-first"},
}

// Bench plays games seeded 1..games for every pairing.
func Bench(ctx context.Context, games int, dir string) ([]Stats, error) {
	model, closeDB, err := NewModelAgent(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	agents := map[string]negotiation.Agent{"local": negotiate.Negotiator{}, "accept-first": AcceptFirst{}, "fake-model": model}
	var out []Stats
	for _, p := range Pairings {
		var rs []Result
		for seed := uint64(1); seed <= uint64(games); seed++ {
			rs = append(rs, Play(ctx, seed, agents[p.Opener], agents[p.Responder]))
		}
		out = append(out, aggregate(p, rs))
	}
	return out, nil
}

func aggregate(p Pairing, rs []Result) Stats {
	s := Stats{Opener: p.Opener, Responder: p.Responder, Games: len(rs), Results: rs}
	var turns []int
	var co, cr []money.Micro
	agreed, pareto := 0, 0
	for _, r := range rs {
		if r.Agreed {
			agreed++
			if r.Pareto {
				pareto++
			}
		}
		s.MeanOpener += float64(r.Opener)
		s.MeanResponder += float64(r.Responder)
		s.MeanJoint += float64(r.Joint)
		turns = append(turns, r.Turns)
		co, cr = append(co, r.CostOpener), append(cr, r.CostResp)
		s.Violations += len(r.Violations)
		if len(s.ViolationSample) < 3 {
			s.ViolationSample = append(s.ViolationSample, r.Violations...)
		}
	}
	n := float64(len(rs))
	s.AgreementRate, s.MeanOpener, s.MeanResponder, s.MeanJoint = float64(agreed)/n, s.MeanOpener/n, s.MeanResponder/n, s.MeanJoint/n
	if agreed > 0 {
		s.ParetoRate = float64(pareto) / float64(agreed)
	}
	slices.Sort(turns)
	if len(turns)%2 == 1 {
		s.MedianTurns = float64(turns[len(turns)/2])
	} else {
		s.MedianTurns = float64(turns[len(turns)/2-1]+turns[len(turns)/2]) / 2
	}
	s.MeanCostOpener, s.P95CostOpener = meanP95(co)
	s.MeanCostResp, s.P95CostResp = meanP95(cr)
	return s
}

func meanP95(c []money.Micro) (string, string) {
	slices.Sort(c)
	var sum money.Micro
	for _, v := range c {
		sum += v
	}
	return (sum / money.Micro(len(c))).String(), c[min(len(c)-1, (len(c)*95+99)/100-1)].String()
}

// Markdown is the benchmark's section for docs/benchmarks.md.
func Markdown(stats []Stats, command string) string {
	var b strings.Builder
	b.WriteString("### Negotiation quality: divide the items\n\n")
	fmt.Fprintf(&b, "`%s` — %d seeded games per pairing (seeds 1…%d), offline, %d turns at most. Each game: a pool of 5–7 items of three kinds; each side's private values are worth 10 for the whole pool; a deal is the `accept` of a `propose` whose `body.data` is the split; no deal is 0 to both. *local* is the built-in agent's strategy (agent/local/negotiate/divide.go), *accept-first* the baseline (asks for all it values, accepts the first offer), *fake-model* the model negotiator (agent/negotiator, the path a real LLM takes, holds and prices included) on a scripted fake model priced as %s.\n\n",
		command, stats[0].Games, stats[0].Games, MaxTurns, ModelModel)
	b.WriteString("| opener | responder | agreement | opener pts | responder pts | joint pts | Pareto-optimal (of deals) | median turns | cost/side mean (opener, responder) | cost/side p95 | violations |\n|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|\n")
	for _, s := range stats {
		fmt.Fprintf(&b, "| %s | %s | %.0f %% | %.2f | %.2f | %.2f | %.0f %% | %.1f | $%s, $%s | $%s, $%s | %d |\n",
			s.Opener, s.Responder, 100*s.AgreementRate, s.MeanOpener, s.MeanResponder, s.MeanJoint, 100*s.ParetoRate, s.MedianTurns,
			s.MeanCostOpener, s.MeanCostResp, s.P95CostOpener, s.P95CostResp, s.Violations)
	}
	if l, f, ok := versus(stats); ok {
		fmt.Fprintf(&b, "\nAgainst the same local opener, the local strategy as responder scores %.2f points, accept-first %.2f (ratio %.2f); against the same local responder, as opener %.2f, accept-first %.2f (ratio %.2f).\n",
			l[0], f[0], l[0]/max(f[0], 0.01), l[1], f[1], l[1]/max(f[1], 0.01))
	}
	return b.String()
}

// versus is the local strategy's own points against accept-first's in
// the same seat against the same local counterpart: [as responder, as opener].
func versus(stats []Stats) (local, first [2]float64, ok bool) {
	get := func(o, r string) (Stats, bool) {
		for _, s := range stats {
			if s.Opener == o && s.Responder == r {
				return s, true
			}
		}
		return Stats{}, false
	}
	ll, ok1 := get("local", "local")
	lf, ok2 := get("local", "accept-first")
	fl, ok3 := get("accept-first", "local")
	if !ok1 || !ok2 || !ok3 {
		return local, first, false
	}
	return [2]float64{ll.MeanResponder, ll.MeanOpener}, [2]float64{lf.MeanResponder, fl.MeanOpener}, true
}

// Command is `testbed quality [-games N] [-format md|json]`.
func Command(ctx context.Context, prog string, args []string, stdout, stderr io.Writer) int {
	games, format := 50, "md"
	for i := 0; i < len(args); i++ {
		switch a := strings.TrimLeft(args[i], "-"); {
		case (a == "games" || a == "format") && i+1 < len(args):
			i++
			if a == "format" {
				format = args[i]
			} else if _, err := fmt.Sscan(args[i], &games); err != nil || games < 1 {
				fmt.Fprintf(stderr, "%s quality: -games %q: a positive number\n", prog, args[i])
				return 2
			}
		case a == "h" || a == "help":
			fmt.Fprintf(stdout, "usage: %s quality [-games N] [-format md|json]\n", prog)
			return 0
		default:
			fmt.Fprintf(stderr, "usage: %s quality [-games N] [-format md|json]\n", prog)
			return 2
		}
	}
	if format != "md" && format != "json" {
		fmt.Fprintf(stderr, "%s quality: -format %q: md or json\n", prog, format)
		return 2
	}
	dir, err := os.MkdirTemp("", "soisnode-quality-")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	stats, err := Bench(ctx, games, dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	command := fmt.Sprintf("%s quality -games %d -format %s", prog, games, format)
	if format == "json" {
		for i := range stats {
			stats[i].Results = nil
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"command": command, "max_turns": MaxTurns, "pairings": stats}); err != nil {
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, Markdown(stats, command))
	return 0
}
