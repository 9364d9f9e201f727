// Package metrics exposes seira's Prometheus metrics: tickets issued,
// called and served, waiting now, waiting times, live connections and the
// store's commit latency.
package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/seira-queue/seira/display"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/queue"
)

// Metrics are the collectors, on their own registry.
type Metrics struct {
	Registry *prometheus.Registry

	issued, called, served, noShow *prometheus.CounterVec
	wait                           *prometheus.HistogramVec
	commit                         prometheus.Histogram
	commitBatch                    prometheus.Histogram
	fanOut                         *prometheus.HistogramVec
}

// Snapshotter reads branches for the gauges computed at scrape time.
type Snapshotter interface {
	Branches(ctx context.Context) ([]queue.Branch, error)
	Summary(ctx context.Context, branch string) (engine.Snapshot, error)
}

// New registers seira's metrics. eng and hub feed the gauges read at
// scrape time (waiting now, live connections).
func New(eng Snapshotter, hub *display.Hub) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	labels := []string{"branch", "service"}
	m.issued = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seira_tickets_issued_total", Help: "Tickets issued."}, labels)
	m.called = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seira_tickets_called_total", Help: "Tickets called to a counter (recalls not counted)."}, labels)
	m.served = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seira_tickets_served_total", Help: "Tickets served (done)."}, labels)
	m.noShow = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "seira_tickets_no_show_total", Help: "Tickets called that did not come."}, labels)
	m.wait = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seira_wait_seconds", Help: "Time from issue to first call.",
		Buckets: []float64{60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}}, labels)
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "seira_store_commit_seconds", Help: "Duration of a store commit, fsync included.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14)})
	m.commitBatch = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "seira_store_commit_callers", Help: "Writes carried by one commit (group commit).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 10)})
	m.fanOut = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "seira_live_fanout_seconds",
		Help:    "From the hub taking a committed event to its last subscriber having it written, per broadcast; by subscribers of the branch.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .15, .2, .3, .5, 1, 2.5}}, []string{"subscribers"})
	waiting := prometheus.NewDesc("seira_waiting", "Tickets waiting now.", labels, nil)
	conns := prometheus.NewDesc("seira_live_connections", "Open WebSocket connections.", nil, nil)
	slow := prometheus.NewDesc("seira_live_slow_disconnects_total", "Live clients disconnected for not keeping up.", nil, nil)
	m.Registry.MustRegister(m.issued, m.called, m.served, m.noShow, m.wait, m.commit, m.commitBatch, m.fanOut,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&scrape{descs: []*prometheus.Desc{waiting, conns, slow}, collect: func(ch chan<- prometheus.Metric) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if hub != nil {
				st := hub.Stats()
				ch <- prometheus.MustNewConstMetric(conns, prometheus.GaugeValue, float64(st.Connections))
				ch <- prometheus.MustNewConstMetric(slow, prometheus.CounterValue, float64(st.SlowDrops))
			}
			branches, err := eng.Branches(ctx)
			if err != nil {
				return
			}
			for _, b := range branches {
				snap, err := eng.Summary(ctx, b.ID)
				if err != nil {
					continue
				}
				for _, s := range snap.Services {
					ch <- prometheus.MustNewConstMetric(waiting, prometheus.GaugeValue, float64(s.Waiting), b.ID, s.Service.ID)
				}
			}
		}})
	return m
}

// scrape is a collector whose values are read when Prometheus asks.
type scrape struct {
	descs   []*prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

func (s *scrape) Collect(ch chan<- prometheus.Metric) { s.collect(ch) }

// Publish counts committed events; it is a engine.Publisher and must not
// block.
func (m *Metrics) Publish(evs []queue.Event) {
	for _, ev := range evs {
		l := prometheus.Labels{"branch": ev.Branch, "service": ev.Service}
		switch ev.Type {
		case queue.EvIssued:
			m.issued.With(l).Inc()
		case queue.EvCalled:
			m.called.With(l).Inc()
			if !ev.IssuedAt.IsZero() {
				m.wait.With(l).Observe(ev.At.Sub(ev.IssuedAt).Seconds())
			}
		case queue.EvDone:
			m.served.With(l).Inc()
		case queue.EvNoShow:
			m.noShow.With(l).Inc()
		}
	}
}

// ObserveCommit records one store commit (storage.Options.ObserveCommit).
func (m *Metrics) ObserveCommit(d time.Duration, callers int) {
	m.commit.Observe(d.Seconds())
	m.commitBatch.Observe(float64(callers))
}

// ObserveFanOut records one broadcast (display.Options.ObserveFanOut),
// by the size class of the branch's audience.
func (m *Metrics) ObserveFanOut(subscribers int, d time.Duration) {
	class := "1-100"
	switch {
	case subscribers > 1000:
		class = "1001+"
	case subscribers > 100:
		class = "101-1000"
	}
	m.fanOut.WithLabelValues(class).Observe(d.Seconds())
}
