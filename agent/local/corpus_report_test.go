package local

import (
	"fmt"
	"strings"
	"testing"
)

// TestCorpusReport prints the corpus table docs/local-agent.md reports:
// per set, the share done correctly, asked back correctly, bad input
// refused correctly, refused or missed, and the number done wrongly
// (which must be 0), with the 99th percentile and the median time to
// understand one message (parse only, the median of 5 runs each). It
// fails on any wrong write; the times are reported, never asserted.
// Run it with: go test -run TestCorpusReport -v ./agent/local/
func TestCorpusReport(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n| set | requests | done | asked back | bad input refused | refused or missed | done WRONGLY | p99 understand | p50 understand |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, set := range []struct {
		name  string
		cases []corpusCase
	}{{"test (all)", testSet()}, {"test, issue-20 part", corpusBlind}, {"development", devSet()}} {
		rs := runCorpus(t, set.cases)
		s := score(rs)
		ds := understandTimes(set.cases, 5)
		fmt.Fprintf(&b, "| %s | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d | %v | %v |\n", set.name, s.n,
			s.share(doneOK), s.share(askedOK), s.share(refusedOK), s.share(refusedNo, missed), s.counts[wrong],
			percentile(ds, 0.99), percentile(ds, 0.50))
		for _, r := range rs {
			if r.out == wrong {
				t.Errorf("%s: %q was done WRONGLY: writes %q, want %q", set.name, r.c.say, r.writes, r.c.writes)
			}
		}
	}
	t.Log(b.String())
}
