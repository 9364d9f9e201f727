package load

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a run measured and counted.
type Report struct {
	URL     string    `json:"url"`
	Started time.Time `json:"started"`
	Options Options   `json:"options"`
	// NoFile is the tool's own open-file limit, raised to the hard limit.
	NoFile NoFile `json:"nofile"`
	// Mode says how tickets were issued.
	Mode  string      `json:"mode"`
	Issue IssueResult `json:"issue"`
	// Healthz is the baseline, measured half before the traffic window
	// and half after.
	Healthz HealthzResult `json:"healthz"`
	// IssuePerHealthz is tickets per second over healthz requests per
	// second.
	IssuePerHealthz float64         `json:"issue_per_healthz"`
	Latency         []LatencyResult `json:"latency"`
	Connections     ConnResult      `json:"connections"`
	Server          struct {
		Before ServerSample `json:"before"` // before the subscribers connected
		Idle1  ServerSample `json:"idle1"`  // connected and idle, first read
		Idle2  ServerSample `json:"idle2"`  // and the second
		After  ServerSample `json:"after"`  // at the end, before disconnecting
	} `json:"server"`
	Memory MemoryResult `json:"memory"`
	Slow   SlowResult   `json:"slow_disconnects"`
	Errors []Count      `json:"errors"`
	Totals Totals       `json:"totals"`
	Drain  DrainResult  `json:"drain"`

	// subs are the branch subscribers' own counts, for the tests.
	subs []SubResult
}

// NoFile is an RLIMIT_NOFILE: the soft limit before and after raising it.
type NoFile struct {
	Was  uint64 `json:"was"`
	Soft uint64 `json:"soft"`
	Hard uint64 `json:"hard"`
}

// IssueResult is the traffic window's issuing.
type IssueResult struct {
	// Issued counts 201 answers only: tickets the server made durable.
	Issued    int64   `json:"issued"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	// Skipped counts open-loop sends dropped because MaxInflight requests
	// were already waiting.
	Skipped int64   `json:"skipped"`
	Latency Summary `json:"latency"`
}

// HealthzResult is the /healthz baseline.
type HealthzResult struct {
	Workers   int     `json:"workers"`
	OK        int64   `json:"ok"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	// BeforePerSecond and AfterPerSecond are the two halves, before and
	// after the traffic window; far apart, they say the machine's speed
	// changed during the run and the ratio is uncertain.
	BeforePerSecond float64 `json:"before_per_second"`
	AfterPerSecond  float64 `json:"after_per_second"`
}

// add counts ok answers in d into the baseline and returns their rate.
func (h *HealthzResult) add(ok int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	h.OK += ok
	h.Seconds += d.Seconds()
	h.PerSecond = PerSecond(h.OK, time.Duration(h.Seconds*float64(time.Second)))
	return PerSecond(ok, d)
}

// LatencyResult is call → last subscriber latency on one branch.
type LatencyResult struct {
	Name        string  `json:"name"`
	Branch      string  `json:"branch"`
	Subscribers int64   `json:"subscribers"`
	Summary     Summary `json:"summary"`
	// Incomplete samples had a subscriber that did not report the call
	// within the sample timeout; Failed requests did not answer 200.
	Incomplete int `json:"incomplete"`
	Failed     int `json:"failed"`
}

// ConnResult counts live connections.
type ConnResult struct {
	Attempted   int64               `json:"attempted"`
	Established int64               `json:"established"`
	ByKind      map[string][2]int64 `json:"by_kind"` // attempted, established
	DialS       float64             `json:"dial_s"`
	ReadyS      float64             `json:"ready_s"`
}

// MemoryResult is the server's memory per idle live connection.
type MemoryResult struct {
	// Conns is the growth of seira_live_connections the RSS growth is
	// spread over.
	Conns    int64   `json:"conns"`
	BeforeMB float64 `json:"before_mb"`
	Idle1MB  float64 `json:"idle1_mb"`
	Idle2MB  float64 `json:"idle2_mb"`
	// PerConnKB is from the second idle read, PerConnKB1 from the first:
	// they differ when the server's heap was still settling.
	PerConnKB  float64 `json:"per_conn_kb"`
	PerConnKB1 float64 `json:"per_conn_kb1"`
}

// SlowResult counts slow-client disconnects as both sides saw them.
type SlowResult struct {
	ServerDelta float64 `json:"server_delta"`
	Client1013  int64   `json:"client_1013"`
}

