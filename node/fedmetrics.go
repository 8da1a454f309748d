package node

import "github.com/prometheus/client_golang/prometheus"

// fedMetrics are the federation's series: envelopes refused by reason,
// negotiations by outcome.
type fedMetrics struct {
	rejected *prometheus.CounterVec
	finished *prometheus.CounterVec
}

func newFedMetrics(reg *prometheus.Registry) *fedMetrics {
	f := &fedMetrics{
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_federation_rejections_total", Help: "Inbound federation envelopes refused, by reason.",
		}, []string{"reason"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sois_negotiations_total", Help: "Negotiations finished on this node, by outcome.",
		}, []string{"status"}),
	}
	reg.MustRegister(f.rejected, f.finished)
	return f
}

func (f *fedMetrics) federationRejected(reason string) { f.rejected.WithLabelValues(reason).Inc() }

func (f *fedMetrics) negotiationFinished(status string) { f.finished.WithLabelValues(status).Inc() }
