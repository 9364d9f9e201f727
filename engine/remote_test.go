package engine

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
)

// allowRemote sets the remote rules of a demo service.
func allowRemote(t testing.TB, f *fixture, svc string, rj *queue.RemoteJoin) {
	t.Helper()
	body := `{"remote_join":null}`
	if rj != nil {
		body = fmt.Sprintf(`{"remote_join":{"enabled":%v,"daily_cap":%d,"close_before_min":%d,"be_there_margin_min":%d}}`,
			rj.Enabled, rj.DailyCap, rj.CloseBeforeMin, rj.BeThereMarginMin)
	}
	if _, err := f.e.PatchService(ctx, "test", demo.BranchID, svc, []byte(body)); err != nil {
		t.Fatal(err)
	}
}

// wantRefused checks that err is remote_closed for reason.
func wantRefused(t testing.TB, err error, reason string) {
	t.Helper()
	var qe *queue.Error
	if !errors.As(err, &qe) || qe.Code != queue.CodeRemoteClosed || qe.Detail["reason"] != reason {
		t.Fatalf("got %v (%+v), want remote_closed for %s", err, qe, reason)
	}
}

func remote(f *fixture, svc string) (TicketInfo, error) {
	return f.e.IssueRemote(ctx, demo.BranchID, RemoteRequest{Service: svc, Lang: "en"})
}

func TestRemoteTicketIsAnOrdinaryTicketWithBeThereBy(t *testing.T) {
	f := newFixture(t) // Friday 09:00 in Athens
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true, DailyCap: 10, BeThereMarginMin: 5})
	f.open(t, "1")
	for range 6 {
		f.issue(t, "signatures", "")
	}
	f.clock.Add(17 * time.Second) // off the minute, to see the rounding
	now := f.clock.Now()
	info, err := remote(f, "signatures")
	if err != nil {
		t.Fatal(err)
	}
	tk := info.Ticket
	if tk.Source != queue.SourceRemote || tk.Number != "B007" || tk.State != queue.StateWaiting || tk.Lang != "en" || tk.Device != RemoteActor {
		t.Fatalf("remote ticket %+v", tk)
	}
	if info.Position != 7 || info.Wait < 10*time.Minute || info.Unstaffed {
		t.Fatalf("position %d, wait %v, unstaffed %v", info.Position, info.Wait, info.Unstaffed)
	}
	// Be there 5 minutes before the expected call, on the minute before.
	want := now.Add(info.Wait - 5*time.Minute).Truncate(time.Minute)
	if !tk.BeThereBy.Equal(want) || tk.BeThereBy.Second() != 0 {
		t.Fatalf("be there by %v, want %v (issued %v, wait %v)", tk.BeThereBy, want, now, info.Wait)
	}
	// It survives in the store as it was told.
	again, err := f.e.TicketByToken(ctx, tk.Token)
	if err != nil || !again.Ticket.BeThereBy.Equal(tk.BeThereBy) || again.Ticket.Source != queue.SourceRemote {
		t.Fatalf("read back %+v, %v", again.Ticket, err)
	}
	// The issue event is an ordinary one: the displays and stats see a
	// ticket like any other.
	evs := f.events()
	if last := evs[len(evs)-1]; last.Type != queue.EvIssued || last.Ticket != tk.ID {
		t.Fatalf("last event %+v", last)
	}
	// It is called in its turn like any other ticket.
	for i := range 6 {
		if got := f.next(t, "1"); got.Number != fmt.Sprintf("B%03d", i+1) {
			t.Fatalf("call %d: %s", i, got.Number)
		}
	}
	if got := f.next(t, "1"); got.ID != tk.ID || got.Source != queue.SourceRemote {
		t.Fatalf("7th call %+v, want the remote ticket", got)
	}
	// Its holder did not come: the office's no-show, as for anyone.
	res, err := f.e.NoShow(ctx, demo.BranchID, "1", "clerk1")
	if err != nil || res.Ticket.ID != tk.ID || res.Ticket.State != queue.StateNoShow {
		t.Fatalf("no-show: %+v, %v", res.Ticket, err)
	}
}

func TestRemoteBeThereByNeverBeforeTheIssue(t *testing.T) {
	f := newFixture(t)
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true, BeThereMarginMin: 60})
	f.open(t, "1")
	f.clock.Add(42 * time.Second)
	info, err := remote(f, "signatures")
	if err != nil {
		t.Fatal(err)
	}
	if !info.Ticket.BeThereBy.Equal(f.clock.Now()) {
		t.Fatalf("be there by %v, issued %v: a margin longer than the wait means now", info.Ticket.BeThereBy, f.clock.Now())
	}
}

