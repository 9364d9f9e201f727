package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/demo"
	"github.com/seira-queue/seira/queue"
)

// bookable makes service id bookable with settings a.
func bookable(t *testing.T, f *fixture, id string, a queue.AppointmentSettings) queue.Service {
	t.Helper()
	var svc queue.Service
	_, svcs, _ := demo.Office()
	for _, s := range svcs {
		if s.ID == id {
			svc = s
		}
	}
	a.Enabled = true
	svc.Appointments = &a
	if err := putService(f, svc); err != nil {
		t.Fatal(err)
	}
	return svc
}

func (f *fixture) book(t *testing.T, svc string, start time.Time) queue.Appointment {
	t.Helper()
	a, err := f.e.Book(context.Background(), demo.BranchID, BookRequest{Service: svc, Start: start, Actor: "citizen"})
	if err != nil {
		t.Fatalf("book %s at %s: %v", svc, start, err)
	}
	return a.Appointment
}

// The fixture's clock starts at 09:00 Athens (07:00Z) on 2026-11-27.
var athens, _ = time.LoadLocation("Europe/Athens")

func at(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-27 "+hhmm, athens)
	if err != nil {
		panic(err)
	}
	return t
}

func TestBookingFillsASlotAndCancellingFreesIt(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{PerSlot: 2})
	a1 := f.book(t, "certificates", at("10:00"))
	f.book(t, "certificates", at("10:00"))
	_, err := f.e.Book(context.Background(), demo.BranchID, BookRequest{Service: "certificates", Start: at("10:00")})
	wantCode(t, err, queue.CodeSlotFull)
	if len(a1.Code) != queue.CodeLen || a1.Token == "" || a1.State != queue.ApptBooked || !a1.End.Equal(at("10:15")) {
		t.Fatalf("appointment %+v", a1)
	}
	slots, last, _, err := f.e.Slots(context.Background(), demo.BranchID, "certificates", "2026-11-27", 1)
	if last != "2026-12-27" {
		t.Errorf("last bookable day %s, want 30 days ahead", last)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if s.Start.Equal(at("10:00")) && s.Free != 0 || s.Start.Equal(at("10:15")) && s.Free != 2 {
			t.Errorf("slot %s free %d", s.Start, s.Free)
		}
		if !s.Start.After(at("09:00")) {
			t.Errorf("slot %s has begun and is offered", s.Start)
		}
	}
	if _, err := f.e.CancelAppointment(context.Background(), ApptRef{Token: a1.Token}, "citizen"); err != nil {
		t.Fatal(err)
	}
	f.book(t, "certificates", at("10:00"))
	_, err = f.e.CancelAppointment(context.Background(), ApptRef{Token: a1.Token}, "citizen")
	wantCode(t, err, queue.CodeConflict)
}

// TestConcurrentBookersNeverOversell has many citizens book the last
// places of one slot at the same moment.
func TestConcurrentBookersNeverOversell(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{PerSlot: 3})
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]bool{}
	full := 0
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			info, err := f.e.Book(context.Background(), demo.BranchID, BookRequest{Service: "certificates", Start: at("11:30")})
			a := info.Appointment
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				codes[a.Code] = true
			case queue.ErrorCode(err) == queue.CodeSlotFull:
				full++
			default:
				t.Errorf("book: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(codes) != 3 || full != n-3 {
		t.Fatalf("%d booked (distinct codes), %d refused as full; want 3 and %d", len(codes), full, n-3)
	}
	list, _, err := f.e.Appointments(context.Background(), demo.BranchID, "2026-11-27")
	if err != nil || len(list) != 3 {
		t.Fatalf("the day holds %d appointments (%v), want 3", len(list), err)
	}
}

