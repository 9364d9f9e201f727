package display_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/clocktest"
)

// Event sizes on the branch channel: a call, what every display of an
// office receives most, is at most callMax bytes; no other event is over
// eventMax. Only the snapshot is bigger.
const (
	callMax  = 300
	eventMax = 512
	// announcementMax bounds an announcement.posted, which carries its
	// text: the longest allowed (280 characters) in Greek and in English.
	announcementMax = 1200
)

// TestEventSizesInTheDemoOffice makes every kind of event the branch
// channel carries, in the demo office, with the longest names it has, and
// measures each message: the call at most 300 bytes, every other event at
// most 512.
func TestEventSizesInTheDemoOffice(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	admin := env.Admin()
	r := dial(t, env, "/api/v1/branches/demo/live")
	r.next()
	do := func(method, path string, body any) {
		t.Helper()
		if res := admin.Do(method, path, body); res.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, res.Status, apptest.Short(res.Body))
		}
	}
	counter := func(c, action string, body any) { do("POST", apptest.CounterPath("demo", c, action), body) }
	prio := func(svc string) {
		do("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": svc, "priority": "disability", "lang": "el"})
	}
	for _, svc := range []string{"certificates", "signatures", "applications"} {
		prio(svc)
		issue(t, admin, svc)
	}
	cancel := issue(t, admin, "certificates")
	do("DELETE", "/api/v1/tickets/"+cancel.Token, nil)
	counter("1", "open", nil)
	counter("1", "next", nil) // priority A
	counter("1", "recall", nil)
	counter("1", "start", nil)
	counter("1", "transfer", map[string]string{"service": "applications"})
	counter("1", "next", nil)
	counter("1", "done", nil)
	counter("1", "next", nil)
	counter("1", "no-show", nil)
	counter("1", "pause", nil)
	counter("1", "close", nil)
	// Settings: a service, a counter, the branch, a device and a user.
	do("PUT", "/api/v1/branches/demo/services/signatures", map[string]any{
		"name":   map[string]string{"el": "Γνήσιο υπογραφής - Εξουσιοδοτήσεις", "en": "Signatures and authorisations"},
		"prefix": "B", "order": 2, "open": true})
	do("PUT", "/api/v1/branches/demo/counters/2", map[string]any{"serves": []string{"certificates", "signatures"},
		"name": map[string]string{"el": "Γκισέ 2", "en": "Counter 2"}})
	do("PUT", "/api/v1/branches/demo", map[string]any{"name": map[string]string{"el": "ΚΕΠ Επίδειξης", "en": "Demo KEP office"},
		"message": map[string]string{"el": strings.Repeat("Το γραφείο κλείνει νωρίτερα σήμερα. ", 5), "en": strings.Repeat("The office closes early today. ", 5)}})
	apptest.Device(t, env, "demo", auth.DeviceDisplay)
	// An announcement with the longest text allowed, and its withdrawal.
	var notice struct{ ID int }
	if admin.Call("POST", "/api/v1/branches/demo/announcements", map[string]any{"text": map[string]string{
		"el": longest("Το σύστημα της εφορίας δεν λειτουργεί, αναμένετε 20 λεπτά ακόμη. "),
		"en": longest("The tax system is down: expect 20 more minutes. ")}}, &notice) != 201 {
		t.Fatal("post an announcement")
	}
	do("DELETE", fmt.Sprintf("/api/v1/branches/demo/announcements/%d", notice.ID), nil)
	env.User("maria", auth.RoleClerk, "demo")
	// Appointments: booked (with contact data, which no event carries),
	// checked in, moved, cancelled, reminded; the one left is a no-show
	// with the next day.
	book := func(hhmm string) string {
		t.Helper()
		var a struct{ Code, Token string }
		start := "2026-12-07T" + hhmm + ":00+02:00"
		if admin.Call("POST", "/api/v1/branches/demo/appointments", map[string]string{"service": "certificates", "start": start,
			"contact": "citizen@example.org"}, &a) != 201 {
			t.Fatalf("book %s", start)
		}
		return a.Code
	}
	do("POST", "/api/v1/branches/demo/checkin", map[string]string{"code": book("11:30")})
	moved, gone := book("11:45"), book("12:00")
	book("13:15")
	do("PATCH", "/api/v1/branches/demo/appointments/"+moved, map[string]string{"start": "2026-12-07T12:15:00+02:00"})
	do("DELETE", "/api/v1/branches/demo/appointments/"+gone, nil)
	clk.Add(80 * time.Minute) // 12:20 in Athens: an hour before the 13:15
	if n, err := env.App.Engine.Reminders(context.Background(), "demo"); err != nil || n == 0 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	// The next day expires what still waits.
	clk.Add(24 * time.Hour)
	issue(t, admin, "certificates")

	largest := map[string]int{}
	deadline := time.Now().Add(10 * time.Second)
	for !seenAll(largest) && time.Now().Before(deadline) {
		m, raw := r.next()
		if n := len(raw); n > largest[m.Type] {
			largest[m.Type] = n
		}
		if m.Type != "snapshot" && !json.Valid(raw) {
			t.Fatalf("not JSON: %s", raw)
		}
		if strings.Contains(string(raw), "citizen@example.org") {
			t.Fatalf("contact data on the live channel: %s", raw)
		}
	}
	var report []string
	for typ, n := range largest {
		report = append(report, fmt.Sprintf("%s %d", typ, n))
		limit := eventMax
		switch typ {
		case "snapshot":
			continue
		case "ticket.called":
			limit = callMax
		case "announcement.posted":
			limit = announcementMax
		}
		if n > limit {
			t.Errorf("%s is %d bytes, over %d", typ, n, limit)
		}
	}
	sort.Strings(report)
	t.Logf("largest message of each type, bytes: %s", strings.Join(report, ", "))
	if !seenAll(largest) {
		t.Fatalf("not every kind of event came: %v", largest)
	}
}

// seenAll reports whether every kind of event the test makes has come.
func seenAll(seen map[string]int) bool {
	for _, typ := range []string{"ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.done",
		"ticket.no_show", "ticket.transferred", "ticket.cancelled", "ticket.expired", "counter.opened", "counter.paused",
		"counter.closed", "branch.updated", "device.created", "user.created", "snapshot",
		"appointment.booked", "appointment.checked_in", "appointment.moved", "appointment.cancelled",
		"appointment.reminder_due", "appointment.no_show", "announcement.posted", "announcement.withdrawn"} {
		if _, ok := seen[typ]; !ok {
			return false
		}
	}
	return true
}

// longest repeats s up to the longest announcement text (280 characters).
func longest(s string) string {
	r := []rune(strings.Repeat(s, 10))
	return strings.TrimSpace(string(r[:280]))
}