func TestBeThereBy(t *testing.T) {
	at := time.Date(2026, 11, 27, 7, 3, 40, 0, time.UTC)
	for _, c := range []struct {
		wait, margin time.Duration
		want         time.Time
	}{
		{30 * time.Minute, 10 * time.Minute, time.Date(2026, 11, 27, 7, 23, 0, 0, time.UTC)},
		{10*time.Minute + 30*time.Second, 0, time.Date(2026, 11, 27, 7, 14, 0, 0, time.UTC)},
		{5 * time.Minute, 10 * time.Minute, at},
		{0, 0, at}, // rounding down would be before the issue
	} {
		if got := BeThereBy(at, c.wait, c.margin); !got.Equal(c.want) {
			t.Errorf("wait %v margin %v: %v, want %v", c.wait, c.margin, got, c.want)
		}
	}
}

func TestRemoteRefusals(t *testing.T) {
	on := &queue.RemoteJoin{Enabled: true, DailyCap: 2, CloseBeforeMin: 30}
	for _, c := range []struct {
		name   string
		setup  func(t *testing.T, f *fixture)
		reason string
	}{
		{"no remote rules", func(t *testing.T, f *fixture) { allowRemote(t, f, "signatures", nil) }, RemoteNotAllowed},
		{"disabled", func(t *testing.T, f *fixture) {
			allowRemote(t, f, "signatures", &queue.RemoteJoin{DailyCap: 5})
		}, RemoteNotAllowed},
		{"service closed", func(t *testing.T, f *fixture) {
			if _, err := f.e.PatchService(ctx, "test", demo.BranchID, "signatures", []byte(`{"open":false}`)); err != nil {
				t.Fatal(err)
			}
		}, RemoteClosed},
		{"office closed", func(t *testing.T, f *fixture) {
			setHours(t, f, queue.Hours{"fri": {{From: "10:00", To: "15:00"}}})
		}, RemoteClosed},
		{"within the window before closing", func(t *testing.T, f *fixture) {
			setHours(t, f, queue.Hours{"fri": {{From: "08:00", To: "09:30"}}}) // 09:00 now: 30 min left
		}, RemoteClosingSoon},
		{"no counter open", func(t *testing.T, f *fixture) {}, RemoteUnstaffed},
		{"only a paused counter", func(t *testing.T, f *fixture) {
			f.open(t, "1")
			if _, err := f.e.PauseCounter(ctx, demo.BranchID, "1", "clerk1"); err != nil {
				t.Fatal(err)
			}
		}, RemoteUnstaffed},
		{"only counters of other services", func(t *testing.T, f *fixture) { f.open(t, "4") }, RemoteUnstaffed},
		{"cap reached", func(t *testing.T, f *fixture) {
			f.open(t, "1")
			for range 2 {
				if _, err := remote(f, "signatures"); err != nil {
					t.Fatal(err)
				}
			}
		}, RemoteCapReached},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			allowRemote(t, f, "signatures", on)
			c.setup(t, f)
			before, _ := f.e.LastSeq(ctx, demo.BranchID)
			_, err := remote(f, "signatures")
			wantRefused(t, err, c.reason)
			// A refusal writes nothing.
			if after, _ := f.e.LastSeq(ctx, demo.BranchID); after != before {
				t.Fatalf("events %d → %d after a refusal", before, after)
			}
			snap, err := f.e.Snapshot(ctx, demo.BranchID)
			if err != nil {
				t.Fatal(err)
			}
			if s := serviceState(snap, "signatures"); s.RemoteJoin {
				t.Fatalf("the snapshot offers remote joining where it is refused")
			}
		})
	}
}

func setHours(t *testing.T, f *fixture, h queue.Hours) {
	t.Helper()
	cfg := demoConfig(t, f)
	cfg.Hours = h
	if _, err := f.e.UpdateBranch(ctx, "test", cfg); err != nil {
		t.Fatal(err)
	}
}

func serviceState(s Snapshot, id string) ServiceState {
	for _, st := range s.Services {
		if st.Service.ID == id {
			return st
		}
	}
	return ServiceState{}
}

func TestRemoteWindowBeforeClosing(t *testing.T) {
	f := newFixture(t) // 09:00
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true, CloseBeforeMin: 30})
	setHours(t, f, queue.Hours{"fri": {{From: "08:00", To: "09:31"}}})
	f.open(t, "1")
	snap, _ := f.e.Snapshot(ctx, demo.BranchID)
	if !serviceState(snap, "signatures").RemoteJoin {
		t.Fatal("31 minutes before closing: the snapshot should offer remote joining")
	}
	if _, err := remote(f, "signatures"); err != nil {
		t.Fatalf("31 minutes before closing: %v", err)
	}
	f.clock.Add(time.Minute)
	_, err := remote(f, "signatures")
	wantRefused(t, err, RemoteClosingSoon)
	// Walk-ins are still served until closing.
	f.issue(t, "signatures", "")
}

func TestRemoteRefusedWhenTheTurnComesAfterTheCountersClose(t *testing.T) {
	f := newFixture(t) // 09:00
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true})
	c1, err := f.e.Counter(ctx, demo.BranchID, "1")
	if err != nil {
		t.Fatal(err)
	}
	c1.Schedules = []queue.Schedule{{Days: []string{"fri"}, Opens: "08:00", Closes: "09:10"}}
	if err := putCounter(f, c1); err != nil {
		t.Fatal(err)
	}
	f.open(t, "1")
	for range 10 { // 30 minutes of work for a counter that closes in 10
		f.issue(t, "signatures", "")
	}
	_, err = remote(f, "signatures")
	wantRefused(t, err, RemoteClosingSoon)
}