func TestBookingRefusesWhatCannotBeBooked(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{DaysAhead: 7})
	br, _, _ := demo.Office()
	br.ClosedDates = []string{"2026-11-30"}
	br.Hours = queue.Hours{"mon": {{From: "08:00", To: "14:00"}}, "fri": {{From: "08:00", To: "14:00"}}, "tue": {{From: "08:00", To: "14:00"}}}
	if _, err := f.e.UpdateBranch(context.Background(), "test", br); err != nil {
		t.Fatal(err)
	}
	mon := at("10:00").AddDate(0, 0, 3)
	for name, c := range map[string]struct {
		svc   string
		start time.Time
	}{
		"past":              {"certificates", at("08:45")},
		"begun":             {"certificates", at("09:00")},
		"too far ahead":     {"certificates", at("10:00").AddDate(0, 0, 8)},
		"closed date":       {"certificates", mon},
		"outside the hours": {"certificates", at("15:00")},
		"closed weekday":    {"certificates", at("10:00").AddDate(0, 0, 1)},
		"not a slot start":  {"certificates", at("10:05")},
		"not bookable":      {"signatures", at("10:00")},
	} {
		_, err := f.e.Book(context.Background(), demo.BranchID, BookRequest{Service: c.svc, Start: c.start})
		if queue.ErrorCode(err) != queue.CodeNotBookable {
			t.Errorf("%s: %v, want not_bookable", name, err)
		}
	}
	f.book(t, "certificates", at("10:00").AddDate(0, 0, 4)) // Tuesday, within the week
	_, err := f.e.Book(context.Background(), demo.BranchID, BookRequest{Service: "nope", Start: at("10:00")})
	wantCode(t, err, queue.CodeNotFound)
	_, err = f.e.Book(context.Background(), demo.BranchID, BookRequest{Service: "certificates", Start: at("10:00"), Contact: "a\nb"})
	wantCode(t, err, queue.CodeValidation)
}

func TestCheckinWindow(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{}) // 30 before, 10 after
	a := f.book(t, "certificates", at("10:00"))
	ctx := context.Background()
	_, err := f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: a.Code})
	wantCode(t, err, queue.CodeTooEarly)
	var qe *queue.Error
	if !errors.As(err, &qe) || !qe.Detail["come_back_at"].(time.Time).Equal(at("09:30")) {
		t.Fatalf("too early: %+v", qe)
	}
	f.clock.Set(at("09:30"))
	info, err := f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: " " + a.Code[:3] + "-" + a.Code[3:] + " "})
	if err != nil {
		t.Fatal(err)
	}
	tk := info.Ticket
	if tk.Source != queue.SourceAppointment || tk.Appointment == nil || tk.Appointment.Code != a.Code || !tk.Appointment.Start.Equal(at("10:00")) {
		t.Fatalf("ticket %+v", tk)
	}
	_, err = f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: a.Code})
	wantCode(t, err, queue.CodeAlreadyCheckedIn)
	if errors.As(err, &qe); qe.Detail["ticket"] != tk.Number {
		t.Fatalf("second check-in: %+v, want the ticket %s", qe, tk.Number)
	}
	late := f.book(t, "certificates", at("09:45"))
	f.clock.Set(at("09:56"))
	_, err = f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: late.Code})
	wantCode(t, err, queue.CodeTooLate)
	if errors.As(err, &qe); qe.Detail["walk_in_offer"] != true {
		t.Fatalf("too late: %+v", qe)
	}
	info, err = f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: late.Code, WalkIn: true})
	if err != nil || info.Ticket.Source != "" || info.Ticket.Appointment != nil {
		t.Fatalf("the walk-in offer taken: %+v %v", info.Ticket, err)
	}
	_, err = f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: "ACDEFG"})
	wantCode(t, err, queue.CodeNotFound)
	_, err = f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: "0000"})
	wantCode(t, err, queue.CodeNotFound)
	list, _, _ := f.e.Appointments(ctx, demo.BranchID, "2026-11-27")
	for _, x := range list {
		if x.State != queue.ApptCheckedIn || x.TicketNumber == "" {
			t.Errorf("appointment %s: %s %q", x.Code, x.State, x.TicketNumber)
		}
	}
}

// TestAppointmentGoesBeforeOlderWalkInsOnceItsSlotBegins: checked in
// early, it waits as a walk-in; from its slot's start it goes first.
func TestAppointmentGoesBeforeOlderWalkInsOnceItsSlotBegins(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{})
	a := f.book(t, "certificates", at("09:15"))
	w1 := f.issue(t, "certificates", "").Ticket
	f.clock.Set(at("09:01"))
	w2 := f.issue(t, "certificates", "").Ticket
	f.clock.Set(at("09:05"))
	info, err := f.e.Checkin(context.Background(), demo.BranchID, CheckinRequest{Code: a.Code})
	if err != nil {
		t.Fatal(err)
	}
	f.open(t, "1")
	f.clock.Set(at("09:10"))
	if got := f.next(t, "1"); got.ID != w1.ID {
		t.Fatalf("before its slot: called %s, want the first walk-in %s", got.Number, w1.Number)
	}
	f.clock.Set(at("09:15"))
	if got := f.next(t, "1"); got.ID != info.Ticket.ID {
		t.Fatalf("at its slot: called %s, want the appointment %s", got.Number, info.Ticket.Number)
	}
	if got := f.next(t, "1"); got.ID != w2.ID {
		t.Fatalf("then %s, want %s", got.Number, w2.Number)
	}
	f.next(t, "1") // done
	list, _, _ := f.e.Appointments(context.Background(), demo.BranchID, "2026-11-27")
	if len(list) != 1 || list[0].State != queue.ApptDone {
		t.Fatalf("after its ticket is done: %+v", list)
	}
}