// Totals are the exact counts.
type Totals struct {
	// TicketsIssued is every 201 of the run: set-up and traffic.
	TicketsIssued int64 `json:"tickets_issued"`
	// SetupTickets are those for the phones and the latency counters.
	SetupTickets int64 `json:"setup_tickets"`
	// LogIssued is the ticket.issued events in the server's log of the
	// run's branches since it began (nil when not verified).
	LogIssued *int64 `json:"log_issued,omitempty"`
	// MetricIssued is the growth of seira_tickets_issued_total for the
	// load-* branches over the connected part of the run.
	MetricIssued float64         `json:"metric_issued"`
	NextCalled   int64           `json:"next_called"`
	NextEmpty    int64           `json:"next_empty"`
	Messages     []MessageCounts `json:"messages"`
}

// MessageCounts are the live messages of one kind of subscriber.
type MessageCounts struct {
	Kind        string `json:"kind"`
	Subscribers int    `json:"subscribers"`
	// Messages counts every message; Events those carrying a seq after
	// the first snapshot.
	Messages int64 `json:"messages"`
	Events   int64 `json:"events"`
	// Gaps counts branch messages whose seq was not the last plus one.
	Gaps int64 `json:"gaps"`
}

// SubResult is one branch subscriber's counts.
type SubResult struct {
	Kind      Kind
	Branch    string
	SnapSeq   uint64
	LastSeq   uint64
	Events    int64
	Snapshots int64
	Gaps      int64
	// Lost is true when the server or the network ended the connection.
	Lost bool
}

// fill completes the report from the runner's counts, once every reader
// has ended.
func (r *runner) fill(rep *Report) {
	if r.opts.IssueConc > 0 {
		rep.Mode = fmt.Sprintf("closed loop, %d workers", r.opts.IssueConc)
	} else {
		rep.Mode = fmt.Sprintf("open loop at %g/s", r.opts.IssueRate)
	}
	rep.Issue.Skipped = r.skipped.Load()
	rep.Issue.Latency = r.issueLat.summary()
	rep.IssuePerHealthz = Ratio(rep.Issue.PerSecond, rep.Healthz.PerSecond)
	for _, t := range r.latency {
		rep.Latency = append(rep.Latency, LatencyResult{Name: t.name, Branch: t.branch, Subscribers: t.subs,
			Summary: Summarise(t.lat), Incomplete: t.incomplete, Failed: t.failed})
	}

	var est [numKinds]int64
	counts := make([]MessageCounts, numKinds)
	for k := range numKinds {
		counts[k].Kind = k.String()
	}
	examples := 0
	for _, s := range r.subs {
		if s.lost && examples < 5 {
			// A few examples say more than a count when chasing a cause.
			examples++
			r.log.Warn("a live connection ended early", "kind", s.kind, "branch", s.branch, "messages", s.msgs,
				"after_s", s.endedAt.Sub(r.t0).Seconds(), "err", s.endErr)
		}
		est[s.kind]++
		c := &counts[s.kind]
		c.Subscribers++
		c.Messages += s.msgs
		c.Events += s.events
		c.Gaps += s.gaps
		if s.kind.branchChannel() {
			rep.subs = append(rep.subs, SubResult{Kind: s.kind, Branch: s.branch, SnapSeq: s.snapSeq,
				LastSeq: s.lastSeq.Load(), Events: s.events, Snapshots: s.snapshots, Gaps: s.gaps, Lost: s.lost})
		}
	}
	rep.Connections.ByKind = map[string][2]int64{}
	for k := range numKinds {
		rep.Connections.Attempted += r.attempted[k]
		rep.Connections.Established += est[k]
		if r.attempted[k] > 0 {
			rep.Connections.ByKind[k.String()] = [2]int64{r.attempted[k], est[k]}
		}
		if counts[k].Subscribers > 0 {
			rep.Totals.Messages = append(rep.Totals.Messages, counts[k])
		}
	}

	sv := rep.Server
	rep.Memory = MemoryResult{BeforeMB: sv.Before.RSSBytes / (1 << 20), Idle1MB: sv.Idle1.RSSBytes / (1 << 20),
		Idle2MB: sv.Idle2.RSSBytes / (1 << 20), Conns: int64(sv.Idle2.LiveConnections - sv.Before.LiveConnections)}
	if rep.Memory.Conns <= 0 {
		rep.Memory.Conns = rep.Connections.Established
	}
	rep.Memory.PerConnKB = PerConnKB(sv.Before.RSSBytes, sv.Idle2.RSSBytes, int(rep.Memory.Conns))
	rep.Memory.PerConnKB1 = PerConnKB(sv.Before.RSSBytes, sv.Idle1.RSSBytes, int(rep.Memory.Conns))
	rep.Slow = SlowResult{ServerDelta: sv.After.SlowDisconnects - sv.Before.SlowDisconnects, Client1013: r.slow1013.Load()}

	rep.Totals.SetupTickets = r.issuedSetup.Load()
	rep.Totals.TicketsIssued = rep.Totals.SetupTickets + r.issuedTraffic.Load()
	rep.Totals.MetricIssued = sv.After.TicketsIssued - sv.Before.TicketsIssued
	rep.Totals.NextCalled, rep.Totals.NextEmpty = r.nextOK.Load(), r.nextEmpty.Load()
	rep.Errors = r.errs.list()
}

