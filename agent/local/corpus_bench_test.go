package local

import "testing"

// BenchmarkCorpusTestSet plays the held-out test set against the real
// tools on SQLite and reports its shares (percent of the set) and the
// number of requests done wrongly; then it times understanding alone
// (parsing each message, the median of 5 runs per message) and reports
// the 99th percentile and the median over the messages. ns/op is one
// pass of understanding over the whole set.
func BenchmarkCorpusTestSet(b *testing.B) {
	s := score(runCorpus(b, testSet()))
	var p99, p50 float64
	b.ResetTimer()
	for b.Loop() {
		ds := understandTimes(testSet(), 5)
		p99 = float64(percentile(ds, 0.99).Microseconds())
		p50 = float64(percentile(ds, 0.50).Microseconds())
	}
	b.ReportMetric(s.share(doneOK), "done-%")
	b.ReportMetric(s.share(askedOK), "asked-%")
	b.ReportMetric(s.share(refusedOK), "bad-input-refused-%")
	b.ReportMetric(s.share(refusedNo, missed), "refused-or-missed-%")
	b.ReportMetric(float64(s.counts[wrong]), "wrong-writes")
	b.ReportMetric(s.handled(), "handled-%")
	b.ReportMetric(p99, "p99-understand-µs")
	b.ReportMetric(p50, "p50-understand-µs")
}