// TestAppointmentCapLetsLateWalkInsThrough: with N = 1, a walk-in past
// its target goes after one appointment call.
func TestAppointmentCapLetsLateWalkInsThrough(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{PerSlot: 5})
	br, _, _ := demo.Office()
	br.AppointmentCap = 1
	if _, err := f.e.UpdateBranch(context.Background(), "test", br); err != nil {
		t.Fatal(err)
	}
	var appts []queue.Appointment
	for range 3 {
		appts = append(appts, f.book(t, "certificates", at("09:30")))
	}
	w := f.issue(t, "certificates", "").Ticket // 09:00, target 15 min
	f.clock.Set(at("09:30"))
	for _, a := range appts {
		if _, err := f.e.Checkin(context.Background(), demo.BranchID, CheckinRequest{Code: a.Code}); err != nil {
			t.Fatal(err)
		}
	}
	f.open(t, "1")
	var order []string
	for range 4 {
		tk := f.next(t, "1")
		order = append(order, tk.SourceOf())
		if tk.ID == w.ID {
			order[len(order)-1] = "late walk-in"
		}
	}
	want := []string{"appointment", "late walk-in", "appointment", "appointment"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("calls %v, want %v", order, want)
		}
	}
}

func TestMoveAppointment(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{PerSlot: 1})
	a := f.book(t, "certificates", at("10:00"))
	b := f.book(t, "certificates", at("10:15"))
	_, err := f.e.MoveAppointment(context.Background(), ApptRef{Token: a.Token}, at("10:15"), "citizen")
	wantCode(t, err, queue.CodeSlotFull)
	info, err := f.e.MoveAppointment(context.Background(), ApptRef{Branch: demo.BranchID, Code: a.Code}, at("11:00"), "clerk")
	moved := info.Appointment
	if err != nil || !moved.Start.Equal(at("11:00")) || moved.Code != a.Code {
		t.Fatalf("moved: %+v %v", moved, err)
	}
	f.book(t, "certificates", at("10:00")) // freed
	if _, err := f.e.MoveAppointment(context.Background(), ApptRef{Token: b.Token}, at("10:07"), "citizen"); queue.ErrorCode(err) != queue.CodeNotBookable {
		t.Fatalf("a move to no slot: %v", err)
	}
}

// TestTurnOfTheDayMarksNoShowsAndDropsContacts: contact data stays until
// the day after the appointment and no longer.
func TestTurnOfTheDayMarksNoShowsAndDropsContacts(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{})
	ctx := context.Background()
	info, err := f.e.Book(ctx, demo.BranchID, BookRequest{Service: "certificates", Start: at("10:00"), Contact: "+30 690 000 0000"})
	a := info.Appointment
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(at("09:45"))
	info, err = f.e.Book(ctx, demo.BranchID, BookRequest{Service: "certificates", Start: at("11:00"), Contact: "a@example.org"})
	kept := info.Appointment
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(at("10:45"))
	if _, err := f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: kept.Code}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.e.AppointmentByToken(ctx, a.Token)
	if got.Appointment.Contact == "" {
		t.Fatal("contact gone on the day itself")
	}
	f.clock.Set(at("09:00").AddDate(0, 0, 1)) // the next day
	f.issue(t, "signatures", "")
	for _, tok := range []string{a.Token, kept.Token} {
		got, err := f.e.AppointmentByToken(ctx, tok)
		if err != nil || got.Appointment.Contact != "" {
			t.Fatalf("the day after: %+v %v", got, err)
		}
	}
	if got, _ := f.e.AppointmentByToken(ctx, a.Token); got.Appointment.State != queue.ApptNoShow {
		t.Fatalf("never checked in: %s, want no_show", got.Appointment.State)
	}
	if got, _ := f.e.AppointmentByToken(ctx, kept.Token); got.Appointment.State != queue.ApptNoShow {
		// Its ticket expired uncalled with the day.
		t.Fatalf("checked in, never called: %s, want no_show", got.Appointment.State)
	}
	noShows := 0
	for _, ev := range f.events() {
		if ev.Type == queue.EvApptNoShow {
			noShows++
		}
		if ev.Type == queue.EvApptBooked && ev.Subject == "" {
			t.Error("a booked event without its appointment id")
		}
	}
	if noShows != 2 {
		t.Fatalf("%d no-show events, want 2", noShows)
	}
}