// WriteTable writes the report as a table for people.
func (rep *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	o := rep.Options
	row := func(k, f string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(f, a...)) }
	row("seira load", "%s, %s, %d traffic branches, %v window", rep.URL, rep.Started.Format(time.RFC3339), o.Branches, o.Duration)
	row("open files (tool)", "soft %d, hard %d (soft was %d)", rep.NoFile.Soft, rep.NoFile.Hard, rep.NoFile.Was)
	row("tickets issued (201)", "%d in %.1f s = %.1f/s  [%s; skipped %d; issue p50 %.1f ms, p99 %.1f ms]",
		rep.Issue.Issued, rep.Issue.Seconds, rep.Issue.PerSecond, rep.Mode, rep.Issue.Skipped, rep.Issue.Latency.P50MS, rep.Issue.Latency.P99MS)
	row("GET /healthz (200)", "%d in %.1f s = %.1f/s  [%d workers; before the traffic window %.1f/s, after %.1f/s]",
		rep.Healthz.OK, rep.Healthz.Seconds, rep.Healthz.PerSecond, rep.Healthz.Workers, rep.Healthz.BeforePerSecond, rep.Healthz.AfterPerSecond)
	row("issue/healthz", "%.4f", rep.IssuePerHealthz)
	for _, l := range rep.Latency {
		row("call → last subscriber", "%s (%d subs): n=%d p50 %.1f ms, p99 %.1f ms, max %.1f ms  [incomplete %d, failed %d]",
			l.Name, l.Subscribers, l.Summary.N, l.Summary.P50MS, l.Summary.P99MS, l.Summary.MaxMS, l.Incomplete, l.Failed)
	}
	var kinds []string
	for _, k := range []Kind{KindDisplay, KindPhone, KindOffice, KindBig} {
		if v, ok := rep.Connections.ByKind[k.String()]; ok {
			kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, v[1], v[0]))
		}
	}
	row("connections", "attempted %d, established %d  [%s; all ready in %.1f s]", rep.Connections.Attempted,
		rep.Connections.Established, strings.Join(kinds, ", "), rep.Connections.ReadyS)
	row("server RSS", "before %.1f MB, idle %.1f then %.1f MB over %d conns = %.1f then %.1f KB per idle connection",
		rep.Memory.BeforeMB, rep.Memory.Idle1MB, rep.Memory.Idle2MB, rep.Memory.Conns, rep.Memory.PerConnKB1, rep.Memory.PerConnKB)
	// The server's own view of its broadcasts (from the hub taking the
	// event to the last subscriber's write), over the whole run.
	for _, class := range []string{"1-100", "101-1000", "1001+"} {
		h, ok := rep.Server.After.FanOut[class]
		if !ok {
			continue
		}
		p50, _ := h.Quantile(0.5)
		p99, ok := h.Quantile(0.99)
		if !ok {
			continue
		}
		row("server fan-out", "branches of %s subscribers: %.0f broadcasts, p50 %.1f ms, p99 %.1f ms (server histogram, interpolated)",
			class, h.Counts[len(h.Counts)-1], p50*1000, p99*1000)
	}
	row("slow-client disconnects", "server metric +%.0f, close 1013 seen by clients %d", rep.Slow.ServerDelta, rep.Slow.Client1013)
	if len(rep.Errors) == 0 {
		row("errors", "none")
	}
	for i, e := range rep.Errors {
		k := ""
		if i == 0 {
			k = "errors"
		}
		row(k, "%d × %s", e.Count, e.Kind)
	}
	logged := "not verified"
	if rep.Totals.LogIssued != nil {
		logged = fmt.Sprintf("%d", *rep.Totals.LogIssued)
	}
	row("tickets issued, total", "%d 201s (set-up %d, traffic %d); server log ticket.issued %s; metric +%.0f",
		rep.Totals.TicketsIssued, rep.Totals.SetupTickets, rep.Issue.Issued, logged, rep.Totals.MetricIssued)
	row("counter next", "%d called (200), %d empty (204)", rep.Totals.NextCalled, rep.Totals.NextEmpty)
	for i, m := range rep.Totals.Messages {
		k := ""
		if i == 0 {
			k = "live messages received"
		}
		row(k, "%s: %d messages, %d events, %d seq gaps (%d subscribers)", m.Kind, m.Messages, m.Events, m.Gaps, m.Subscribers)
	}
	row("drain", "%.1f s, %d branch subscribers still behind", rep.Drain.Seconds, rep.Drain.Behind)
	return tw.Flush()
}

// WriteJSON writes the report to file as indented JSON.
func (rep *Report) WriteJSON(file string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
