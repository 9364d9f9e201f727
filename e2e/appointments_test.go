package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// chkClock is the server's clock in these tests: it runs from a fixed
// morning in Athens and can be moved forward, so that an appointment's
// slot can begin while the test waits for nothing.
type chkClock struct {
	base, start time.Time
	skip        atomic.Int64
}

func (c *chkClock) now() time.Time {
	return c.base.Add(time.Since(c.start) + time.Duration(c.skip.Load()))
}

func (c *chkClock) advance(d time.Duration) { c.skip.Add(int64(d)) }

// chkAthens is Europe/Athens (UTC+2 in November).
func chkAthens(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// chkStart starts seira with its clock at 10:50 on Wednesday 25 November
// 2026 in Athens. The demo office is open all day, with slots of 15
// minutes for certificates.
func chkStart(t *testing.T) (*apptest.Env, *chkClock) {
	t.Helper()
	c := &chkClock{base: time.Date(2026, 11, 25, 10, 50, 0, 0, chkAthens(t)), start: time.Now()}
	env := apptest.Start(t, func(cfg *app.Config) { cfg.Now = c.now })
	return env, c
}

// chkAt is 25 November 2026 at hh:mm in Athens, as the API writes it.
func chkAt(hhmm string) string { return "2026-11-25T" + hhmm + ":00+02:00" }

type chkAppt struct {
	Code   string  `json:"code"`
	State  string  `json:"state"`
	Start  string  `json:"start"`
	Ticket *string `json:"ticket"`
}

// chkBook books certificates at hh:mm as staff over the API.
func chkBook(t *testing.T, api *apptest.Client, hhmm string) chkAppt {
	t.Helper()
	res := api.Do("POST", "/api/v1/branches/demo/appointments", map[string]string{"service": "certificates", "start": chkAt(hhmm), "lang": "el"})
	if res.Status != 201 {
		t.Fatalf("book %s: %d %s", hhmm, res.Status, apptest.Short(res.Body))
	}
	return apptest.Decode[chkAppt](t, res)
}

// chkImport imports an appointment of certificates at hh:mm (an outside
// system's: its start may have begun) and returns its code.
func chkImport(t *testing.T, api *apptest.Client, id, hhmm, reference string) string {
	t.Helper()
	row := map[string]string{"external_id": id, "service": "certificates", "start": chkAt(hhmm), "reference": reference}
	res := api.Do("POST", "/api/v1/branches/demo/appointments/import", []map[string]string{row})
	var out struct {
		Appointments []struct{ ExternalID, Code string } `json:"appointments"`
		Refused      []json.RawMessage                   `json:"refused"`
	}
	if res.Status != 200 {
		t.Fatalf("import %s: %d %s", id, res.Status, apptest.Short(res.Body))
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || len(out.Appointments) != 1 {
		t.Fatalf("import %s: %s (%v)", id, res.Body, err)
	}
	return out.Appointments[0].Code
}

// chkKiosk opens the paired demo kiosk at width×height.
func chkKiosk(t *testing.T, env *apptest.Env, width, height int) context.Context {
	t.Helper()
	ctx := bt.Browser(t, width, height)
	bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
	bt.WaitTrue(t, ctx, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired && !document.getElementById("btn-checkin").hidden`)
	return ctx
}

// chkKeypad opens the check-in from the start screen and types code on
// the on-screen keypad, key by key, then presses Continue.
func chkKeypad(t *testing.T, kiosk context.Context, code string) {
	t.Helper()
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services"`)
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-checkin")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "checkin" && document.activeElement.id === "checkin-code"`)
	for _, ch := range code {
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`#checkin-keys button[data-key="`+string(ch)+`"]`)))
	}
	bt.WaitTrue(t, kiosk, long, `document.getElementById("checkin-code").value === `+strconv.Quote(code))
	// A touch on a key leaves the focus in the field, where a scanner types.
	if got := bt.Eval[string](t, kiosk, `document.activeElement.id`); got != "checkin-code" {
		t.Errorf("after the keypad the focus is on %q, want the code field", got)
	}
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-checkin-go")))
}