func TestImportIsIdempotentByExternalID(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{PerSlot: 1})
	ctx := context.Background()
	rows := []ImportRow{
		{ExternalID: "gov-1", Service: "certificates", Start: at("10:00"), Reference: "R1"},
		// The outside system decides: a second place in a slot of one,
		// off the grid, in a service not bookable here, or begun.
		{ExternalID: "gov-2", Service: "certificates", Start: at("10:00")},
		{ExternalID: "gov-3", Service: "signatures", Start: at("10:07")},
		{ExternalID: "gov-4", Service: "applications", Start: at("08:30")},
		{ExternalID: "gov-5", Service: "nope", Start: at("10:00")},
		{ExternalID: "gov-6", Service: "certificates", Start: at("10:00").AddDate(0, 0, -1)},
		{ExternalID: "gov-1", Service: "certificates", Start: at("11:00")},
		{ExternalID: "", Service: "certificates", Start: at("11:00")},
		{ExternalID: "gov-7", Err: queue.Errorf(queue.CodeValidation, "start: bad time")},
	}
	res, err := f.e.Import(ctx, demo.BranchID, "admin", rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 4 || res.Updated != 0 || res.Unchanged != 0 || len(res.Refused) != 5 {
		t.Fatalf("first import: %+v", res)
	}
	wantRows := []int{5, 6, 7, 8, 9}
	for i, r := range res.Refused {
		if r.Row != wantRows[i] || r.Message == "" {
			t.Errorf("refused %+v, want row %d", r, wantRows[i])
		}
	}
	again, err := f.e.Import(ctx, demo.BranchID, "admin", rows)
	if err != nil || again.Created != 0 || again.Updated != 0 || again.Unchanged != 4 {
		t.Fatalf("the same file again: %+v %v", again, err)
	}
	for i := range again.Appointments {
		if again.Appointments[i] != res.Appointments[i] {
			t.Fatalf("codes changed: %v then %v", res.Appointments, again.Appointments)
		}
	}
	rows[0].Start = at("12:00")
	moved, err := f.e.Import(ctx, demo.BranchID, "admin", rows[:1])
	if err != nil || moved.Updated != 1 {
		t.Fatalf("a moved row: %+v %v", moved, err)
	}
	list, _, _ := f.e.Appointments(ctx, demo.BranchID, "2026-11-27")
	if len(list) != 4 {
		t.Fatalf("%d appointments, want 4", len(list))
	}
	// The 10:00 slot holds the one not moved; 12:00 the moved one.
	slots, _, _, _ := f.e.Slots(ctx, demo.BranchID, "certificates", "2026-11-27", 1)
	for _, s := range slots {
		if (s.Start.Equal(at("10:00")) || s.Start.Equal(at("12:00"))) && s.Free != 0 || s.Start.Equal(at("11:00")) && s.Free != 1 {
			t.Errorf("slot %s free %d", s.Start.In(athens).Format("15:04"), s.Free)
		}
	}
}

