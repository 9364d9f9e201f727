package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/internal/apiclient"
	"github.com/seira-queue/seira/internal/etcdtest"
	"github.com/seira-queue/seira/internal/linearize"
	"github.com/seira-queue/seira/queue"
)

// scenario is what one run does.
type scenario struct {
	kills       int // etcd leader kills, each followed by a restart
	subscribers int
	kiosks      int
	clerks      []string // counters that serve the service
	interval    time.Duration
}

func scenarioFromEnv(t *testing.T) scenario {
	s := scenario{kills: 1, subscribers: 1000, kiosks: 4, clerks: []string{"1", "2", "4"}, interval: 100 * time.Millisecond}
	if v := os.Getenv("SEIRA_FAULT_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SEIRA_FAULT_KILLS=%q: want a positive number", v)
		}
		s.kills = n
	}
	if v := os.Getenv("SEIRA_FAULT_SUBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("SEIRA_FAULT_SUBS=%q: want a number", v)
		}
		s.subscribers = n
	}
	return s
}

// TestFaults runs three seira instances on a three-member etcd cluster of
// processes under load, kills the etcd leader (and restarts it), kills a
// seira instance, pauses a member, and checks that nothing was lost,
// duplicated or reordered, and that the history is linearizable.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six processes; run without -short")
	}
	sc := scenarioFromEnv(t)
	cluster := etcdtest.StartProcs(t, 3)
	const password = "faults-admin-password"
	var insts []*instance
	for range 3 {
		// One at a time: the first sets the office up.
		insts = append(insts, startInstance(t, cluster.Endpoints(), password))
	}
	urls := make([]string, len(insts))
	for i, in := range insts {
		urls[i] = in.URL
	}
	ctx := context.Background()
	session := apiclient.New(urls[0], apiclient.Options{Timeout: 10 * time.Second})
	if err := session.Login(ctx, "admin", password); err != nil {
		t.Fatal(err)
	}
	fl := newFleet(session, urls)
	for i, c := range sc.clerks {
		// Each counter opened through another instance: the session is
		// the cluster's, not one instance's.
		cl, _ := fl.pick(i)
		if _, err := cl.Do(ctx, http.MethodPost, "/api/v1/branches/"+branch+"/counters/"+c+"/open", "open", nil, nil); err != nil {
			t.Fatal(err)
		}
	}

	// Subscribers first, spread over the instances.
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 256}
	subs := make([]*subscriber, sc.subscribers)
	var subWG sync.WaitGroup
	for i := range subs {
		subs[i] = &subscriber{id: i}
		subWG.Go(func() { subs[i].follow(subCtx, fl, dialer) })
	}

	rec := newRecorder()
	var errs errorLog
	loadCtx, stopLoad := context.WithCancel(ctx)
	var loadWG sync.WaitGroup
	for k := range sc.kiosks {
		loadWG.Go(func() { kiosk(loadCtx, k, fl, rec, sc.interval, &errs) })
	}
	for i, c := range sc.clerks {
		loadWG.Go(func() { clerk(loadCtx, 100+i, c, fl, rec, sc.interval, &errs) })
	}

	// The faults, one after the other, with load running throughout.
	var kills []time.Time
	settle := func() { time.Sleep(2 * time.Second) }
	settle()
	for n := range sc.kills {
		// Right after a restart the cluster may still be electing: a
		// bounded wait for the members to agree on a leader.
		leader := cluster.Leader(ctx)
		for deadline := time.Now().Add(30 * time.Second); leader < 0 && time.Now().Before(deadline); leader = cluster.Leader(ctx) {
			time.Sleep(100 * time.Millisecond)
		}
		if leader < 0 {
			t.Fatalf("kill %d: no leader in 30 s", n+1)
		}
		cluster.Kill(leader)
		kills = append(kills, time.Now())
		t.Logf("kill %d: etcd member %d (the leader) killed", n+1, leader+1)
		settle()
		if err := cluster.Restart(leader); err != nil {
			t.Fatalf("restart member %d: %v", leader+1, err)
		}
		settle()
	}
	insts[2].kill()
	fl.down(2)
	t.Log("seira instance 3 killed")
	settle()
	paused := (cluster.Leader(ctx) + 1) % 3
	cluster.Pause(paused)
	t.Logf("etcd member %d paused", paused+1)
	settle()
	cluster.Resume(paused)
	settle()
	stopLoad()
	loadWG.Wait()
	if err := errs.err(); err != nil {
		t.Errorf("unexpected client errors: %v", err)
	}

	// The log as the cluster holds it, read from a surviving instance.
	evs := allEvents(t, fl)
	last := evs[len(evs)-1].Seq
	checkLog(t, evs, rec)

	// Every subscriber ends at the last event, with no gap on the way.
	deadline := time.Now().Add(60 * time.Second)
	behind := 0
	for _, s := range subs {
		for s.last.Load() < last && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if s.last.Load() != last {
			behind++
		}
	}
	stopSubs()
	subWG.Wait()
	var gaps, resumes int64
	for _, s := range subs {
		gaps += s.gaps.Load()
		resumes += s.resumes.Load()
		if g := s.gaps.Load(); g > 0 {
			t.Errorf("subscriber %d: %d gaps, first: %v", s.id, g, s.firstGap.Load())
		}
	}
	if behind > 0 {
		t.Errorf("%d of %d subscribers did not reach event %d", behind, len(subs), last)
	}

	res := linearize.Check(rec.ops, 5*time.Minute)
	if !res.OK {
		path := t.TempDir() + "/history.html"
		_ = linearize.Visualize(rec.ops, res, path)
		t.Errorf("the history is not linearizable (unknown: %v); visualisation: %s", res.Unknown, path)
	}

	report := map[string]any{
		"leader_kills": len(kills), "ops": len(rec.ops), "acknowledged_issues": len(rec.acked),
		"calls_answered": len(rec.called), "events": last, "subscribers": len(subs),
		"subscriber_resumes": resumes, "subscriber_gaps": gaps, "linearizable": res.OK, "porcupine_ms": res.Elapsed.Milliseconds(),
		"longest_write_gap_around_leader_kill_ms": longestGap(rec, kills).Milliseconds(),
	}
	out, _ := json.MarshalIndent(report, "", "  ")
	t.Logf("report:\n%s", out)
	if p := os.Getenv("SEIRA_FAULT_REPORT"); p != "" {
		_ = os.WriteFile(p, out, 0o644)
	}
}

