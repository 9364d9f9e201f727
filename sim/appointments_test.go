package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/queue"
)

func loadTestDay(t *testing.T, path string) Day {
	t.Helper()
	d, err := LoadDay(path)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fingerprint(cs []Citizen) string {
	h := sha256.New()
	for _, c := range cs {
		fmt.Fprintf(h, "%d %s %t %t %d\n", c.At, c.Service, c.Priority, c.NoShow, c.ServiceTime)
	}
	return fmt.Sprintf("%x", h.Sum(nil))[:16]
}

// TestPlanWithoutAppointmentsUnchanged: a day without appointments draws
// the very citizens it drew before appointments came (the fingerprints are
// of the plans drawn by the simulator before them).
func TestPlanWithoutAppointmentsUnchanged(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Day
		seed uint64
		want string
		n    int
	}{
		{"reference day, seed 1", ReferenceDay(), 1, "89e39205ff0e7173", 409},
		{"short day, seed 3", shortDay(t), 3, "277a5723b6f9ddf9", 19},
	} {
		plan := Plan(c.d, c.seed)
		if got := fingerprint(plan); got != c.want || len(plan) != c.n {
			t.Errorf("%s: %d citizens, fingerprint %s; before appointments %d, %s", c.name, len(plan), got, c.n, c.want)
		}
		for _, cit := range plan {
			if cit.Booked || cit.ApptNoShow || cit.Slot != 0 {
				t.Fatalf("%s: a booked citizen on a day without appointments: %+v", c.name, cit)
			}
		}
	}
}

// TestPlanBooks: booking moves the booked citizens to their slots and
// leaves everyone's other draws as on the same day without appointments.
func TestPlanBooks(t *testing.T) {
	d := loadTestDay(t, filepath.Join("days", "appointments-day.json"))
	plain := d
	plain.Services = slices.Clone(d.Services)
	for i := range plain.Services {
		plain.Services[i].BookedShare, plain.Services[i].SlotMin = 0, 0
	}
	plain.Appointments = nil
	if err := plain.Validate(); err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 5; seed++ {
		booked, walk := Plan(d, seed), Plan(plain, seed)
		if len(booked) != len(walk) {
			t.Fatalf("seed %d: %d citizens with appointments, %d without", seed, len(booked), len(walk))
		}
		key := func(c Citizen) string {
			return fmt.Sprintf("%s %t %t %d", c.Service, c.Priority, c.NoShow, c.ServiceTime)
		}
		byKey := map[string]Citizen{}
		for _, c := range walk {
			byKey[key(c)] = c
		}
		n, noShows := 0, 0
		for i, c := range booked {
			if i > 0 && c.At < booked[i-1].At {
				t.Fatalf("seed %d: citizen %d arrives before the one before", seed, i)
			}
			orig, ok := byKey[key(c)]
			if !ok {
				t.Fatalf("seed %d: citizen %+v is not on the day without appointments", seed, c)
			}
			if !c.Booked {
				if c.At != orig.At {
					t.Errorf("seed %d: walk-in %+v arrives at %s, without appointments at %s", seed, c, c.At, orig.At)
				}
				continue
			}
			n++
			if c.ApptNoShow {
				noShows++
			}
			svc, _ := d.service(c.Service)
			start := time.Duration(d.Open) + c.Slot
			if start%svc.Slot() != 0 || c.Slot < 0 || start+svc.Slot() > time.Duration(d.Close) {
				t.Errorf("seed %d: slot at %s: not a %s slot within the hours", seed, TimeOfDay(start), svc.Slot())
			}
			// The slot nearest the time they would have come.
			if dist := (time.Duration(d.Open) + orig.At - start).Abs(); dist > svc.Slot()/2+time.Second &&
				start != time.Duration(d.Open) && start+svc.Slot() != time.Duration(d.Close) {
				t.Errorf("seed %d: would have come at %s, booked at %s", seed, TimeOfDay(time.Duration(d.Open)+orig.At), TimeOfDay(start))
			}
			pu := d.Appointments.Punctuality
			late := (c.At - c.Slot).Minutes()
			if c.At > 0 && c.At < time.Duration(d.Close-d.Open)-time.Second && (late < pu.MinMin-0.01 || late > pu.MaxMin+0.01) {
				t.Errorf("seed %d: arrives %.1f min from the slot's start, outside %v–%v", seed, late, pu.MinMin, pu.MaxMin)
			}
		}
		if share := float64(n) / float64(len(booked)); share < 0.35 || share > 0.65 {
			t.Errorf("seed %d: %.2f of the citizens booked, want about half", seed, share)
		}
		if noShows == 0 || noShows > n/4 {
			t.Errorf("seed %d: %d of %d booked never came, want about a tenth", seed, noShows, n)
		}
	}
}

func TestParseDayAppointmentErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("days", "appointments-day.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDay(bytes.NewReader(raw)); err != nil {
		t.Fatalf("the appointments day: %v", err)
	}
	change := func(fn func(m map[string]any)) string { return mutateDay(t, raw, fn) }
	svc := func(m map[string]any, i int) map[string]any { return m["services"].([]any)[i].(map[string]any) }
	appt := func(m map[string]any) map[string]any { return m["appointments"].(map[string]any) }
	pu := func(m map[string]any) map[string]any { return appt(m)["punctuality"].(map[string]any) }
	checkParseErrors(t, []parseCase{
		{"booked share above 1", change(func(m map[string]any) { svc(m, 0)["booked_share"] = 1.2 }), "service certificates: booked_share 1.2: want 0 to 1"},
		{"negative booked share", change(func(m map[string]any) { svc(m, 1)["booked_share"] = -0.1 }), "service signatures: booked_share -0.1"},
		{"slot too short", change(func(m map[string]any) { svc(m, 0)["slot_min"] = 3 }), "service certificates: slot_min 3: want 5 to 240"},
		{"slot not dividing a day", change(func(m map[string]any) { svc(m, 0)["slot_min"] = 7 }), "slot_min 7: want a length that divides a day"},
		{"slot without booking", change(func(m map[string]any) { svc(m, 0)["booked_share"] = 0 }), "service certificates: slot_min without booked_share"},
		{"slot longer than the day", change(func(m map[string]any) { m["close"] = "08:20" }), "slot_min 30 is longer than the opening hours"},
		{"booked without appointments", change(func(m map[string]any) { delete(m, "appointments") }), "appointments is missing"},
		{"appointments without booking", change(func(m map[string]any) {
			for i := range 3 {
				delete(svc(m, i), "booked_share")
				delete(svc(m, i), "slot_min")
			}
		}), "appointments: no service has a booked_share"},
		{"appointment no-shows", change(func(m map[string]any) { appt(m)["no_show_rate"] = 2 }), "appointments: no_show_rate 2: want 0 to 1"},
		{"negative sd", change(func(m map[string]any) { pu(m)["sd_min"] = -1 }), "punctuality: sd_min -1"},
		{"min above max", change(func(m map[string]any) { pu(m)["min_min"] = 30 }), "min_min 30 is above max_min 20"},
		{"mean outside the clip", change(func(m map[string]any) { pu(m)["mean_min"] = -40 }), "mean_min -40 is outside min_min -25 to max_min 20"},
		{"minutes out of bounds", change(func(m map[string]any) { pu(m)["max_min"] = 1000 }), "min_min -25, max_min 1000: want"},
		{"unknown field", change(func(m map[string]any) { pu(m)["median_min"] = 1 }), `unknown field "median_min"`},
	})
}

