package load

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/queue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// logOf reads branch's whole event log from the engine.
func logOf(t *testing.T, env *apptest.Env, branch string) []queue.Event {
	t.Helper()
	var all []queue.Event
	var after uint64
	for {
		evs, more, err := env.App.Engine.EventsSince(context.Background(), branch, after, 5000)
		if err != nil {
			t.Fatalf("events of %s: %v", branch, err)
		}
		all = append(all, evs...)
		if len(evs) > 0 {
			after = evs[len(evs)-1].Seq
		}
		if !more || len(evs) == 0 {
			return all
		}
	}
}

// TestRunAgreesWithServerLog runs a small mix against an in-process
// server and checks the tool's counts against the server's own log: every
// 201 the tool counted is a ticket.issued event and the other way round,
// and every branch subscriber received exactly the events logged after
// its snapshot, in order.
func TestRunAgreesWithServerLog(t *testing.T) {
	env := apptest.Start(t)
	opts := DefaultOptions()
	opts.URL, opts.Password = env.URL, apptest.AdminPassword
	opts.Branches, opts.Subs, opts.Office, opts.Samples = 2, 20, 5, 10
	opts.Duration, opts.IssueRate = 5*time.Second, 30
	opts.HealthzDuration, opts.HealthzConc, opts.IdleWait = time.Second, 4, 100*time.Millisecond
	if testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	rep, err := Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%s", table.String())
	checkJSON(t, rep)

	logs := map[string][]queue.Event{}
	var issued int64
	for _, b := range []string{"load-1", "load-2", "load-office"} {
		logs[b] = logOf(t, env, b)
		for _, ev := range logs[b] {
			if ev.Type == queue.EvIssued {
				issued++
			}
		}
	}
	if rep.Totals.TicketsIssued != issued {
		t.Errorf("the tool counted %d tickets issued, the server logged %d", rep.Totals.TicketsIssued, issued)
	}
	if rep.Totals.LogIssued == nil || *rep.Totals.LogIssued != issued {
		t.Errorf("the tool's own verification found %v ticket.issued events, want %d", rep.Totals.LogIssued, issued)
	}
	if rep.Issue.Issued == 0 || rep.Totals.SetupTickets != rep.Totals.TicketsIssued-rep.Issue.Issued {
		t.Errorf("issued: traffic %d, set-up %d, total %d", rep.Issue.Issued, rep.Totals.SetupTickets, rep.Totals.TicketsIssued)
	}
	// The metric is read from before the subscribers connected, after
	// most of the set-up's tickets (the latency counter may need more).
	if m := rep.Totals.MetricIssued; m < float64(rep.Issue.Issued) || m > float64(issued) {
		t.Errorf("seira_tickets_issued_total grew by %v, want %d to %d", m, rep.Issue.Issued, issued)
	}

	if got, want := rep.Connections.Established, int64(opts.Subs+opts.Office); got != want {
		t.Errorf("established %d connections, want %d", got, want)
	}
	if len(rep.subs) != opts.Subs/2+opts.Office {
		t.Fatalf("%d branch subscribers, want %d", len(rep.subs), opts.Subs/2+opts.Office)
	}
	for i, s := range rep.subs {
		evs := logs[s.Branch]
		final := evs[len(evs)-1].Seq
		var after int64
		for _, ev := range evs {
			if ev.Seq > s.SnapSeq {
				after++
			}
		}
		if s.Events != after || s.LastSeq != final || s.Gaps != 0 || s.Snapshots != 0 || s.Lost {
			t.Errorf("subscriber %d of %s (%s): snapshot at seq %d, received %d events up to seq %d (gaps %d, snapshots %d, lost %v); the log has %d events after it, up to seq %d",
				i, s.Branch, s.Kind, s.SnapSeq, s.Events, s.LastSeq, s.Gaps, s.Snapshots, s.Lost, after, final)
		}
	}
	var phoneEvents int64
	for _, m := range rep.Totals.Messages {
		if m.Kind == "phone" {
			phoneEvents = m.Events
		}
	}
	if phoneEvents == 0 {
		t.Errorf("phones received no event: %+v", rep.Totals.Messages)
	}
	if len(rep.Latency) != 1 || rep.Latency[0].Summary.N < opts.Samples || rep.Latency[0].Subscribers != int64(opts.Office) {
		t.Errorf("latency: %+v", rep.Latency)
	}
	if rep.Healthz.OK == 0 || rep.IssuePerHealthz <= 0 {
		t.Errorf("healthz: %+v, ratio %v", rep.Healthz, rep.IssuePerHealthz)
	}
	// The baseline is two halves, and its rate is their weighted mean.
	h := rep.Healthz
	if lo, hi := min(h.BeforePerSecond, h.AfterPerSecond), max(h.BeforePerSecond, h.AfterPerSecond); lo <= 0 || h.PerSecond < lo*0.999 || h.PerSecond > hi*1.001 {
		t.Errorf("healthz halves: before %.1f/s, after %.1f/s, whole %.1f/s", h.BeforePerSecond, h.AfterPerSecond, h.PerSecond)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
	if rep.Memory.BeforeMB <= 0 || rep.Memory.Conns != int64(opts.Subs+opts.Office) {
		t.Errorf("memory: %+v", rep.Memory)
	}
}

func TestRunRefusesRemoteServers(t *testing.T) {
	opts := DefaultOptions()
	opts.URL, opts.Password = "http://192.0.2.1:8080", "x"
	if _, err := Run(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("run against 192.0.2.1: %v", err)
	}
}

// checkJSON writes rep as the -json flag does and reads it back: the
// server's histograms end in a +Inf bucket, which JSON cannot carry as a
// number.
func checkJSON(t *testing.T, rep *Report) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "report.json")
	if err := rep.WriteJSON(file); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("reading the JSON report back: %v", err)
	}
	if back.Totals.TicketsIssued != rep.Totals.TicketsIssued || back.IssuePerHealthz != rep.IssuePerHealthz {
		t.Errorf("JSON report: totals %+v, ratio %v; want %+v, %v", back.Totals, back.IssuePerHealthz, rep.Totals, rep.IssuePerHealthz)
	}
	if len(back.Server.After.FanOut) == 0 || len(rep.Server.After.FanOut) != len(back.Server.After.FanOut) {
		t.Fatalf("JSON report lost the fan-out histograms: %+v", back.Server.After.FanOut)
	}
	for class, want := range rep.Server.After.FanOut {
		got := back.Server.After.FanOut[class]
		if n := len(want.Upper); n == 0 || !math.IsInf(got.Upper[n-1], 1) || !slices.Equal(got.Counts, want.Counts) {
			t.Errorf("fan-out %s after JSON: %+v, want %+v", class, got, want)
		}
	}
}
