package testbed

import (
	"fmt"
	"math"
	"net/http"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Histogram is a Prometheus histogram as one scrape read it: cumulative
// counts per upper bound (ascending, +Inf last), the count and the sum.
type Histogram struct {
	Bounds []float64
	Counts []uint64 // cumulative: observations ≤ Bounds[i]
	Count  uint64
	Sum    float64
}

// ScrapeHistogram reads the unlabelled histogram name from the Prometheus
// text exposition at url (a node's /metrics). A histogram not yet exported
// is an error.
func ScrapeHistogram(url, name string) (Histogram, error) {
	resp, err := http.Get(url)
	if err != nil {
		return Histogram{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Histogram{}, fmt.Errorf("GET %s = %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return Histogram{}, fmt.Errorf("parse %s: %w", url, err)
	}
	for _, m := range mfs[name].GetMetric() {
		if h := m.GetHistogram(); h != nil && len(m.GetLabel()) == 0 {
			return fromDTO(h), nil
		}
	}
	return Histogram{}, fmt.Errorf("%s exports no histogram %s", url, name)
}

func fromDTO(h *dto.Histogram) Histogram {
	out := Histogram{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
	for _, b := range h.GetBucket() {
		out.Bounds = append(out.Bounds, b.GetUpperBound())
		out.Counts = append(out.Counts, b.GetCumulativeCount())
	}
	if len(out.Bounds) == 0 || !math.IsInf(out.Bounds[len(out.Bounds)-1], 1) {
		out.Bounds = append(out.Bounds, math.Inf(1))
		out.Counts = append(out.Counts, out.Count)
	}
	return out
}

// Sub is the observations h has that before (an earlier scrape of the same
// histogram) had not: what happened between the two scrapes.
func (h Histogram) Sub(before Histogram) (Histogram, error) {
	if !slices.Equal(h.Bounds, before.Bounds) {
		return Histogram{}, fmt.Errorf("histogram buckets changed between scrapes")
	}
	out := Histogram{Bounds: h.Bounds, Count: h.Count - before.Count, Sum: h.Sum - before.Sum}
	for i := range h.Counts {
		out.Counts = append(out.Counts, h.Counts[i]-before.Counts[i])
	}
	return out, nil
}

// Quantile estimates the q-quantile (0 ≤ q ≤ 1) as Prometheus's
// histogram_quantile does: find the bucket the rank q·count falls in and
// interpolate linearly between its lower and upper bound (the first
// bucket's lower bound is 0); a rank in the +Inf bucket gives the highest
// finite bound. NaN without observations.
func (h Histogram) Quantile(q float64) float64 {
	if h.Count == 0 || len(h.Bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(h.Count)
	i, _ := slices.BinarySearchFunc(h.Counts, rank, func(c uint64, r float64) int {
		if float64(c) < r {
			return -1
		}
		return 1
	})
	if i >= len(h.Bounds) {
		i = len(h.Bounds) - 1
	}
	if math.IsInf(h.Bounds[i], 1) {
		if i == 0 {
			return math.NaN()
		}
		return h.Bounds[i-1]
	}
	lower, below := 0.0, uint64(0)
	if i > 0 {
		lower, below = h.Bounds[i-1], h.Counts[i-1]
	}
	in := h.Counts[i] - below
	if in == 0 {
		return h.Bounds[i]
	}
	return lower + (h.Bounds[i]-lower)*(rank-float64(below))/float64(in)
}
