package local

import "testing"

// BenchmarkCorpusTestSet plays the held-out test set against the real
// tools on SQLite once and reports its shares (percent of the set) and
// the number of requests done wrongly, then times understanding alone
// (parsing each message) and reports its 99th percentile.
func BenchmarkCorpusTestSet(b *testing.B) {
	s := score(runCorpus(b, corpusTest))
	b.ReportMetric(s.share(doneOK), "done-%")
	b.ReportMetric(s.share(askedOK), "asked-%")
	b.ReportMetric(s.share(refusedOK), "bad-input-refused-%")
	b.ReportMetric(s.share(refusedNo, missed), "refused-or-missed-%")
	b.ReportMetric(float64(s.counts[wrong]), "wrong-writes")
	b.ReportMetric(s.handled(), "handled-%")
	b.ResetTimer()
	var p99 float64
	for b.Loop() {
		ds := understandTimes(corpusTest, 1)
		p99 = float64(percentile(ds, 0.99).Microseconds())
	}
	b.ReportMetric(p99, "p99-understand-µs")
}