// chkScan types code and Enter as a USB scanner does, on the start
// screen: the check-in opens by itself and takes it.
func chkScan(t *testing.T, kiosk context.Context, code string) {
	t.Helper()
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services"`)
	bt.Do(t, kiosk, long, chromedp.KeyEvent(code+"\r"))
}

// chkBackToStart presses the notice screen's "back to the start".
func chkBackToStart(t *testing.T, kiosk context.Context) {
	t.Helper()
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-notice-back")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services"`)
}

// chkSave saves the branch form and waits for the server's answer (the
// status line, emptied first, says it was saved).
func chkSave(t *testing.T, admin context.Context) {
	t.Helper()
	bt.Eval[chromedp.Void](t, admin, `document.getElementById("status").textContent = ""`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-branch-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("status").textContent !== ""`)
	if kind := bt.Eval[string](t, admin, `document.getElementById("status").dataset.kind`); kind != "ok" {
		t.Fatalf("saving the branch: %s %q", kind, bt.Eval[string](t, admin, `document.getElementById("status").textContent + " " + document.getElementById("branch-error").textContent`))
	}
}

// TestAppointmentWholePath: a citizen books certificates at 11:00 on the
// booking page while another waits with an older walk-in ticket; at 10:50
// the citizen types the code on the kiosk's keypad and gets a ticket
// marked with the appointment; once the slot has begun the clerk presses
// "next" and the appointment is called before the older walk-in, with its
// marker on the console; the display shows the number, and the
// administration's day view lists the appointment as checked in with its
// ticket.
func TestAppointmentWholePath(t *testing.T) {
	env, clock := chkStart(t)
	api := env.Admin()
	walkIn := issue(t, api, "certificates")

	// The booking page, as the citizen uses it.
	phone := bt.Browser(t, 390, 844)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/book/demo"))
	bt.WaitTrue(t, phone, long, `window.seiraBook && seiraBook.ready && seiraBook.view === "form"`)
	bt.WaitTrue(t, phone, long, `document.querySelector('#service-list input[data-service="certificates"]') !== null`)
	bt.Eval[chromedp.Void](t, phone, `document.querySelector('#service-list input[data-service="certificates"]').click()`)
	day := `input[data-day="2026-11-25"]`
	bt.WaitTrue(t, phone, long, `seiraBook.service === "certificates" && document.querySelector('`+day+`') !== null`)
	bt.Eval[chromedp.Void](t, phone, `document.querySelector('`+day+`').click()`)
	slot := `input[data-start="` + chkAt("11:00") + `"]`
	bt.WaitTrue(t, phone, long, `seiraBook.day === "2026-11-25" && document.querySelector('`+slot+`') !== null`)
	bt.Eval[chromedp.Void](t, phone, `document.querySelector('`+slot+`').click()`)
	bt.WaitTrue(t, phone, long, `seiraBook.start === "`+chkAt("11:00")+`"`)
	bt.Do(t, phone, long, chromedp.Click(chromedp.ID("btn-book")))
	bt.WaitTrue(t, phone, long, `seiraBook.view === "done" && !!seiraBook.code`)
	code := bt.Eval[string](t, phone, `seiraBook.code`)
	if len(code) != 6 {
		t.Fatalf("the booking page gave the code %q", code)
	}

	display := bt.Browser(t, 1920, 1080)
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected`)

	// The kiosk: the entry beside the services, the keypad, the ticket.
	kiosk := chkKiosk(t, env, 1920, 1080)
	checkAxe(t, kiosk, "kiosk start with the appointment entry")
	bt.Screenshot(t, kiosk, "checkin-start-el")
	chkKeypad(t, kiosk, code)
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket" && seiraKiosk.lastTicket && seiraKiosk.lastTicket.source === "appointment"`)
	number := bt.Eval[string](t, kiosk, text("ticket-number"))
	if number == "" || number == walkIn.Number {
		t.Fatalf("the kiosk shows the number %q (the walk-in's is %s)", number, walkIn.Number)
	}
	if got := bt.Eval[string](t, kiosk, `seiraKiosk.lastTicket.appointment.code`); got != code {
		t.Errorf("the ticket's appointment is %q, want %s", got, code)
	}
	if got := bt.Eval[string](t, kiosk, text("ticket-appt")); got != "Ραντεβού στις 11:00" {
		t.Errorf("the ticket says %q, want the appointment's time", got)
	}
	if got := bt.Eval[string](t, kiosk, `document.getElementById("print-appt").textContent`); !strings.Contains(got, "11:00") {
		t.Errorf("the printed ticket says %q, want the appointment's time", got)
	}
	// As a ticket is shown: the printed-or-not hint, the large number.
	if got := bt.Eval[string](t, kiosk, text("ticket-take-printed")); !strings.HasPrefix(got, "Σαρώστε") {
		t.Errorf("the hint says %q", got)
	}
	if px := bt.Eval[float64](t, kiosk, `parseFloat(getComputedStyle(document.getElementById("ticket-number")).fontSize)`); px < 72 {
		t.Errorf("the number is %.0f px", px)
	}
	bt.WithinViewport(t, kiosk, "kiosk appointment ticket 1920×1080", "#ticket-number", "#ticket-appt", "#btn-done")
	bt.WaitTrue(t, kiosk, long, `document.getElementById("ticket-qr").complete`)
	checkAxe(t, kiosk, "kiosk appointment ticket")
	bt.Screenshot(t, kiosk, "checkin-ticket-el")
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-done")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services" && document.getElementById("checkin-code").value === ""`)

	// The console, once the slot has begun: the appointment goes first.
	clerk := bt.Browser(t, 1366, 768)
	signIn(t, clerk, env.URL, "1")
	clock.advance(11 * time.Minute) // 11:01
	bt.Do(t, clerk, long, chromedp.Click(chromedp.ID("btn-next")))
	bt.WaitTrue(t, clerk, long, `seiraCounter.current !== null`)
	if got := bt.Eval[string](t, clerk, `seiraCounter.current`); got != number {
		t.Fatalf("next called %s, want the appointment's %s before the older walk-in %s", got, number, walkIn.Number)
	}
	bt.WaitTrue(t, display, long, `document.getElementById("latest-number").textContent.trim() === "`+number+`"`)
	// The call's live event has reached the console too (it counts one
	// waiting, the walk-in): the marker stays.
	bt.WaitTrue(t, clerk, long, `document.querySelector('#queue-body tr[data-service="certificates"] td.num').textContent.trim() === "1"`)
	bt.WaitTrue(t, clerk, long, `seiraCounter.currentAppt && !document.getElementById("current-appt").hidden`)
	if got := bt.Eval[string](t, clerk, text("current-appt")); got != "Ραντεβού 11:00" {
		t.Errorf("the console marks the ticket %q", got)
	}
	if got := bt.Eval[string](t, clerk, `document.getElementById("current-appt").dataset.code`); got != code {
		t.Errorf("the marker's code is %q, want %s", got, code)
	}
	bt.WithinViewport(t, clerk, "console with an appointment ticket", consoleButtons...)
	bt.OneLine(t, clerk, "console with an appointment ticket", consoleButtons...)
	bt.NoHorizontalOverflow(t, clerk, "console with an appointment ticket")
	checkAxe(t, clerk, "console with an appointment ticket")
	bt.Screenshot(t, clerk, "checkin-console-el")
	switchLang(t, clerk, "en")
	if got := bt.Eval[string](t, clerk, text("current-appt")); got != "Appointment 11:00" {
		t.Errorf("the console marks the ticket %q in English", got)
	}
	bt.Screenshot(t, clerk, "checkin-console-en")
	bt.Screenshot(t, display, "checkin-display")

	// The administration's day: the appointment, checked in, its ticket.
	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("nav-appointments")))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "appointments" && seiraAdmin.ready && seiraAdmin.apptRows === 1`)
	row := `#appt-body tr[data-code="` + code + `"]`
	if got := bt.Eval[string](t, admin, `document.querySelector('`+row+`').dataset.state`); got != "checked_in" {
		t.Errorf("the day view says %q", got)
	}
	if got := bt.Eval[string](t, admin, `document.querySelector('`+row+` td[data-ticket]').textContent.trim()`); got != number {
		t.Errorf("the day view's ticket is %q, want %s", got, number)
	}
	if got := bt.Eval[string](t, admin, `document.querySelector('`+row+`').textContent`); !strings.Contains(got, "11:00") || !strings.Contains(got, "Ήρθε") {
		t.Errorf("the day view's row reads %q", got)
	}
	if got := bt.Eval[string](t, admin, `document.getElementById("appt-date").value`); got != "2026-11-25" {
		t.Errorf("the day view opens on %q, want the office's today", got)
	}
	bt.NoHorizontalOverflow(t, admin, "admin appointments at 1366×768")
	checkAxe(t, admin, "admin appointments")
	bt.Screenshot(t, admin, "checkin-admin-day-el")
}