// TestRunAppointments plays the short day with half its citizens booked
// against an in-process server.
func TestRunAppointments(t *testing.T) {
	d := loadTestDay(t, filepath.Join("testdata", "short-appointments-day.json"))
	const seed = 3
	dir := t.TempDir()
	ctx := context.Background()
	rep, err := Run(ctx, d, Options{Speed: 1200, Seed: seed, Data: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
	for _, want := range []string{"estimated wait − real wait, called tickets", "walk-ins and appointments apart",
		"\n  walk-ins ", "\n  appointments ", "walk-ins' mean wait", "appointments called after their slot's start"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table does not say %q", want)
		}
	}
	for _, f := range rep.Failures {
		// A booked citizen too late for the check-in is told so (422)
		// before taking the walk-in ticket offered.
		if f.Route != "POST /checkin" || f.Status != 422 {
			t.Errorf("failed requests: %+v", f)
		}
	}
	plan := Plan(d, seed)
	sp := rep.Split
	if sp == nil {
		t.Fatal("no walk-ins and appointments apart in the report")
	}
	booked, came := 0, 0
	for _, c := range plan {
		if c.Booked {
			booked++
			if !c.ApptNoShow {
				came++
			}
		}
	}
	if booked == 0 || came == 0 || came == booked {
		t.Fatalf("the plan books %d citizens of whom %d come: the test day wants some of each", booked, came)
	}
	if sp.Booked != booked || sp.ApptNoShows != booked-came || sp.CheckedIn+sp.LateWalkIns != came {
		t.Errorf("split %+v: want %d booked, %d never came, checked in and late walk-ins %d", *sp, booked, booked-came, came)
	}
	if rep.IssueFailed != 0 || rep.Issued != len(plan)-(booked-came) {
		t.Errorf("issued %d (failed %d), want every citizen who came: %d", rep.Issued, rep.IssueFailed, len(plan)-(booked-came))
	}
	// Everybody who came, booked or not, was called: the short day drains.
	var appts, walkIns []Ticket
	for _, tk := range rep.Tickets {
		if !tk.Called() {
			t.Errorf("ticket %s (booked %t) was never called: %s", tk.Number, tk.Booked, tk.State)
		}
		if tk.Appointment() {
			appts = append(appts, tk)
			if !tk.Booked || tk.SlotStart.IsZero() {
				t.Errorf("appointment ticket %s without its slot", tk.Number)
			}
		} else {
			walkIns = append(walkIns, tk)
		}
	}
	if len(appts) != sp.CheckedIn || sp.Appointments.Count+sp.WalkIns.Count != rep.Rows[len(rep.Rows)-1].Count {
		t.Errorf("%d appointment tickets, split %+v, all row %+v", len(appts), *sp, rep.Rows[len(rep.Rows)-1])
	}
	if sp.FromSlot.N != len(appts) {
		t.Errorf("punctuality over %d appointments, want %d", sp.FromSlot.N, len(appts))
	}

	// Appointments go before walk-ins once their slot has begun: no
	// walk-in was called by a counter serving an appointment's service
	// while that appointment was checked in, its slot begun and it not yet
	// called — unless the cap on appointment calls in a row was in force,
	// which needs that many appointment calls in a row at that counter just
	// before. Server stamps only: this holds whatever the machine's speed.
	serves := map[string][]string{}
	for _, c := range d.Counters {
		serves[c.ID] = c.Serves
	}
	calls := map[string][]Ticket{} // by counter, in call order
	for _, tk := range rep.Tickets {
		calls[tk.Counter] = append(calls[tk.Counter], tk)
	}
	for c := range calls {
		slices.SortFunc(calls[c], func(a, b Ticket) int { return a.CalledAt.Compare(b.CalledAt) })
	}
	capped := func(w Ticket) bool {
		list := calls[w.Counter]
		i := slices.IndexFunc(list, func(x Ticket) bool { return x.Number == w.Number })
		if i < queue.DefaultAppointmentCap {
			return false
		}
		for _, x := range list[i-queue.DefaultAppointmentCap : i] {
			if !x.Appointment() {
				return false
			}
		}
		return true
	}
	for _, w := range walkIns {
		for _, a := range appts {
			at := w.CalledAt
			if slices.Contains(serves[w.Counter], a.Service) && a.SlotStart.Before(at) && a.IssuedAt.Before(at) && a.CalledAt.After(at) && !capped(w) {
				t.Errorf("walk-in %s was called at %s by counter %s before appointment %s (slot %s, checked in %s, called %s)",
					w.Number, at.Format(time.TimeOnly), w.Counter, a.Number, a.SlotStart.Format(time.TimeOnly),
					a.IssuedAt.Format(time.TimeOnly), a.CalledAt.Format(time.TimeOnly))
			}
		}
	}

	// The server holds the booked appointments, each checked in by the
	// citizens who came and by nobody else.
	a, err := app.Open(app.Config{Data: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	loc, _ := d.Location()
	list, _, err := a.Engine.Appointments(ctx, d.Branch, rep.Opening.In(loc).Format(queue.DayLayout))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ap := range list {
		if ap.TicketNumber != "" {
			checked++
		}
	}
	if len(list) != booked || checked != came {
		t.Errorf("the server holds %d appointments, %d checked in; want %d and %d", len(list), checked, booked, came)
	}

	var csvOut bytes.Buffer
	if err := rep.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csvOut.String(), ",appointment,"); n != len(appts) {
		t.Errorf("CSV: %d appointment rows, want %d", n, len(appts))
	}
}

// TestRunLateAppointments: booked citizens a quarter of an hour late are
// past the check-in window; each is told so and takes the walk-in ticket
// offered.
func TestRunLateAppointments(t *testing.T) {
	d := loadTestDay(t, filepath.Join("testdata", "short-appointments-day.json"))
	d.Appointments = &DayAppointments{Punctuality: Punctuality{MeanMin: 15, MinMin: 15, MaxMin: 15}}
	rep, err := Run(context.Background(), d, Options{Speed: 1200, Seed: 5, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	sp := rep.Split
	if sp == nil || sp.Booked == 0 || sp.CheckedIn != 0 || sp.LateWalkIns != sp.Booked || rep.IssueFailed != 0 {
		t.Fatalf("split %+v, issue failed %d: want every booked citizen a late walk-in", sp, rep.IssueFailed)
	}
	told := 0
	for _, f := range rep.Failures {
		if f.Route != "POST /checkin" || f.Status != 422 {
			t.Errorf("failed requests: %+v", f)
		}
		told += f.Count
	}
	if told != sp.LateWalkIns {
		t.Errorf("%d told too late, %d late walk-ins", told, sp.LateWalkIns)
	}
	for _, tk := range rep.Tickets {
		if tk.Booked && (tk.Appointment() || !tk.LateWalkIn || !tk.Called()) {
			t.Errorf("booked citizen's ticket %+v: want a called walk-in ticket", tk)
		}
	}
	if sp.Appointments.Count != 0 || sp.FromSlot.N != 0 || sp.WalkIns.Count != rep.Rows[len(rep.Rows)-1].Count {
		t.Errorf("split %+v: the late citizens' tickets are walk-ins'", *sp)
	}
}

// TestAppointmentsDayLoad: the appointments day is the reference day's
// office and load with about half its work booked.
func TestAppointmentsDayLoad(t *testing.T) {
	d := loadTestDay(t, filepath.Join("days", "appointments-day.json"))
	ref := ReferenceDay()
	if l, r := d.Load(), ref.Load(); l < r-0.02 || l > r+0.02 {
		t.Errorf("load %.3f, the reference day's %.3f", l, r)
	}
	var work, booked float64
	for _, s := range d.Services {
		w := s.Share * d.MeanHold(s).Seconds()
		work += w
		booked += w * s.BookedShare
	}
	if share := booked / work; share < 0.45 || share > 0.55 {
		t.Errorf("%.2f of the work booked, want about half", share)
	}
	a, _ := json.Marshal(d.Counters)
	b, _ := json.Marshal(ref.Counters)
	if !bytes.Equal(a, b) || d.Open != ref.Open || d.Close != ref.Close || len(d.Services) != len(ref.Services) {
		t.Errorf("the appointments day's office differs from the reference day's")
	}
}
