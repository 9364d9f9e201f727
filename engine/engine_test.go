package engine

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

var ctx = context.Background()

func TestIssueNumbersPerServiceAndDay(t *testing.T) {
	f := newFixture(t)
	f.open(t, "1") // one counter: every ticket waits for the one before
	a1 := f.issue(t, "certificates", "")
	f.clock.Add(time.Second)
	a2 := f.issue(t, "certificates", "")
	f.clock.Add(time.Second)
	b1 := f.issue(t, "signatures", "")
	f.clock.Add(time.Second)
	g1 := f.issue(t, "applications", "")
	for _, c := range []struct {
		got  TicketInfo
		want string
	}{{a1, "A001"}, {a2, "A002"}, {b1, "B001"}, {g1, "C001"}} {
		if c.got.Ticket.Number != c.want {
			t.Errorf("number %s, want %s", c.got.Ticket.Number, c.want)
		}
		if c.got.Ticket.State != queue.StateWaiting || c.got.Ticket.Day != "2026-11-27" {
			t.Errorf("ticket %+v", c.got.Ticket)
		}
		if !ValidToken(c.got.Ticket.Token) {
			t.Errorf("token %q is malformed", c.got.Ticket.Token)
		}
	}
	if a1.Ticket.Token == a2.Ticket.Token {
		t.Error("two tickets share a token")
	}
	if a1.Position != 1 || a2.Position != 2 {
		t.Errorf("positions %d, %d", a1.Position, a2.Position)
	}
	// Counter 1 serves certificates and signatures, which compete: B001
	// has A001 and A002 ahead of it.
	if b1.Position != 3 {
		t.Errorf("B001 position %d, want 3", b1.Position)
	}
	// Counter 1 calls A001 at once, A002 after A001's 4 minutes, B001
	// after A002's.
	if a1.Wait != 0 || a2.Wait != 4*time.Minute || b1.Wait != 8*time.Minute {
		t.Errorf("estimates %v, %v, %v; want 0, 4m, 8m", a1.Wait, a2.Wait, b1.Wait)
	}
}