func TestRemindersADayAndAnHourBefore(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{})
	ctx := context.Background()
	tomorrow := f.book(t, "certificates", at("10:00").AddDate(0, 0, 1))
	today := f.book(t, "certificates", at("11:00"))
	gone := f.book(t, "certificates", at("10:30").AddDate(0, 0, 1))
	if _, err := f.e.CancelAppointment(ctx, ApptRef{Token: gone.Token}, "citizen"); err != nil {
		t.Fatal(err)
	}
	reminders := func() map[string]string {
		out := map[string]string{}
		for _, ev := range f.events() {
			if ev.Type == queue.EvApptReminderDue {
				var d struct{ Before string }
				if err := json.Unmarshal(ev.Detail, &d); err != nil {
					t.Fatal(err)
				}
				out[ev.Subject] += d.Before + " "
			}
		}
		return out
	}
	step := func(hhmm string, days int, want map[string]string) {
		t.Helper()
		f.clock.Set(at(hhmm).AddDate(0, 0, days))
		if _, err := f.e.Reminders(ctx, demo.BranchID); err != nil {
			t.Fatal(err)
		}
		got := reminders()
		if len(got) != len(want) {
			t.Fatalf("at %s +%d: reminders %v, want %v", hhmm, days, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("at %s +%d: reminders %v, want %v", hhmm, days, got, want)
			}
		}
	}
	id := func(a queue.Appointment) string { return itoa(a.ID) }
	step("09:30", 0, nil)
	step("09:59", 0, nil)
	// Booked at 09:00: no day-before for today's.
	step("10:00", 0, map[string]string{id(today): "hour ", id(tomorrow): "day "})
	step("10:01", 0, map[string]string{id(today): "hour ", id(tomorrow): "day "}) // once
	step("09:00", 1, map[string]string{id(today): "hour ", id(tomorrow): "day hour "})
	step("09:59", 1, map[string]string{id(today): "hour ", id(tomorrow): "day hour "})
}

// TestWalkInEstimateCountsBookedAppointments: one counter serving the
// service, four walk-ins at 09:00, then three appointments booked at 09:05:
// the last walk-in's estimate grows by their time before anyone checks in;
// an appointment checked in early is forecast as a walk-in until its slot.
func TestWalkInEstimateCountsBookedAppointments(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "signatures", queue.AppointmentSettings{SlotMin: 5, PerSlot: 3})
	f.open(t, "3") // signatures, applications
	ctx := context.Background()
	var last TicketInfo
	for range 4 {
		last = f.issue(t, "signatures", "")
	}
	wait := func() time.Duration {
		t.Helper()
		info, err := f.e.TicketByToken(ctx, last.Ticket.Token)
		if err != nil {
			t.Fatal(err)
		}
		return info.Wait
	}
	st := 3 * time.Minute // signatures' default
	if w := wait(); w != 3*st {
		t.Fatalf("the fourth walk-in: %v, want %v", w, 3*st)
	}
	for range 3 {
		f.book(t, "signatures", at("09:05"))
	}
	// Called at 0, 3 and 6 min the first three walk-ins would be; from
	// 09:05 the appointments go first: 0, 3, then three appointments, then
	// the third and fourth walk-ins.
	if w := wait(); w != 6*st {
		t.Fatalf("the fourth walk-in after three bookings at 09:05: %v, want %v", w, 6*st)
	}
	f.clock.Set(at("09:01"))
	appt := f.book(t, "signatures", at("09:30"))
	info, err := f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: appt.Code})
	if err != nil {
		t.Fatal(err)
	}
	// Checked in early, it waits as a walk-in: after the four walk-ins
	// and the three due appointments, at 09:22, before its slot (nobody
	// else waits then).
	if call := f.clock.Now().Add(info.Wait); !call.Equal(at("09:22")) || info.Wait <= wait() {
		t.Fatalf("the 09:30 appointment checked in at 09:01 is forecast to be called at %s; the last walk-in in %v",
			call.In(athens).Format("15:04:05"), wait())
	}
}

