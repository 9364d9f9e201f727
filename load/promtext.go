package load

import (
	"fmt"
	"io"
	"math"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// promSample is one sample of a scrape: a series' name, labels and value.
type promSample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// maxScrape bounds what is read of /metrics: seira's has a few series per
// branch and service, far below this.
const maxScrape = 32 << 20

// parseProm reads a Prometheus text exposition with the Prometheus
// project's own parser (expfmt), flattened into samples as they are
// written: a histogram's _bucket, _sum and _count, a summary's quantiles.
func parseProm(r io.Reader) ([]promSample, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(io.LimitReader(r, maxScrape))
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	var out []promSample
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out = append(out, samplesOf(name, f.GetType(), m, labels)...)
		}
	}
	return out, nil
}

// samplesOf is one metric's samples, by its family's type.
func samplesOf(name string, typ dto.MetricType, m *dto.Metric, labels map[string]string) []promSample {
	with := func(k, v string) map[string]string {
		out := make(map[string]string, len(labels)+1)
		for lk, lv := range labels {
			out[lk] = lv
		}
		out[k] = v
		return out
	}
	switch typ {
	case dto.MetricType_COUNTER:
		return []promSample{{name, labels, m.GetCounter().GetValue()}}
	case dto.MetricType_GAUGE:
		return []promSample{{name, labels, m.GetGauge().GetValue()}}
	case dto.MetricType_HISTOGRAM:
		h := m.GetHistogram()
		out := []promSample{{name + "_sum", labels, h.GetSampleSum()}, {name + "_count", labels, float64(h.GetSampleCount())}}
		for _, b := range h.GetBucket() {
			out = append(out, promSample{name + "_bucket", with("le", fmt.Sprint(b.GetUpperBound())), float64(b.GetCumulativeCount())})
		}
		return append(out, promSample{name + "_bucket", with("le", "+Inf"), float64(h.GetSampleCount())})
	case dto.MetricType_SUMMARY:
		s := m.GetSummary()
		out := []promSample{{name + "_sum", labels, s.GetSampleSum()}, {name + "_count", labels, float64(s.GetSampleCount())}}
		for _, q := range s.GetQuantile() {
			out = append(out, promSample{name, with("quantile", fmt.Sprint(q.GetQuantile())), q.GetValue()})
		}
		return out
	}
	return []promSample{{name, labels, m.GetUntyped().GetValue()}}
}

// promSum adds the values of the samples called name whose labels match
// (nil matches all); ok is false when there is no such sample at all.
func promSum(samples []promSample, name string, match func(map[string]string) bool) (sum float64, ok bool) {
	for _, s := range samples {
		if s.Name == name && (match == nil || match(s.Labels)) && !math.IsNaN(s.Value) {
			sum += s.Value
			ok = true
		}
	}
	return sum, ok
}