func TestRemoteCapIsPerServiceDay(t *testing.T) {
	f := newFixture(t)
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true, DailyCap: 1})
	allowRemote(t, f, "certificates", &queue.RemoteJoin{Enabled: true, DailyCap: 1})
	f.open(t, "1")
	if _, err := remote(f, "signatures"); err != nil {
		t.Fatal(err)
	}
	_, err := remote(f, "signatures")
	wantRefused(t, err, RemoteCapReached)
	// Walk-ins do not count against it, nor it against them.
	f.issue(t, "signatures", "")
	if _, err := remote(f, "certificates"); err != nil {
		t.Fatalf("another service's cap: %v", err)
	}
	// The next service day starts afresh (the counter opens again: the
	// turn of the day closes nothing, but the clerk signs in anew).
	f.clock.Add(24 * time.Hour)
	if err := f.e.Tick(ctx, demo.BranchID); err != nil {
		t.Fatal(err)
	}
	if _, err := remote(f, "signatures"); err != nil {
		t.Fatalf("the next day: %v", err)
	}
}

func TestRemoteOnceYieldsOneTicket(t *testing.T) {
	f := newFixture(t)
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true, DailyCap: 2})
	f.open(t, "1")
	req := RemoteRequest{Service: "signatures", Once: "remote/abc"}
	a, err := f.e.IssueRemote(ctx, demo.BranchID, req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.e.IssueRemote(ctx, demo.BranchID, req)
	if err != nil || b.Ticket.ID != a.Ticket.ID {
		t.Fatalf("retry: %v, ticket %d, want %d", err, b.Ticket.ID, a.Ticket.ID)
	}
	// The retry took no place of the cap: one more is still there.
	if _, err := remote(f, "signatures"); err != nil {
		t.Fatalf("second place: %v", err)
	}
}

// TestRemoteCapUnderConcurrency: many citizens asking at once for the
// last places never get more than the cap between them.
func TestRemoteCapUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	const cap, tries = 5, 60
	allowRemote(t, f, "signatures", &queue.RemoteJoin{Enabled: true, DailyCap: cap})
	f.open(t, "1", "2")
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, tries)
	ids := make(chan uint64, tries)
	for range tries {
		wg.Go(func() {
			<-start
			info, err := remote(f, "signatures")
			if err != nil {
				errs <- err
				return
			}
			ids <- info.Ticket.ID
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	close(ids)
	seen := map[uint64]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != cap {
		t.Fatalf("%d remote tickets issued, want exactly the cap %d", len(seen), cap)
	}
	n := 0
	for err := range errs {
		wantRefused(t, err, RemoteCapReached)
		n++
	}
	if n != tries-cap {
		t.Fatalf("%d refusals, want %d", n, tries-cap)
	}
	snap, _ := f.e.Snapshot(ctx, demo.BranchID)
	if st := serviceState(snap, "signatures"); st.RemoteJoin || st.Waiting != cap {
		t.Fatalf("after the cap: remote join %v, waiting %d", st.RemoteJoin, st.Waiting)
	}
}

func TestRemoteSettingsAreValidated(t *testing.T) {
	f := newFixture(t)
	for _, body := range []string{
		`{"remote_join":{"enabled":true,"daily_cap":-1}}`,
		`{"remote_join":{"enabled":true,"close_before_min":-5}}`,
		`{"remote_join":{"enabled":true,"be_there_margin_min":-1}}`,
		`{"remote_join":{"enabled":true,"be_there_margin_min":100000}}`,
	} {
		_, err := f.e.PatchService(ctx, "test", demo.BranchID, "signatures", []byte(body))
		wantCode(t, err, queue.CodeValidation)
	}
	svc, err := f.e.PatchService(ctx, "test", demo.BranchID, "signatures",
		[]byte(`{"remote_join":{"enabled":true,"daily_cap":40,"close_before_min":30,"be_there_margin_min":10}}`))
	if err != nil || svc.RemoteJoin == nil || *svc.RemoteJoin != (queue.RemoteJoin{Enabled: true, DailyCap: 40, CloseBeforeMin: 30, BeThereMarginMin: 10}) {
		t.Fatalf("patched %+v, %v", svc.RemoteJoin, err)
	}
	// A merge patch changes one field and keeps the others.
	svc, err = f.e.PatchService(ctx, "test", demo.BranchID, "signatures", []byte(`{"remote_join":{"daily_cap":5}}`))
	if err != nil || svc.RemoteJoin.DailyCap != 5 || svc.RemoteJoin.CloseBeforeMin != 30 || !svc.RemoteJoin.Enabled {
		t.Fatalf("merged %+v, %v", svc.RemoteJoin, err)
	}
}