// TestCheckinKioskAnswersEveryCase: an unknown code, a second check-in,
// too early, too late (with the walk-in offer taken) and a cancelled
// appointment each get a true answer on the kiosk, in Greek and English,
// by keypad and by scanner; the appointment screens pass axe and fit
// 1366×768 and 1920×1080.
func TestCheckinKioskAnswersEveryCase(t *testing.T) {
	env, _ := chkStart(t)
	api := env.Admin()
	onTime := chkBook(t, api, "11:00")
	early := chkBook(t, api, "12:00")
	cancelled := chkBook(t, api, "11:15")
	if st := api.Call("DELETE", "/api/v1/branches/demo/appointments/"+cancelled.Code, nil, nil); st != 200 {
		t.Fatalf("cancel: %d", st)
	}
	late := chkImport(t, api, "late-1", "10:30", "")
	unknown := "CCCCCC"
	for _, c := range []string{onTime.Code, early.Code, cancelled.Code, late} {
		if c == unknown {
			unknown = "DDDDDD"
		}
	}

	for _, size := range [][2]int{{1366, 768}, {1920, 1080}} {
		kiosk := chkKiosk(t, env, size[0], size[1])
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-checkin")))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "checkin"`)
		what := "kiosk keypad " + strconv.Itoa(size[0]) + "×" + strconv.Itoa(size[1])
		bt.WithinViewport(t, kiosk, what, "#checkin-code", "#checkin-keys button", "#btn-checkin-go", "#btn-checkin-del", "#btn-checkin-back")
		bt.NoHorizontalOverflow(t, kiosk, what)
		small := bt.Eval[[]string](t, kiosk, `[...document.querySelectorAll("#screen-checkin button")].filter(e => {
			const r = e.getBoundingClientRect(); return r.width < 44 || r.height < 44; }).map(e => e.id || e.textContent.trim())`)
		if len(small) > 0 {
			t.Errorf("%s: keys under 44×44 px: %v", what, small)
		}
		bt.Screenshot(t, kiosk, "checkin-keypad-"+strconv.Itoa(size[0]))
	}

	kiosk := chkKiosk(t, env, 1366, 768)

	// An incomplete code is refused in place; the keypad's Delete works.
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-checkin")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "checkin"`)
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`#checkin-keys button[data-key="A"]`)),
		chromedp.Click(chromedp.CSS(`#checkin-keys button[data-key="7"]`)),
		chromedp.Click(chromedp.ID("btn-checkin-del")),
		chromedp.Click(chromedp.ID("btn-checkin-go")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.error === "code_incomplete" && !document.getElementById("checkin-error").hidden`)
	if got := bt.Eval[string](t, kiosk, `document.getElementById("checkin-code").value`); got != "A" {
		t.Errorf("after A, 7 and Delete the field holds %q", got)
	}

	// An unknown code, typed on a keyboard (lower case, with a dash) and
	// Enter: said under the field, the code kept for correcting.
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-checkin-del")))
	bt.Type(t, kiosk, long, "checkin-code", strings.ToLower(unknown[:3])+"-"+strings.ToLower(unknown[3:])+"\r")
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "checkin" && seiraKiosk.error === "not_found" && !document.getElementById("checkin-error").hidden`)
	if got := bt.Eval[string](t, kiosk, text("checkin-error")); !strings.Contains(got, unknown) || !strings.Contains(got, "Δεν βρέθηκε") {
		t.Errorf("the unknown code's message is %q", got)
	}
	if got := bt.Eval[string](t, kiosk, `document.getElementById("checkin-code").value`); got != unknown {
		t.Errorf("the field holds %q after the unknown code", got)
	}
	checkAxe(t, kiosk, "kiosk keypad with an unknown code")
	bt.Screenshot(t, kiosk, "checkin-unknown-el")
	switchLang(t, kiosk, "en")
	if got := bt.Eval[string](t, kiosk, text("checkin-error")); !strings.HasPrefix(got, "No appointment with code "+unknown) {
		t.Errorf("in English the unknown code's message is %q", got)
	}
	checkAxe(t, kiosk, "kiosk keypad en")
	bt.Do(t, kiosk, long, chromedp.KeyEvent(kb.Escape)) // Escape: back to the start, in the kiosk's language
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services" && seiraKiosk.lang === "el"`)

	// The appointment checked in on the keypad …
	chkKeypad(t, kiosk, onTime.Code)
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket" && seiraKiosk.lastTicket && seiraKiosk.lastTicket.source === "appointment"`)
	first := bt.Eval[string](t, kiosk, text("ticket-number"))
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-done")))

	// … and again, by the scanner on the start screen: the number it has.
	chkScan(t, kiosk, onTime.Code)
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "notice" && seiraKiosk.error === "already_checked_in"`)
	if got := bt.Eval[string](t, kiosk, text("notice-number")); got != first {
		t.Errorf("the second check-in shows %q, want the ticket's %s", got, first)
	}
	if got := bt.Eval[string](t, kiosk, text("notice-message")); !strings.Contains(got, first) {
		t.Errorf("the second check-in says %q", got)
	}
	checkAxe(t, kiosk, "kiosk already checked in")
	bt.Screenshot(t, kiosk, "checkin-already-el")
	chkBackToStart(t, kiosk)

	// Too early: when to come back (check-in opens 30 minutes before 12:00).
	chkKeypad(t, kiosk, early.Code)
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "notice" && seiraKiosk.error === "too_early"`)
	if got := bt.Eval[string](t, kiosk, text("notice-message")); !strings.Contains(got, "11:30") {
		t.Errorf("too early says %q, want the time 11:30", got)
	}
	checkAxe(t, kiosk, "kiosk too early")
	bt.Screenshot(t, kiosk, "checkin-too-early-el")
	switchLang(t, kiosk, "en")
	if got := bt.Eval[string](t, kiosk, text("notice-message")); got != "Check-in for your appointment opens at 11:30. Please come back then." {
		t.Errorf("too early says %q in English", got)
	}
	bt.Screenshot(t, kiosk, "checkin-too-early-en")
	chkBackToStart(t, kiosk)

	// Cancelled: no longer valid.
	chkKeypad(t, kiosk, cancelled.Code)
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "notice" && seiraKiosk.error === "conflict"`)
	if !bt.Eval[bool](t, kiosk, `document.getElementById("btn-walkin").hidden`) {
		t.Error("a cancelled appointment is offered a walk-in ticket")
	}
	checkAxe(t, kiosk, "kiosk cancelled appointment")
	chkBackToStart(t, kiosk)

	// Too late: the offer of a walk-in ticket, taken.
	chkKeypad(t, kiosk, late)
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "notice" && seiraKiosk.error === "too_late" && !document.getElementById("btn-walkin").hidden`)
	checkAxe(t, kiosk, "kiosk too late")
	bt.Screenshot(t, kiosk, "checkin-too-late-el")
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-walkin")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket" && seiraKiosk.lastTicket && seiraKiosk.lastTicket.source === "walk_in"`)
	if !bt.Eval[bool](t, kiosk, `document.getElementById("ticket-appt").hidden`) {
		t.Error("the walk-in ticket of a late appointment is marked as an appointment")
	}
	walkIn := bt.Eval[string](t, kiosk, text("ticket-number"))
	if walkIn == "" || walkIn == first {
		t.Errorf("the walk-in ticket's number is %q", walkIn)
	}
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-done")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services"`)

	// High contrast: the keypad passes too.
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-contrast")), chromedp.Click(chromedp.ID("btn-checkin")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.contrast && seiraKiosk.screen === "checkin"`)
	checkAxe(t, kiosk, "kiosk keypad, high contrast")
	bt.Screenshot(t, kiosk, "checkin-keypad-hc")
}