// A walk-in's estimate expects of the booked appointments only the share
// that comes: once the office has seen one appointment of two missed, of
// three booked at 09:30 two are expected.
func TestWalkInEstimateExpectsTheAppointmentsNoShows(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "signatures", queue.AppointmentSettings{SlotMin: 5, PerSlot: 3})
	ctx := context.Background()
	came := f.book(t, "signatures", at("09:05"))
	f.book(t, "signatures", at("09:05")) // never comes
	for range 3 {
		f.book(t, "signatures", at("09:30"))
	}
	f.clock.Set(at("09:04"))
	if _, err := f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: came.Code}); err != nil {
		t.Fatal(err)
	}
	f.open(t, "3") // signatures, applications
	var last TicketInfo
	wait := func() time.Duration {
		t.Helper()
		info, err := f.e.TicketByToken(ctx, last.Ticket.Token)
		if err != nil {
			t.Fatal(err)
		}
		return info.Wait
	}
	f.clock.Set(at("09:15")) // the missed one is still in its check-in window
	for range 5 {
		last = f.issue(t, "signatures", "")
	}
	// The checked-in appointment and the missed one (due, it may still
	// come), then four walk-ins take 3 minutes each (signatures' default):
	// at 09:30 the walk-ins have waited 15 minutes, not past their target,
	// and the three booked then go first, while nobody has been seen
	// missing one.
	if w := wait(); w != 27*time.Minute {
		t.Fatalf("the fifth walk-in at 09:15: %v, want 27m", w)
	}
	f.clock.Set(at("09:16"))       // 09:05 + 10 minutes' window: one came, one did not
	f.issue(t, "certificates", "") // a new moment (counter 3 does not serve it)
	// One miss in two, counted as one in three (queue.ApptNoShowRate):
	// two of the three are expected, at 09:31 and 09:34, and the fifth
	// walk-in is called at 09:37 (with all three, at 09:40).
	if w := wait(); w != 21*time.Minute {
		t.Fatalf("the fifth walk-in at 09:16, after a missed appointment: %v, want 21m", w)
	}
}

// TestConcurrentCheckinsAndCalls: citizens check in their appointments and
// walk-ins take tickets while four counters call: every ticket is called
// once, appointments included, and every appointment is checked in once.
func TestConcurrentCheckinsAndCalls(t *testing.T) {
	f := newFixture(t)
	bookable(t, f, "certificates", queue.AppointmentSettings{PerSlot: 10})
	ctx := context.Background()
	var appts []queue.Appointment
	for _, hhmm := range []string{"09:15", "09:30", "09:45"} {
		for range 10 {
			appts = append(appts, f.book(t, "certificates", at(hhmm)))
		}
	}
	f.clock.Set(at("09:24")) // the 09:15 slot has begun; all are within their windows
	f.open(t, "1", "2", "3", "4")
	var wg sync.WaitGroup
	var mu sync.Mutex
	issued := map[uint64]bool{}
	wins := map[string]int{}
	for i, a := range appts {
		// Some codes are checked in twice at the same moment: one wins,
		// the other is told it is checked in already.
		for range 1 + boolInt(i%5 == 0) {
			wg.Go(func() {
				info, err := f.e.Checkin(ctx, demo.BranchID, CheckinRequest{Code: a.Code})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins[a.Code]++
					issued[info.Ticket.ID] = true
				case queue.ErrorCode(err) != queue.CodeAlreadyCheckedIn:
					t.Error(err)
				}
			})
		}
		wg.Go(func() {
			w, err := f.e.Issue(ctx, demo.BranchID, IssueRequest{Service: []string{"certificates", "signatures"}[i%2]})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			issued[w.Ticket.ID] = true
			mu.Unlock()
		})
	}
	called := map[uint64]string{}
	var calling sync.WaitGroup
	stop := make(chan struct{})
	for c := 1; c <= 4; c++ {
		calling.Go(func() {
			counter := fmt.Sprint(c)
			for {
				res, err := f.e.CallNext(ctx, demo.BranchID, counter, "clerk")
				if err != nil {
					t.Error(err)
					return
				}
				if res.Ticket.ID == 0 {
					select {
					case <-stop:
						return
					default:
						continue
					}
				}
				mu.Lock()
				if prev, dup := called[res.Ticket.ID]; dup {
					t.Errorf("ticket %s called at %s and %s", res.Ticket.Number, prev, counter)
				}
				called[res.Ticket.ID] = counter
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(stop)
	calling.Wait()
	// Whatever was left when the callers stopped is called now.
	for {
		res, err := f.e.CallNext(ctx, demo.BranchID, "1", "clerk")
		if err != nil {
			t.Fatal(err)
		}
		if res.Ticket.ID == 0 {
			break
		}
		if _, dup := called[res.Ticket.ID]; dup {
			t.Fatalf("ticket %s called twice", res.Ticket.Number)
		}
		called[res.Ticket.ID] = "1"
	}
	if len(called) != len(issued) || len(issued) != 2*len(appts) {
		t.Fatalf("%d issued, %d called, want %d", len(issued), len(called), 2*len(appts))
	}
	for _, a := range appts {
		if wins[a.Code] != 1 {
			t.Errorf("appointment %s checked in %d times", a.Code, wins[a.Code])
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
