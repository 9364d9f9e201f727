package load

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// ServerSample is what the tool reads of the server's /metrics at one
// moment.
type ServerSample struct {
	RSSBytes        float64 `json:"rss_bytes"`
	LiveConnections float64 `json:"live_connections"`
	SlowDisconnects float64 `json:"slow_disconnects_total"`
	// TicketsIssued sums seira_tickets_issued_total over the load-*
	// branches.
	TicketsIssued float64 `json:"tickets_issued_total"`
	// FanOut is the server's own histogram of broadcasts (hub → last
	// subscriber written), by audience class ("101-1000", "1001+").
	FanOut map[string]Histogram `json:"fanout,omitempty"`
}

// Histogram is a Prometheus histogram's cumulative buckets.
type Histogram struct {
	Upper  []float64 // the last is +Inf
	Counts []float64
}

// histogramJSON is a Histogram in JSON, which has no infinity: bounds are
// written as Prometheus writes them ("0.005", "+Inf").
type histogramJSON struct {
	Upper  []string  `json:"le"`
	Counts []float64 `json:"counts"`
}

func (h Histogram) MarshalJSON() ([]byte, error) {
	j := histogramJSON{Upper: make([]string, len(h.Upper)), Counts: h.Counts}
	for i, u := range h.Upper {
		j.Upper[i] = strconv.FormatFloat(u, 'g', -1, 64)
		if math.IsInf(u, 1) {
			j.Upper[i] = "+Inf"
		}
	}
	return json.Marshal(j)
}

func (h *Histogram) UnmarshalJSON(b []byte) error {
	var j histogramJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	h.Upper, h.Counts = make([]float64, len(j.Upper)), j.Counts
	for i, u := range j.Upper {
		v, err := strconv.ParseFloat(u, 64) // ParseFloat reads "+Inf" too
		if err != nil {
			return fmt.Errorf("histogram bound %q: %w", u, err)
		}
		h.Upper[i] = v
	}
	return nil
}

// Quantile estimates the q-quantile (0..1) by linear interpolation within
// the bucket that holds it, as Prometheus' histogram_quantile does.
func (h Histogram) Quantile(q float64) (float64, bool) {
	n := len(h.Counts)
	if n == 0 || h.Counts[n-1] == 0 {
		return 0, false
	}
	rank := q * h.Counts[n-1]
	prevUpper, prevCount := 0.0, 0.0
	for i, c := range h.Counts {
		if c >= rank {
			if math.IsInf(h.Upper[i], 1) {
				return prevUpper, true
			}
			if c == prevCount {
				return h.Upper[i], true
			}
			return prevUpper + (h.Upper[i]-prevUpper)*(rank-prevCount)/(c-prevCount), true
		}
		prevUpper, prevCount = h.Upper[i], c
	}
	return prevUpper, true
}

// histograms gathers name's buckets by the value of label.
func histograms(samples []promSample, name, label string) map[string]Histogram {
	out := map[string]Histogram{}
	for _, s := range samples {
		if s.Name != name+"_bucket" {
			continue
		}
		le, err := strconv.ParseFloat(s.Labels["le"], 64)
		if err != nil {
			continue
		}
		h := out[s.Labels[label]]
		h.Upper = append(h.Upper, le)
		h.Counts = append(h.Counts, s.Value)
		out[s.Labels[label]] = h
	}
	return out
}

// scrape reads the server's metrics. process_resident_memory_bytes is
// required (the memory figure is meaningless without it); the others are
// read when present.
func (r *runner) scrape(ctx context.Context) (ServerSample, error) {
	resp, err := r.api.Open(ctx, "/metrics", "GET metrics")
	if err != nil {
		return ServerSample{}, err
	}
	defer resp.Body.Close()
	samples, err := parseProm(resp.Body)
	if err != nil {
		return ServerSample{}, err
	}
	var s ServerSample
	var ok bool
	if s.RSSBytes, ok = promSum(samples, "process_resident_memory_bytes", nil); !ok {
		return s, fmt.Errorf("metrics: no process_resident_memory_bytes (is the process collector registered?)")
	}
	s.LiveConnections, _ = promSum(samples, "seira_live_connections", nil)
	s.SlowDisconnects, _ = promSum(samples, "seira_live_slow_disconnects_total", nil)
	s.TicketsIssued, _ = promSum(samples, "seira_tickets_issued_total", func(l map[string]string) bool {
		return strings.HasPrefix(l["branch"], branchPrefix)
	})
	s.FanOut = histograms(samples, "seira_live_fanout_seconds", "subscribers")
	return s, nil
}

// eventsPage bounds one read of a branch's log (the API's own maximum).
const eventsPage = 5000

// verify counts the ticket.issued events the run's branches logged since
// the run began: each must be a 201 the tool counted, and the other way
// round.
func (r *runner) verify(ctx context.Context, rep *Report) error {
	branches := append([]string(nil), r.traffic...)
	for _, t := range r.latency {
		branches = append(branches, t.branch)
	}
	counts := make(chan int64, len(branches))
	err := each(ctx, branches, setupConc/2, func(ctx context.Context, b string) error {
		n, err := r.countIssued(ctx, b, r.startSeq[b])
		counts <- n
		return err
	})
	close(counts)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var total int64
	for n := range counts {
		total += n
	}
	rep.Totals.LogIssued = &total
	return nil
}

// countIssued pages through branch's log after seq.
func (r *runner) countIssued(ctx context.Context, branch string, seq uint64) (int64, error) {
	var n int64
	for {
		var page struct {
			Events []struct {
				Seq  uint64 `json:"seq"`
				Type string `json:"type"`
			} `json:"events"`
			More bool `json:"more"`
		}
		path := "/api/v1/branches/" + branch + "/events?since=" + strconv.FormatUint(seq, 10) + "&limit=" + strconv.Itoa(eventsPage)
		if _, err := r.api.Do(ctx, http.MethodGet, path, "GET events", nil, &page); err != nil {
			return n, fmt.Errorf("events of %s: %w", branch, err)
		}
		for _, ev := range page.Events {
			if ev.Type == "ticket.issued" {
				n++
			}
			seq = max(seq, ev.Seq)
		}
		if !page.More || len(page.Events) == 0 {
			return n, nil
		}
	}
}