// TestAppointmentMarkedOnTheConsole: an imported appointment with a
// reference, checked in by a kiosk over the API and called: the console
// shows its marker, time and reference, and again after a reload (from
// the state, not the call's answer).
func TestAppointmentMarkedOnTheConsole(t *testing.T) {
	env, _ := chkStart(t)
	api := env.Admin()
	code := chkImport(t, api, "ext-42", "10:45", "ΑΠ-2026/117")
	kioskAPI := env.Kiosk("demo")
	var tk struct {
		Number      string `json:"number"`
		Source      string `json:"source"`
		Appointment struct {
			Code, Reference string
		} `json:"appointment"`
	}
	if st := kioskAPI.Call("POST", "/api/v1/branches/demo/checkin", map[string]any{"code": strings.ToLower(code)}, &tk); st != 201 {
		t.Fatalf("check-in: %d", st)
	}
	if tk.Source != "appointment" || tk.Appointment.Reference != "ΑΠ-2026/117" {
		t.Fatalf("the ticket is %+v", tk)
	}
	clerk := bt.Browser(t, 1366, 768)
	signIn(t, clerk, env.URL, "2")
	bt.Do(t, clerk, long, chromedp.Click(chromedp.ID("btn-next")))
	bt.WaitTrue(t, clerk, long, `seiraCounter.current === "`+tk.Number+`" && !document.getElementById("current-appt").hidden`)
	if got := bt.Eval[string](t, clerk, text("current-appt-ref")); got != "Αναφορά: ΑΠ-2026/117" {
		t.Errorf("the console shows the reference as %q", got)
	}
	bt.WithinViewport(t, clerk, "console with a reference", consoleButtons...)
	bt.Do(t, clerk, long, chromedp.Reload())
	bt.WaitTrue(t, clerk, long, `window.seiraCounter && seiraCounter.view === "console" && seiraCounter.current === "`+tk.Number+`"`)
	bt.WaitTrue(t, clerk, long, `!document.getElementById("current-appt").hidden && seiraCounter.currentAppt.code === "`+code+`"`)
	if got := bt.Eval[string](t, clerk, text("current-appt")); got != "Ραντεβού 10:45" {
		t.Errorf("after a reload the console marks %q", got)
	}
	if got := bt.Eval[string](t, clerk, text("current-appt-ref")); got != "Αναφορά: ΑΠ-2026/117" {
		t.Errorf("after a reload the reference reads %q", got)
	}
	bt.Screenshot(t, clerk, "checkin-console-reference-el")
}