func TestCounterFlowAndEvents(t *testing.T) {
	f := newFixture(t)
	a1 := f.issue(t, "certificates", "")
	f.issue(t, "signatures", "")
	f.open(t, "1")
	if got := f.next(t, "1"); got.Number != "A001" || got.State != queue.StateCalled || got.Counter != "1" {
		t.Fatalf("called %+v", got)
	}
	info, err := f.e.TicketByToken(ctx, a1.Ticket.Token)
	if err != nil || info.Position != 0 || info.Ticket.State != queue.StateCalled || info.Counter.ID != "1" {
		t.Fatalf("by token: %+v, %v", info, err)
	}
	f.clock.Add(30 * time.Second)
	if _, err := f.e.Recall(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Start(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(4 * time.Minute)
	res, err := f.e.Done(ctx, "demo", "1", "clerk1")
	if err != nil || res.Ticket.State != queue.StateDone || res.Counter.Current != 0 {
		t.Fatalf("done: %+v, %v", res, err)
	}
	// Next while a ticket is current finishes it as done in the same step.
	b := f.next(t, "1")
	if b.Number != "B001" {
		t.Fatalf("called %s", b.Number)
	}
	if got := f.next(t, "1"); got.ID != 0 {
		t.Fatalf("called %+v from an empty queue", got)
	}
	snap, err := f.e.Snapshot(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, ev := range f.events() {
		if ev.Seq != f.setup+uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		types = append(types, string(ev.Type))
	}
	want := "ticket.issued ticket.issued counter.opened ticket.called ticket.recalled ticket.started ticket.done ticket.called ticket.done"
	if strings.Join(types, " ") != want {
		t.Fatalf("events:\n%s\nwant\n%s", strings.Join(types, " "), want)
	}
	if snap.Seq != f.setup+9 || len(snap.RecentCalls) != 3 || snap.RecentCalls[0].Number != "B001" {
		t.Fatalf("snapshot seq %d recent %+v", snap.Seq, snap.RecentCalls)
	}
	stored, more, err := f.e.EventsSince(ctx, "demo", f.setup+6, 2)
	if err != nil || !more || len(stored) != 2 || stored[0].Seq != f.setup+7 || stored[1].Type != queue.EvCalled {
		t.Fatalf("events since 6: %+v more=%v err=%v", stored, more, err)
	}
	for _, ev := range f.pub.all() {
		if ev.Ticket != 0 && bytes.Contains([]byte(ev.Number+ev.Actor+ev.Service), []byte(a1.Ticket.Token)) {
			t.Fatal("an event carries a token")
		}
	}
}

func TestBadInputGivesTypedErrors(t *testing.T) {
	f := newFixture(t)
	_, err := f.e.Issue(ctx, "demo", IssueRequest{Service: "nope"})
	wantCode(t, err, queue.CodeNotFound)
	_, err = f.e.Issue(ctx, "nowhere", IssueRequest{Service: "certificates"})
	wantCode(t, err, queue.CodeNotFound)
	_, err = f.e.Issue(ctx, "demo", IssueRequest{})
	wantCode(t, err, queue.CodeValidation)
	_, err = f.e.Issue(ctx, "demo", IssueRequest{Service: "certificates", Priority: "vip"})
	wantCode(t, err, queue.CodeValidation)
	_, err = f.e.Issue(ctx, "demo", IssueRequest{Service: "certificates", Lang: "el-GR!"})
	wantCode(t, err, queue.CodeValidation)
	_, err = f.e.Issue(ctx, "demo", IssueRequest{Service: "certificates", IdempotencyKey: strings.Repeat("k", 200)})
	wantCode(t, err, queue.CodeValidation)

	svc := mustService(t, f, "applications")
	svc.Open = false
	if err := putService(f, svc); err != nil {
		t.Fatal(err)
	}
	_, err = f.e.Issue(ctx, "demo", IssueRequest{Service: "applications"})
	wantCode(t, err, queue.CodeServiceClosed)

	_, err = f.e.CallNext(ctx, "demo", "1", "c")
	wantCode(t, err, queue.CodeInvalidTransition) // closed counter
	_, err = f.e.CallNext(ctx, "demo", "99", "c")
	wantCode(t, err, queue.CodeNotFound)
	f.open(t, "1")
	for _, act := range []func(context.Context, string, string, string) (CounterResult, error){f.e.Recall, f.e.Start, f.e.Done, f.e.NoShow} {
		_, err = act(ctx, "demo", "1", "clerk1")
		wantCode(t, err, queue.CodeInvalidTransition) // empty counter
	}
	_, err = f.e.Transfer(ctx, "demo", "1", "signatures", "clerk1")
	wantCode(t, err, queue.CodeInvalidTransition)

	a := f.issue(t, "certificates", "")
	f.next(t, "1")
	_, err = f.e.Cancel(ctx, a.Ticket.Token)
	wantCode(t, err, queue.CodeInvalidTransition) // already called
	_, err = f.e.Transfer(ctx, "demo", "1", "certificates", "clerk1")
	wantCode(t, err, queue.CodeValidation) // same service
	_, err = f.e.Transfer(ctx, "demo", "1", "applications", "clerk1")
	wantCode(t, err, queue.CodeServiceClosed)
	_, err = f.e.Transfer(ctx, "demo", "1", "ghost", "clerk1")
	wantCode(t, err, queue.CodeNotFound)
	if _, err := f.e.Start(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatal(err)
	}
	_, err = f.e.NoShow(ctx, "demo", "1", "clerk1")
	wantCode(t, err, queue.CodeInvalidTransition) // serving → no_show
	_, err = f.e.Recall(ctx, "demo", "1", "clerk1")
	wantCode(t, err, queue.CodeInvalidTransition)

	_, err = f.e.TicketByToken(ctx, "short")
	wantCode(t, err, queue.CodeNotFound)
	_, err = f.e.TicketByToken(ctx, strings.Repeat("A", TokenLen))
	wantCode(t, err, queue.CodeNotFound)
	// A token with a real reference but a wrong secret finds nothing.
	forged := a.Ticket.Token[:11] + strings.Repeat("A", TokenLen-11)
	_, err = f.e.TicketByToken(ctx, forged)
	wantCode(t, err, queue.CodeNotFound)
	_, err = f.e.Cancel(ctx, "../../etc/passwd")
	wantCode(t, err, queue.CodeNotFound)

	_, err = f.e.OpenCounter(ctx, "demo", "1", "intruder")
	wantCode(t, err, queue.CodeConflict) // held by clerk1
	_, err = f.e.PauseCounter(ctx, "demo", "2", "c")
	wantCode(t, err, queue.CodeInvalidTransition) // closed
}

func mustService(t *testing.T, f *fixture, id string) queue.Service {
	t.Helper()
	snap, err := f.e.Snapshot(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snap.Services {
		if s.Service.ID == id {
			return s.Service
		}
	}
	t.Fatalf("no service %s", id)
	return queue.Service{}
}

func TestDailyLimit(t *testing.T) {
	f := newFixture(t)
	svc := mustService(t, f, "signatures")
	svc.DailyLimit = 2
	if err := putService(f, svc); err != nil {
		t.Fatal(err)
	}
	f.issue(t, "signatures", "")
	f.issue(t, "signatures", "")
	_, err := f.e.Issue(ctx, "demo", IssueRequest{Service: "signatures"})
	wantCode(t, err, queue.CodeServiceClosed)
	// The refused ticket used no number.
	svc.DailyLimit = 0
	_ = putService(f, svc)
	if got := f.issue(t, "signatures", "").Ticket.Number; got != "B003" {
		t.Errorf("after the limit was lifted: %s", got)
	}
}

func TestIdempotencyKeyReturnsTheSameTicket(t *testing.T) {
	f := newFixture(t)
	req := IssueRequest{Service: "certificates", IdempotencyKey: "kiosk1-42"}
	first, err := f.e.Issue(ctx, "demo", req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.e.Issue(ctx, "demo", req)
	if err != nil {
		t.Fatal(err)
	}
	if again.Ticket.ID != first.Ticket.ID || again.Ticket.Token != first.Ticket.Token || again.Ticket.Number != "A001" {
		t.Fatalf("retry gave %+v, first %+v", again.Ticket, first.Ticket)
	}
	if n := len(f.events()); n != 1 {
		t.Fatalf("%d events for one ticket", n)
	}
	_, err = f.e.Issue(ctx, "demo", IssueRequest{Service: "signatures", IdempotencyKey: "kiosk1-42"})
	wantCode(t, err, queue.CodeConflict)
	if got := f.issue(t, "certificates", "").Ticket.Number; got != "A002" {
		t.Fatalf("next ticket %s", got)
	}
}

func TestNewServiceDayExpiresAndRenumbers(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(mustTime("2026-11-27T21:50:00Z")) // 23:50 in Athens
	old := f.issue(t, "certificates", "")
	f.issue(t, "certificates", "")
	f.open(t, "1")
	called := f.next(t, "1")
	f.clock.Add(15 * time.Minute) // 00:05 the next day
	fresh := f.issue(t, "certificates", "")
	if fresh.Ticket.Number != "A001" || fresh.Ticket.Day != "2026-11-28" {
		t.Fatalf("first ticket of the new day: %s on %s", fresh.Ticket.Number, fresh.Ticket.Day)
	}
	// A001 of yesterday was called, so it stays called; A002 expired.
	expired := 0
	for _, ev := range f.pub.all() {
		if ev.Type == queue.EvExpired {
			expired++
			if ev.Number != "A002" {
				t.Errorf("expired %s", ev.Number)
			}
		}
	}
	if expired != 1 {
		t.Fatalf("%d tickets expired", expired)
	}
	info, _ := f.e.TicketByToken(ctx, old.Ticket.Token)
	if info.Ticket.State != queue.StateCalled || called.ID != old.Ticket.ID {
		t.Fatalf("yesterday's called ticket: %+v", info.Ticket)
	}
	snap, _ := f.e.Snapshot(ctx, "demo")
	if snap.Services[0].Waiting != 1 {
		t.Fatalf("waiting %d after rollover", snap.Services[0].Waiting)
	}
}

func TestAcrossDSTNumberingContinues(t *testing.T) {
	// 2026-10-25 03:59 EEST → 03:00 EET: the clock goes back an hour, the
	// service day does not change.
	f := newFixtureAt(t, "2026-10-25T00:30:00Z")
	f.issue(t, "certificates", "")
	f.clock.Add(time.Hour)
	if got := f.issue(t, "certificates", "").Ticket.Number; got != "A002" {
		t.Fatalf("after the DST change: %s", got)
	}
	f.clock.Set(mustTime("2026-10-25T21:59:00Z")) // 23:59 EET
	if got := f.issue(t, "certificates", "").Ticket.Number; got != "A003" {
		t.Fatalf("late on the long day: %s", got)
	}
	f.clock.Add(2 * time.Minute)
	if got := f.issue(t, "certificates", "").Ticket.Number; got != "A001" {
		t.Fatalf("after local midnight: %s", got)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTransferKeepsNumberAndPlace(t *testing.T) {
	f := newFixture(t)
	a := f.issue(t, "certificates", "")
	f.clock.Add(time.Minute)
	g := f.issue(t, "applications", "") // issued after A001
	f.open(t, "1", "3")
	f.next(t, "1")
	f.clock.Add(2 * time.Minute)
	res, err := f.e.Transfer(ctx, "demo", "1", "applications", "clerk1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Ticket.Number != "A001" || res.Ticket.Service != "applications" || res.Ticket.State != queue.StateWaiting ||
		!res.Ticket.IssuedAt.Equal(a.Ticket.IssuedAt) || len(res.Ticket.Transfers) != 1 || res.Counter.Current != 0 {
		t.Fatalf("transferred %+v", res.Ticket)
	}
	// It keeps its original issue time, so it goes before C001.
	if got := f.next(t, "3"); got.Number != "A001" {
		t.Fatalf("counter 3 called %s, want the transferred A001", got.Number)
	}
	if got := f.next(t, "3"); got.ID != g.Ticket.ID {
		t.Fatalf("then %s", got.Number)
	}
}

func TestPositionsFallAsOthersAreCalled(t *testing.T) {
	f := newFixture(t)
	var infos []TicketInfo
	for range 5 {
		infos = append(infos, f.issue(t, "certificates", ""))
	}
	last := infos[4].Ticket.Token
	f.open(t, "1", "2")
	var prevWait time.Duration = 1 << 62
	for i := range 4 {
		info, err := f.e.TicketByToken(ctx, last)
		if err != nil {
			t.Fatal(err)
		}
		if info.Position != 5-i || info.Wait >= prevWait {
			t.Fatalf("after %d calls: position %d wait %v (before %v)", i, info.Position, info.Wait, prevWait)
		}
		prevWait = info.Wait
		f.next(t, []string{"1", "2"}[i%2])
		f.clock.Add(time.Minute)
	}
	// A priority ticket goes ahead of the regular ones.
	p := f.issue(t, "signatures", "pregnancy")
	if p.Position != 1 {
		t.Fatalf("priority ticket position %d", p.Position)
	}
	if got := f.next(t, "2"); got.ID != p.Ticket.ID {
		t.Fatalf("called %s, want the priority ticket", got.Number)
	}
}

func TestCounterPauseAndClose(t *testing.T) {
	f := newFixture(t)
	f.issue(t, "certificates", "")
	f.issue(t, "certificates", "")
	f.open(t, "1")
	f.next(t, "1")
	if _, err := f.e.PauseCounter(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatal(err)
	}
	_, err := f.e.CallNext(ctx, "demo", "1", "clerk1")
	wantCode(t, err, queue.CodeInvalidTransition)
	if _, err := f.e.Done(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatalf("a paused counter still finishes its ticket: %v", err)
	}
	f.open(t, "1") // resume
	f.next(t, "1")
	res, err := f.e.CloseCounter(ctx, "demo", "1", "clerk1")
	if err != nil || res.Counter.Status != queue.CounterClosed || res.Counter.Clerk != "" || res.Ticket.State != queue.StateDone {
		t.Fatalf("close: %+v %v", res, err)
	}
	if _, err := f.e.OpenCounter(ctx, "demo", "1", "someone-else"); err != nil {
		t.Fatalf("a closed counter is free to take: %v", err)
	}
}

// An administrator's counter settings change its name and services only:
// a clerk at work keeps the counter's state and ticket, and a new counter
// starts closed whatever the request said.
func TestPutCounterKeepsLiveState(t *testing.T) {
	f := newFixture(t)
	f.issue(t, "certificates", "")
	f.open(t, "1")
	called := f.next(t, "1")
	before, err := f.e.Counter(ctx, "demo", "1")
	if err != nil {
		t.Fatal(err)
	}
	created, err := f.e.PutCounter(ctx, "admin", "demo", queue.Counter{ID: "1", Name: queue.Text{"el": "Α", "en": "A"},
		Serves: []string{"signatures", "certificates"}, Status: queue.CounterClosed})
	if err != nil || created {
		t.Fatalf("put: created %v, %v", created, err)
	}
	after, err := f.e.Counter(ctx, "demo", "1")
	if err != nil {
		t.Fatal(err)
	}
	if after.Name.In("en") != "A" || len(after.Serves) != 2 || after.Serves[0] != "signatures" {
		t.Errorf("settings not applied: %+v", after)
	}
	if after.Status != before.Status || after.Clerk != before.Clerk || after.Current != called.ID ||
		after.CurrentService != before.CurrentService || !after.CalledAt.Equal(before.CalledAt) {
		t.Errorf("live state changed:\nbefore %+v\nafter  %+v", before, after)
	}
	created, err = f.e.PutCounter(ctx, "admin", "demo", queue.Counter{ID: "9", Serves: []string{"certificates"},
		Status: queue.CounterOpen, Clerk: "intruder", Current: called.ID, PriorityStreak: 2})
	if err != nil || !created {
		t.Fatalf("new: created %v, %v", created, err)
	}
	fresh, err := f.e.Counter(ctx, "demo", "9")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Status != queue.CounterClosed || fresh.Clerk != "" || fresh.Current != 0 || fresh.PriorityStreak != 0 || fresh.Name.In("el") != "Γκισέ 9" {
		t.Errorf("new counter: %+v", fresh)
	}
}

func TestSetupValidation(t *testing.T) {
	f := newFixture(t)
	wantCode(t, putService(f, queue.Service{ID: "x", Prefix: "A"}), queue.CodeValidation)
	wantCode(t, putService(f, queue.Service{ID: "Bad Id", Prefix: "Q"}), queue.CodeValidation)
	wantCode(t, putService(f, queue.Service{ID: "x", Prefix: ""}), queue.CodeValidation)
	wantCode(t, putCounter(f, queue.Counter{ID: "9"}), queue.CodeValidation)
	wantCode(t, putCounter(f, queue.Counter{ID: "9", Serves: []string{"ghost"}}), queue.CodeValidation)
	wantCode(t, f.e.CreateBranch(ctx, "test", queue.Branch{ID: "demo", Name: queue.Text{"el": "Δοκιμή"}}, nil, nil), queue.CodeConflict)
	wantCode(t, f.e.CreateBranch(ctx, "test", queue.Branch{ID: "x", Name: queue.Text{"el": "Χ"}, TimeZone: "Mars/Olympus"}, nil, nil), queue.CodeValidation)
	if err := putCounter(f, queue.Counter{ID: "9", Serves: []string{"applications"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.OpenCounter(ctx, "demo", "9", "c"); err != nil {
		t.Fatal(err)
	}
}

var _ = demo.BranchID

func TestTickExpiresAtMidnightWithoutActions(t *testing.T) {
	f := newFixture(t)
	f.issue(t, "certificates", "")
	if err := f.e.Tick(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	before := len(f.pub.all())
	f.clock.Add(24 * time.Hour)
	if err := f.e.Tick(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	evs := f.pub.all()
	if len(evs) != before+1 || evs[len(evs)-1].Type != queue.EvExpired {
		t.Fatalf("after midnight: %+v", evs[before:])
	}
	if err := f.e.Tick(ctx, "demo"); err != nil || len(f.pub.all()) != before+1 {
		t.Fatalf("a second tick changed something: %v", err)
	}
}

func TestRetentionRemovesOldTokensKeepsStatistics(t *testing.T) {
	f := newFixture(t)
	setRetention(t, f, 30)
	f.open(t, "1")
	old := f.issue(t, "certificates", "")
	waiting := f.issue(t, "certificates", "")
	f.next(t, "1")
	f.next(t, "1") // old done, waiting called
	if _, err := f.e.Done(ctx, "demo", "1", "clerk1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(20 * 24 * time.Hour)
	recent := f.issue(t, "signatures", "")
	if n, err := f.e.PurgeTokens(ctx, "demo"); err != nil || n != 0 {
		t.Fatalf("purge within retention: %d, %v", n, err)
	}
	f.clock.Add(15 * 24 * time.Hour)
	if err := f.e.Tick(ctx, "demo"); err != nil { // a new day: purges
		t.Fatal(err)
	}
	for _, tok := range []string{old.Ticket.Token, waiting.Ticket.Token} {
		if _, err := f.e.TicketByToken(ctx, tok); queue.ErrorCode(err) != queue.CodeNotFound {
			t.Fatalf("a token past retention still works: %v", err)
		}
	}
	// The recent one expired 15 days ago: within 30 days, it keeps its link.
	if _, err := f.e.TicketByToken(ctx, recent.Ticket.Token); err != nil {
		t.Fatalf("a ticket within retention lost its link: %v", err)
	}
	// The tickets themselves and their outcomes stay.
	err := f.store.View(ctx, func(tx *storage.Tx) error {
		b, _ := tx.Branch("demo")
		tk, err := b.Ticket(old.Ticket.ID)
		if err != nil || tk.Token != "" || tk.State != queue.StateDone {
			t.Errorf("old ticket after purge: %+v %v", tk, err)
		}
		n := 0
		b.Outcomes("0000-00-00", "9999-99-99", func(*queue.Outcome) bool { n++; return true })
		if n != 3 {
			t.Errorf("%d outcomes after purge, want 3", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setRetention keeps the demo office's ticket links for days.
func setRetention(t *testing.T, f *fixture, days int) {
	t.Helper()
	cfg := demoConfig(t, f)
	cfg.RetentionDays = days
	if _, err := f.e.UpdateBranch(ctx, "test", cfg); err != nil {
		t.Fatal(err)
	}
}

func demoConfig(t *testing.T, f *fixture) queue.Branch {
	t.Helper()
	snap, err := f.e.Snapshot(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	return snap.Branch
}

// TestLongQueuePlacementAgrees checks the shortcut that places a ticket
// inside its own write when the queue is too long for a forecast: its
// answer is the one a later read gives.
func TestLongQueuePlacementAgrees(t *testing.T) {
	f := newFixture(t)
	f.open(t, "1", "3")
	svcs := []string{"certificates", "signatures", "applications"}
	for i := range 450 {
		prio := ""
		if i%7 == 0 {
			prio = "senior"
		}
		info := f.issue(t, svcs[i%3], prio)
		if i < 400 {
			continue
		}
		again, err := f.e.TicketByToken(ctx, info.Ticket.Token)
		if err != nil {
			t.Fatal(err)
		}
		if info.Position != again.Position || info.Wait != again.Wait {
			t.Fatalf("ticket %d (%s): issued at position %d wait %v; read back %d, %v",
				i, info.Ticket.Number, info.Position, info.Wait, again.Position, again.Wait)
		}
	}
}

func TestOpeningHours(t *testing.T) {
	f := newFixture(t) // Friday 2026-11-27, 09:00 in Athens
	cfg := demoConfig(t, f)
	cfg.Hours = queue.Hours{"fri": {{From: "08:00", To: "08:30"}, {From: "10:00", To: "15:00"}}}
	if _, err := f.e.UpdateBranch(ctx, "test", cfg); err != nil {
		t.Fatal(err)
	}
	_, err := f.e.Issue(ctx, "demo", IssueRequest{Service: "certificates"})
	wantCode(t, err, queue.CodeServiceClosed)
	snap, _ := f.e.Snapshot(ctx, "demo")
	if snap.Services[0].OpenNow || !snap.Services[0].Service.Open {
		t.Fatalf("between periods: open now %v, service open %v", snap.Services[0].OpenNow, snap.Services[0].Service.Open)
	}
	f.clock.Add(time.Hour) // 10:00
	if got := f.issue(t, "certificates", "").Ticket.Number; got != "A001" {
		t.Fatalf("within hours: %s", got)
	}
	f.clock.Add(24 * time.Hour) // Saturday: no hours at all
	_, err = f.e.Issue(ctx, "demo", IssueRequest{Service: "certificates"})
	wantCode(t, err, queue.CodeServiceClosed)
	wantCode(t, func() error {
		bad := cfg
		bad.Hours = queue.Hours{"mon": {{From: "08:00", To: "12:00"}, {From: "11:00", To: "13:00"}}}
		_, err := f.e.UpdateBranch(ctx, "test", bad)
		return err
	}(), queue.CodeValidation)
}