// allEvents reads the branch's whole event log.
func allEvents(t *testing.T, fl *fleet) []queue.Event {
	t.Helper()
	c, _ := fl.pick(0)
	var all []queue.Event
	var since uint64
	for {
		var page struct {
			Events []queue.Event `json:"events"`
			More   bool          `json:"more"`
		}
		path := fmt.Sprintf("/api/v1/branches/%s/events?since=%d&limit=5000", branch, since)
		if _, err := c.Do(context.Background(), http.MethodGet, path, "events", nil, &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Events...)
		if !page.More || len(page.Events) == 0 {
			break
		}
		since = page.Events[len(page.Events)-1].Seq
	}
	if len(all) == 0 {
		t.Fatal("no events")
	}
	return all
}

// checkLog: the event log's seqs are 1…n, the service's numbers 1…m,
// every acknowledged ticket is in it, and no ticket was called twice.
func checkLog(t *testing.T, evs []queue.Event, rec *recorder) {
	t.Helper()
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d: the log has a gap or a repeat", i+1, ev.Seq)
		}
	}
	var issued []int
	called := map[int]int{}
	for _, ev := range evs {
		if ev.Service != service {
			continue
		}
		n, err := numberOf(ev.Number)
		if err != nil {
			continue
		}
		switch ev.Type {
		case queue.EvIssued:
			issued = append(issued, n)
		case queue.EvCalled:
			called[n]++
		}
	}
	slices.Sort(issued)
	for i, n := range issued {
		if n != i+1 {
			t.Fatalf("numbers issued: %d where %d was due: a gap or a repeat", n, i+1)
		}
	}
	have := map[int]bool{}
	for _, n := range issued {
		have[n] = true
	}
	lost := 0
	for n := range rec.acked {
		if !have[n] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged tickets are not in the log", lost)
	}
	for n, k := range called {
		if k > 1 {
			t.Errorf("ticket %d called %d times", n, k)
		}
	}
	for n, k := range rec.called {
		if k > 1 {
			t.Errorf("clerks were told %d times that they called ticket %d", k, n)
		}
		if called[n] == 0 {
			t.Errorf("a clerk was told it called ticket %d, which the log never called", n)
		}
	}
	t.Logf("log: %d events, %d tickets issued, %d called", len(evs), len(issued), len(called))
}

// longestGap is, over the leader kills, the longest time between the last
// write answered before a kill and the first answered after it.
func longestGap(rec *recorder, kills []time.Time) time.Duration {
	rec.mu.Lock()
	ws := slices.Clone(rec.writes)
	rec.mu.Unlock()
	slices.SortFunc(ws, func(a, b time.Time) int { return a.Compare(b) })
	var worst time.Duration
	for _, k := range kills {
		i, _ := slices.BinarySearchFunc(ws, k, func(a, b time.Time) int { return a.Compare(b) })
		if i > 0 && i < len(ws) {
			worst = max(worst, ws[i].Sub(ws[i-1]))
		}
	}
	return worst
}