// TestAppointmentStaffBookMoveAndCancel: in the administration, staff
// book an appointment for a citizen on the phone (a free slot of the
// day), move it to another free slot and cancel it; the settings' forms
// keep a service's appointment settings, the branch's closed dates and
// its appointment cap.
func TestAppointmentStaffBookMoveAndCancel(t *testing.T) {
	env, _ := chkStart(t)
	api := env.Admin()
	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/appointments?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "appointments" && seiraAdmin.ready && seiraAdmin.apptRows === 0`)
	if bt.Eval[bool](t, admin, `document.getElementById("appt-none").hidden`) {
		t.Error("an empty day does not say so")
	}

	// Book: certificates, today, 11:00.
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-appt-new")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("appt-book-form").hidden && document.getElementById("appt-book-service").value === "certificates"`)
	opt := `#appt-book-slot option[value="` + chkAt("11:00") + `"]`
	bt.WaitTrue(t, admin, long, `document.querySelector('`+opt+`') !== null`)
	if bt.Eval[bool](t, admin, `document.querySelector('#appt-book-slot option[value="`+chkAt("10:45")+`"]') !== null`) {
		t.Error("a slot that has begun is offered")
	}
	checkAxe(t, admin, "admin book form")
	bt.Screenshot(t, admin, "checkin-admin-book-el")
	bt.Do(t, admin, long, chromedp.SetValue(chromedp.ID("appt-book-slot"), chkAt("11:00")))
	bt.Type(t, admin, long, "appt-book-contact", "6900000000")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-appt-book")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("appt-booked").hidden && seiraAdmin.apptRows === 1`)
	code := bt.Eval[string](t, admin, `document.getElementById("appt-booked").dataset.code`)
	row := `#appt-body tr[data-code="` + code + `"]`
	if got := bt.Eval[string](t, admin, `document.querySelector('`+row+`').dataset.state`); got != "booked" {
		t.Fatalf("the booked row's state is %q", got)
	}
	var one struct {
		Start   string `json:"start"`
		Contact string `json:"contact"`
	}
	if st := api.Call("GET", "/api/v1/branches/demo/appointments/"+code, nil, &one); st != 200 || one.Start != chkAt("11:00") || one.Contact != "6900000000" {
		t.Fatalf("the API has %d %+v", st, one)
	}

	// Move it to 11:30.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(row+` button[data-move]`)))
	moveOpt := `#appt-move-slot option[value="` + chkAt("11:30") + `"]`
	bt.WaitTrue(t, admin, long, `!document.getElementById("appt-move-form").hidden && document.querySelector('`+moveOpt+`') !== null`)
	if bt.Eval[bool](t, admin, `document.querySelector('#appt-move-slot option[value="`+chkAt("11:00")+`"]') !== null`) {
		t.Error("the move offers the appointment's own slot")
	}
	checkAxe(t, admin, "admin move form")
	bt.Do(t, admin, long,
		chromedp.SetValue(chromedp.ID("appt-move-slot"), chkAt("11:30")),
		chromedp.Click(chromedp.ID("btn-appt-move")))
	bt.WaitTrue(t, admin, long, `document.getElementById("appt-move-form").hidden && document.querySelector('`+row+`').textContent.includes("11:30")`)
	if st := api.Call("GET", "/api/v1/branches/demo/appointments/"+code, nil, &one); st != 200 || one.Start != chkAt("11:30") {
		t.Fatalf("after the move the API has %d %+v", st, one)
	}

	// Cancel it.
	bt.Eval[chromedp.Void](t, admin, `window.confirm = () => true`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(row+` button[data-cancel]`)))
	bt.WaitTrue(t, admin, long, `document.querySelector('`+row+`').dataset.state === "cancelled"`)
	if bt.Eval[bool](t, admin, `document.querySelector('`+row+` button') !== null`) {
		t.Error("a cancelled appointment can still be moved or cancelled")
	}
	switchLang(t, admin, "en")
	if got := bt.Eval[string](t, admin, `document.querySelector('`+row+`').textContent`); !strings.Contains(got, "Cancelled") {
		t.Errorf("in English the row reads %q", got)
	}
	bt.NoHorizontalOverflow(t, admin, "admin appointments with forms at 1366×768")
	bt.Screenshot(t, admin, "checkin-admin-cancelled-en")
	switchLang(t, admin, "el")

	// The settings: a service's appointments, the branch's closed dates
	// and cap.
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/settings?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "settings" && seiraAdmin.ready`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#svc-body button[data-edit="certificates"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("svc-form").hidden && document.getElementById("svc-appt-on").checked && !document.getElementById("svc-appt-fields").hidden`)
	if got := bt.Eval[string](t, admin, `document.getElementById("svc-appt-slot").value`); got != "15" {
		t.Errorf("the slot length reads %q, want 15", got)
	}
	checkAxe(t, admin, "admin service form with appointments")
	bt.Screenshot(t, admin, "checkin-admin-service-el")
	bt.Do(t, admin, long, chromedp.SetValue(chromedp.ID("svc-appt-slot"), "7"), chromedp.Click(chromedp.ID("btn-svc-save")))
	bt.WaitTrue(t, admin, long, `seiraAdmin.lastError && seiraAdmin.lastError.code === "client_validation"`)
	bt.Do(t, admin, long,
		chromedp.SetValue(chromedp.ID("svc-appt-slot"), "20"),
		chromedp.SetValue(chromedp.ID("svc-appt-per"), "2"),
		chromedp.Click(chromedp.ID("btn-svc-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("svc-form").hidden`)

	bt.Do(t, admin, long,
		chromedp.SetValue(chromedp.ID("br-closed-date"), "2026-12-25"),
		chromedp.Click(chromedp.ID("btn-closed-add")),
		chromedp.SetValue(chromedp.ID("br-closed-date"), "2026-12-24"),
		chromedp.Click(chromedp.ID("btn-closed-add")))
	bt.WaitTrue(t, admin, long, `document.querySelectorAll("#br-closed-list li").length === 2`)
	if got := bt.Eval[string](t, admin, `document.querySelector("#br-closed-list li").dataset.date`); got != "2026-12-24" {
		t.Errorf("the closed dates are not in order: first %q", got)
	}
	bt.Do(t, admin, long, chromedp.SetValue(chromedp.ID("br-appt-cap"), "4"))
	checkAxe(t, admin, "admin branch form with closed dates")
	bt.Screenshot(t, admin, "checkin-admin-branch-el")
	chkSave(t, admin)

	var settings struct {
		Branch struct {
			ClosedDates    []string `json:"closed_dates"`
			AppointmentCap int      `json:"appointment_cap"`
		} `json:"branch"`
		Services []struct {
			ID           string `json:"id"`
			Appointments *struct {
				Enabled bool `json:"enabled"`
				SlotMin int  `json:"slot_min"`
				PerSlot int  `json:"per_slot"`
			} `json:"appointments"`
		} `json:"services"`
	}
	if st := api.Call("GET", "/api/v1/branches/demo/settings", nil, &settings); st != 200 {
		t.Fatalf("settings: %d", st)
	}
	if got := strings.Join(settings.Branch.ClosedDates, ","); got != "2026-12-24,2026-12-25" || settings.Branch.AppointmentCap != 4 {
		t.Errorf("the branch has closed dates %q and cap %d", got, settings.Branch.AppointmentCap)
	}
	for _, s := range settings.Services {
		if s.ID == "certificates" && (s.Appointments == nil || !s.Appointments.Enabled || s.Appointments.SlotMin != 20 || s.Appointments.PerSlot != 2) {
			t.Errorf("certificates' appointments are %+v", s.Appointments)
		}
		// Saving another service's form kept what it had: applications
		// books 30-minute slots.
		if s.ID == "applications" && (s.Appointments == nil || s.Appointments.SlotMin != 30) {
			t.Errorf("applications' appointments are %+v", s.Appointments)
		}
	}

	// Removing a date, and saving again, keeps the rest.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#br-closed-list li[data-date="2026-12-24"] button`)))
	bt.WaitTrue(t, admin, long, `document.querySelectorAll("#br-closed-list li").length === 1`)
	chkSave(t, admin)
	if st := api.Call("GET", "/api/v1/branches/demo/settings", nil, &settings); st != 200 || strings.Join(settings.Branch.ClosedDates, ",") != "2026-12-25" {
		t.Errorf("after removing a date the branch has %v", settings.Branch.ClosedDates)
	}
}
