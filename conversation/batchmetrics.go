package conversation

import "github.com/prometheus/client_golang/prometheus"

var (
	batchesDesc = prometheus.NewDesc("sois_accept_transactions_total",
		"Write transactions that committed accepted messages (POST /api/agent, A2A SendMessage): with group commit, fewer than the accepts.", nil, nil)
	acceptsDesc = prometheus.NewDesc("sois_accept_committed_total",
		"Accepted messages committed through the accept batcher.", nil, nil)
)

// Describe implements prometheus.Collector.
func (b *Batcher) Describe(ch chan<- *prometheus.Desc) {
	ch <- batchesDesc
	ch <- acceptsDesc
}

// Collect implements prometheus.Collector: Stats as two counters.
func (b *Batcher) Collect(ch chan<- prometheus.Metric) {
	batches, accepts := b.Stats()
	ch <- prometheus.MustNewConstMetric(batchesDesc, prometheus.CounterValue, float64(batches))
	ch <- prometheus.MustNewConstMetric(acceptsDesc, prometheus.CounterValue, float64(accepts))
}
