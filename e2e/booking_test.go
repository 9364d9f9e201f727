package e2e

import (
	"context"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// The booking tests (TestBook…, TestAppointmentPage…) run the server's
// clock from 11:00 on Wednesday 25 November 2026 in Athens (the browser
// keeps its own clock: the pages must take "today" from the server), so
// that the days and times they pick are always free and in the future.
// Their helpers are named bk….

func bkAthens(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// bkEnv starts seira on the booking clock, with public bookings
// unlimited: the tests fill slots from one address.
func bkEnv(t *testing.T) *apptest.Env {
	t.Helper()
	day, start := time.Date(2026, 11, 25, 11, 0, 0, 0, bkAthens(t)), time.Now()
	return apptest.Start(t, func(c *app.Config) {
		c.Now = func() time.Time { return day.Add(time.Since(start)) }
		c.BookingRate, c.BookingBurst = 1000, 1000
	})
}

// bkSlot is the start of the slot at hh:mm on day (2026-11-DD) in Athens,
// as the API writes it.
func bkSlot(t *testing.T, day, hhmm string) string {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, bkAthens(t))
	if err != nil {
		t.Fatal(err)
	}
	return at.Format(time.RFC3339)
}

// bkAppt is an appointment as its holder's API shows it.
type bkAppt struct {
	Code      string  `json:"code"`
	Branch    string  `json:"branch"`
	Service   string  `json:"service"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	State     string  `json:"state"`
	Lang      string  `json:"lang"`
	Ticket    *string `json:"ticket"`
	Contact   string  `json:"contact"`
	Token     string  `json:"token"`
	ManageURL string  `json:"manage_url"`
}

// bkGet reads an appointment by its holder's token.
func bkGet(t *testing.T, c *apptest.Client, token string) bkAppt {
	t.Helper()
	var a bkAppt
	if st := c.Call("GET", "/api/v1/appointments/"+token, nil, &a); st != 200 {
		t.Fatalf("GET appointment: %d", st)
	}
	return a
}

// bkBook books certificates at start over the API, as a citizen.
func bkBook(t *testing.T, c *apptest.Client, start string) bkAppt {
	t.Helper()
	res := c.Do("POST", "/api/v1/branches/demo/appointments", map[string]string{"service": "certificates", "start": start, "lang": "el"})
	if res.Status != 201 {
		t.Fatalf("book %s: %d %s", start, res.Status, apptest.Short(res.Body))
	}
	return apptest.Decode[bkAppt](t, res)
}

// bkFill books certificates at start until the slot is full.
func bkFill(t *testing.T, c *apptest.Client, start string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		res := c.Do("POST", "/api/v1/branches/demo/appointments", map[string]string{"service": "certificates", "start": start})
		switch {
		case res.Status == 201:
			continue
		case res.Status == 409 && apptest.ErrorCode(res.Body) == "slot_full":
			return
		default:
			t.Fatalf("filling %s: %d %s", start, res.Status, apptest.Short(res.Body))
		}
	}
	t.Fatalf("slot %s never filled", start)
}

// bkq quotes a string for JavaScript.
func bkq(s string) string { return strconv.Quote(s) }

// bkPick clicks the card of the radio button matched by input (a selector
// of the <input> inside a label), as a finger would.
func bkPick(t *testing.T, ctx context.Context, input string) {
	t.Helper()
	bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS(`label:has(> `+input+`)`)))
}

// bkPickSlot chooses day, waits for its times, then the time at start.
func bkPickSlot(t *testing.T, ctx context.Context, hook, day, start string) {
	t.Helper()
	bt.WaitTrue(t, ctx, long, hook+`.slots && !`+hook+`.slots.loading && document.querySelector('#picker input[data-day="`+day+`"]:not(:disabled)')`)
	bkPick(t, ctx, `input[data-day="`+day+`"]`)
	bt.WaitTrue(t, ctx, long, hook+`.slots.day === `+bkq(day)+` && document.querySelector('#picker input[data-start=`+bkq(start)+`]:not(:disabled)')`)
	bkPick(t, ctx, `input[data-start=`+bkq(start)+`]`)
}

// bkQR decodes the QR code the page shows in img (by id), from the
// pixels the browser drew.
func bkQR(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	bt.WaitTrue(t, ctx, long, `document.getElementById(`+bkq(id)+`).complete && document.getElementById(`+bkq(id)+`).naturalWidth > 0`)
	data := bt.Eval[string](t, ctx, `(() => { const i = document.getElementById(`+bkq(id)+`);
		const c = document.createElement("canvas"); c.width = i.naturalWidth; c.height = i.naturalHeight;
		c.getContext("2d").drawImage(i, 0, 0); return c.toDataURL("image/png"); })()`)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(data, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	return apptest.DecodeQR(t, raw)
}

// bkShownCode is the code as the page shows it to the eye ("K7P 3QX").
func bkShownCode(t *testing.T, ctx context.Context) string {
	t.Helper()
	return bt.Eval[string](t, ctx, `document.querySelector('#appt-code [aria-hidden="true"]').textContent`)
}

// TestBookOnAPhoneThenMoveAndCancel books certificates on a 360-wide
// phone with a contact, checks the confirmation against the API (code,
// QR code, time, contact), then follows the manage link: moves the
// appointment to another time and cancels it, checking the API each time.
// axe checks every step in Greek and the main ones in English too.
func TestBookOnAPhoneThenMoveAndCancel(t *testing.T) {
	t.Parallel()
	env := bkEnv(t)
	api := env.Client()
	tomorrow := "2026-11-26"
	first, second := bkSlot(t, tomorrow, "10:00"), bkSlot(t, tomorrow, "11:30")

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(env.URL+"/book/demo"))
	bt.WaitTrue(t, phone, long, `window.seiraBook && seiraBook.ready && seiraBook.view === "form"`)
	// Only bookable services are offered.
	if got := bt.Eval[[]string](t, phone, `[...document.querySelectorAll("#service-list input")].map(i => i.dataset.service)`); strings.Join(got, ",") != "certificates,applications" {
		t.Errorf("services offered: %v, want certificates and applications", got)
	}
	checkAxe(t, phone, "booking, services, el")
	bt.NoHorizontalOverflow(t, phone, "booking, services")

	bkPick(t, phone, `input[data-service="certificates"]`)
	bt.WaitTrue(t, phone, long, `seiraBook.service === "certificates" && seiraBook.slots && seiraBook.slots.loads > 0 && !seiraBook.slots.loading`)
	// The week starts on the server's today, whatever this device's date.
	if from := bt.Eval[string](t, phone, `seiraBook.slots.from`); from != "2026-11-25" {
		t.Errorf("the first week starts on %s, want the server's today 2026-11-25", from)
	}
	// Slots already begun are not offered.
	if bt.Eval[bool](t, phone, `!!document.querySelector('#picker input[data-start=`+bkq(bkSlot(t, "2026-11-25", "10:45"))+`]')`) {
		t.Error("a slot that has begun is offered")
	}
	bkPickSlot(t, phone, "seiraBook", tomorrow, first)
	bt.WaitTrue(t, phone, long, `seiraBook.start === `+bkq(first)+` && !document.getElementById("step-contact").hidden`)
	if got := bt.Eval[string](t, phone, text("sum-time")); got != "10:00–10:15" {
		t.Errorf("the summary's time: %q", got)
	}
	checkAxe(t, phone, "booking, time chosen, el")
	bt.NoHorizontalOverflow(t, phone, "booking, time chosen")
	atLeast(t, phone, "booking, time chosen", "main", 16)
	bt.Screenshot(t, phone, "book-phone-chosen-el")

	// The chosen time stays in sight below the times, with the way on.
	bt.WithinViewport(t, phone, "booking, time chosen", "#slot-bar")
	if got := bt.Eval[string](t, phone, text("slot-chosen")); !strings.Contains(got, "10:00") {
		t.Errorf("the bar says %q", got)
	}
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-continue")))
	bt.WaitTrue(t, phone, long, `document.activeElement.id === "contact"`)

	// A contact that is neither a phone number nor an e-mail is refused
	// in the form, which sends nothing.
	bt.Type(t, phone, long, "contact", "call me")
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-book")))
	bt.WaitTrue(t, phone, long, `!document.getElementById("contact-error").hidden && document.getElementById("contact").getAttribute("aria-invalid") === "true" && document.activeElement.id === "contact"`)
	checkAxe(t, phone, "booking, contact refused, el")
	contact := "+30 690 123 4567"
	bt.Eval[bool](t, phone, `(document.getElementById("contact").value = "") === ""`)
	bt.Type(t, phone, long, "contact", contact)
	bt.WaitTrue(t, phone, long, `document.getElementById("contact-error").hidden`)
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-book")))
	bt.WaitTrue(t, phone, long, `seiraBook.view === "done" && !!seiraBook.code && document.activeElement.id === "done-title"`)

	// The confirmation against the API, by the token in the manage link.
	code := bt.Eval[string](t, phone, `document.getElementById("appt-code").dataset.code`)
	manage := bt.Eval[string](t, phone, `document.getElementById("manage-link").href`)
	u, err := url.Parse(manage)
	if err != nil || !strings.HasPrefix(u.Path, "/a/") {
		t.Fatalf("manage link %q", manage)
	}
	token := strings.TrimPrefix(u.Path, "/a/")
	a := bkGet(t, api, token)
	if a.Code != code || len(code) != 6 || a.Start != first || a.Service != "certificates" || a.State != "booked" || a.Contact != contact || a.Lang != "el" || a.ManageURL != manage {
		t.Fatalf("page shows code %q, link %s; API has %+v", code, manage, a)
	}
	if got, want := bkShownCode(t, phone), code[:3]+" "+code[3:]; got != want {
		t.Errorf("the code reads %q, want %q", got, want)
	}
	if px := bt.Eval[float64](t, phone, `parseFloat(getComputedStyle(document.getElementById("appt-code")).fontSize)`); px < 40 {
		t.Errorf("the code is %.0f px: it should be large", px)
	}
	if got := bkQR(t, phone, "appt-qr"); got != code {
		t.Errorf("the QR code says %q, want %q", got, code)
	}
	// The staff's day list has it too.
	var day struct {
		Appointments []struct {
			Code       string `json:"code"`
			Start      string `json:"start"`
			HasContact bool   `json:"has_contact"`
		} `json:"appointments"`
	}
	if st := env.Admin().Call("GET", "/api/v1/branches/demo/appointments?date="+tomorrow, nil, &day); st != 200 {
		t.Fatalf("day list: %d", st)
	}
	if len(day.Appointments) != 1 || day.Appointments[0].Code != code || day.Appointments[0].Start != first || !day.Appointments[0].HasContact {
		t.Errorf("day list: %+v", day.Appointments)
	}
	// When, in the branch's time, and the check-in window.
	if got := bt.Eval[string](t, phone, text("done-date")); got != "Πέμπτη 26 Νοεμβρίου 2026" {
		t.Errorf("date: %q", got)
	}
	if got := bt.Eval[string](t, phone, text("done-time")); got != "10:00–10:15" {
		t.Errorf("time: %q", got)
	}
	if got := bt.Eval[string](t, phone, text("done-onday")); !strings.Contains(got, "09:30") || !strings.Contains(got, "10:10") {
		t.Errorf("what to do on the day: %q, want the window 09:30–10:10", got)
	}
	checkAxe(t, phone, "booking, confirmation, el")
	bt.NoHorizontalOverflow(t, phone, "booking, confirmation, el")
	bt.Screenshot(t, phone, "book-phone-confirmation-el")
	switchLang(t, phone, "en")
	if got := bt.Eval[string](t, phone, text("done-date")); !strings.HasPrefix(got, "Thursday") || !strings.HasSuffix(got, "26 November 2026") {
		t.Errorf("date in English: %q", got)
	}
	checkAxe(t, phone, "booking, confirmation, en")
	bt.NoHorizontalOverflow(t, phone, "booking, confirmation, en")
	bt.Screenshot(t, phone, "book-phone-confirmation-en")

	// The manage link: the appointment in the language it was booked in.
	bt.Do(t, phone, long, chromedp.Navigate(manage))
	bt.WaitTrue(t, phone, long, `window.seiraAppt && seiraAppt.ready && seiraAppt.state === "booked" && seiraAppt.lang === "el"`)
	if got := bt.Eval[string](t, phone, `document.getElementById("appt-code").dataset.code`); got != code {
		t.Errorf("the manage page shows code %q, want %q", got, code)
	}
	if got := bkQR(t, phone, "appt-qr"); got != code {
		t.Errorf("the manage page's QR code says %q", got)
	}
	if got := bt.Eval[string](t, phone, text("appt-time")); got != "10:00–10:15" {
		t.Errorf("the manage page's time: %q", got)
	}
	checkAxe(t, phone, "appointment, booked, el")
	bt.NoHorizontalOverflow(t, phone, "appointment, booked, el")
	bt.Screenshot(t, phone, "appt-phone-booked-el")
	switchLang(t, phone, "en")
	checkAxe(t, phone, "appointment, booked, en")
	switchLang(t, phone, "el")

	// Move to 11:30 the same day: the present time cannot be chosen again.
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-move")))
	bt.WaitTrue(t, phone, long, `seiraAppt.moving && seiraAppt.slots && seiraAppt.slots.loads > 0 && !seiraAppt.slots.loading && seiraAppt.slots.day === `+bkq(tomorrow))
	if !bt.Eval[bool](t, phone, `document.querySelector('#picker input[data-start=`+bkq(first)+`]').disabled`) {
		t.Error("the appointment's own time is offered as a new time")
	}
	if !bt.Eval[bool](t, phone, `document.getElementById("btn-move-confirm").disabled`) {
		t.Error("the move can be confirmed before a time is chosen")
	}
	bkPickSlot(t, phone, "seiraAppt", tomorrow, second)
	bt.WaitTrue(t, phone, long, `seiraAppt.picked === `+bkq(second)+` && !document.getElementById("btn-move-confirm").disabled`)
	if got := bt.Eval[string](t, phone, text("btn-move-confirm")); !strings.Contains(got, "11:30") {
		t.Errorf("the confirm button says %q, want the new time", got)
	}
	checkAxe(t, phone, "appointment, moving, el")
	bt.NoHorizontalOverflow(t, phone, "appointment, moving")
	bt.Screenshot(t, phone, "appt-phone-moving-el")
	// Nothing changes before the confirmation.
	if a := bkGet(t, api, token); a.Start != first {
		t.Fatalf("moved before the confirmation: %s", a.Start)
	}
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-move-confirm")))
	bt.WaitTrue(t, phone, long, `seiraAppt.start === `+bkq(second)+` && !seiraAppt.moving && !document.getElementById("appt-notice").hidden`)
	if a := bkGet(t, api, token); a.Start != second || a.Code != code || a.State != "booked" {
		t.Fatalf("after the move the API has %+v, want %s", a, second)
	}
	if got := bt.Eval[string](t, phone, text("appt-time")); got != "11:30–11:45" {
		t.Errorf("after the move the page says %q", got)
	}

	// Cancel, after the confirmation step.
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-cancel")))
	bt.WaitTrue(t, phone, long, `document.getElementById("cancel-dialog").open && document.activeElement.id === "btn-cancel-keep"`)
	checkAxe(t, phone, "appointment, cancel dialog, el")
	bt.Screenshot(t, phone, "appt-phone-cancel-dialog-el")
	if a := bkGet(t, api, token); a.State != "booked" {
		t.Fatalf("cancelled before the confirmation: %s", a.State)
	}
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-cancel-confirm")))
	bt.WaitTrue(t, phone, long, `seiraAppt.state === "cancelled" && !document.getElementById("cancel-dialog").open`)
	if a := bkGet(t, api, token); a.State != "cancelled" {
		t.Fatalf("after cancelling the API has state %s", a.State)
	}
	if !bt.Eval[bool](t, phone, `document.getElementById("appt-actions").hidden && document.getElementById("appt-qr").hidden`) {
		t.Error("a cancelled appointment still offers to move or cancel, or shows its QR code")
	}
	checkAxe(t, phone, "appointment, cancelled, el")
	bt.Screenshot(t, phone, "appt-phone-cancelled-el")
}

// TestBookSlotTakenMeanwhile: a time chosen on the page fills up before
// the citizen presses the button (the API books its last places): the page
// says the time was just taken, shows it full and asks for another. The
// same on the holder's page when moving.
func TestBookSlotTakenMeanwhile(t *testing.T) {
	t.Parallel()
	env := bkEnv(t)
	api := env.Client()
	day := "2026-11-26"
	taken := bkSlot(t, day, "12:00")

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/book/demo"))
	bt.WaitTrue(t, phone, long, `window.seiraBook && seiraBook.ready && seiraBook.view === "form"`)
	bkPick(t, phone, `input[data-service="certificates"]`)
	bkPickSlot(t, phone, "seiraBook", day, taken)
	bt.WaitTrue(t, phone, long, `seiraBook.start === `+bkq(taken))
	loads := bt.Eval[int](t, phone, `seiraBook.slots.loads`)

	bkFill(t, api, taken)
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-book")))
	bt.WaitTrue(t, phone, long, `seiraBook.error === "slot_full" && !document.getElementById("slot-error").hidden && document.activeElement.id === "slot-error"`)
	if got := bt.Eval[string](t, phone, text("slot-error")); !strings.Contains(got, "μόλις κλείστηκε") {
		t.Errorf("the slot_full message: %q", got)
	}
	// The week is read again: the time shows full and is no longer chosen.
	bt.WaitTrue(t, phone, long, `seiraBook.slots.loads > `+strconv.Itoa(loads)+` && !seiraBook.slots.loading && seiraBook.start === null && document.getElementById("step-contact").hidden && document.getElementById("slot-bar").hidden`)
	bt.WaitTrue(t, phone, long, `document.querySelector('#picker input[data-start=`+bkq(taken)+`]').disabled && seiraBook.slots.day === `+bkq(day))
	if got := bt.Eval[string](t, phone, `document.querySelector('#picker input[data-start=`+bkq(taken)+`]').parentElement.textContent`); !strings.Contains(got, "πλήρης") {
		t.Errorf("the full time reads %q", got)
	}
	checkAxe(t, phone, "booking, slot just taken, el")
	bt.Screenshot(t, phone, "book-phone-slot-full-el")

	// Moving to a time that fills meanwhile.
	mine := bkBook(t, api, bkSlot(t, day, "09:00"))
	other := bkSlot(t, day, "12:15")
	bt.Do(t, phone, long, chromedp.Navigate(mine.ManageURL))
	bt.WaitTrue(t, phone, long, `window.seiraAppt && seiraAppt.ready && seiraAppt.state === "booked"`)
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-move")))
	bkPickSlot(t, phone, "seiraAppt", day, other)
	bt.WaitTrue(t, phone, long, `seiraAppt.picked === `+bkq(other))
	bkFill(t, api, other)
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-move-confirm")))
	bt.WaitTrue(t, phone, long, `seiraAppt.error === "slot_full" && !document.getElementById("move-error").hidden && seiraAppt.picked === null`)
	bt.WaitTrue(t, phone, long, `!seiraAppt.slots.loading && document.querySelector('#picker input[data-start=`+bkq(other)+`]').disabled`)
	if a := bkGet(t, api, mine.Token); a.Start != mine.Start {
		t.Errorf("the failed move changed the appointment: %s", a.Start)
	}
	checkAxe(t, phone, "appointment, slot just taken, el")
}

// TestBookPagesOnADesktop: both pages at 1366×768, in Greek and English,
// pass axe and fit the screen.
func TestBookPagesOnADesktop(t *testing.T) {
	t.Parallel()
	env := bkEnv(t)
	a := bkBook(t, env.Client(), bkSlot(t, "2026-11-27", "09:15"))
	ctx := bt.Browser(t, 1366, 768)
	bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/book/demo"))
	bt.WaitTrue(t, ctx, long, `window.seiraBook && seiraBook.ready && seiraBook.view === "form"`)
	// By keyboard: Tab reaches the services, the focused card is marked,
	// an arrow and Space choose.
	for i := 0; i < 10 && !bt.Eval[bool](t, ctx, `document.activeElement.matches("input[data-service]")`); i++ {
		bt.Do(t, ctx, long, chromedp.KeyEvent("\t"))
	}
	if !bt.Eval[bool](t, ctx, `(() => { const s = getComputedStyle(document.activeElement.closest("label"));
		return document.activeElement.matches("input[data-service]") && parseFloat(s.outlineWidth) >= 2 && s.outlineStyle !== "none"; })()`) {
		t.Error("tabbing does not reach a service card with a visible focus indicator")
	}
	bt.Do(t, ctx, long, chromedp.KeyEvent(kb.ArrowDown))
	bt.WaitTrue(t, ctx, long, `seiraBook.service === "applications"`)
	bkPickSlot(t, ctx, "seiraBook", "2026-11-27", bkSlot(t, "2026-11-27", "09:30"))
	bt.WaitTrue(t, ctx, long, `!document.getElementById("step-contact").hidden`)
	// The week's seven days sit in one row.
	if n := bt.Eval[int](t, ctx, `new Set([...document.querySelectorAll("#picker .day-opt")].map(e => Math.round(e.getBoundingClientRect().top))).size`); n != 1 {
		t.Errorf("the days take %d rows at 1366 px", n)
	}
	for _, lang := range []string{"el", "en"} {
		switchLang(t, ctx, lang)
		checkAxe(t, ctx, "booking at 1366×768, "+lang)
		bt.NoHorizontalOverflow(t, ctx, "booking at 1366×768, "+lang)
		bt.Screenshot(t, ctx, "book-desktop-"+lang)
	}
	// The next week, and back.
	bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS("#picker .week-next")))
	bt.WaitTrue(t, ctx, long, `seiraBook.slots.from === "2026-12-02" && !seiraBook.slots.loading`)
	bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS("#picker .week-prev")))
	bt.WaitTrue(t, ctx, long, `seiraBook.slots.from === "2026-11-25" && !seiraBook.slots.loading`)
	if got := bt.Eval[string](t, ctx, `document.querySelector("#picker .week-prev").getAttribute("aria-disabled")`); got != "true" {
		t.Errorf("the first week offers a week before it (aria-disabled %q)", got)
	}

	bt.Do(t, ctx, long, chromedp.Navigate(a.ManageURL))
	bt.WaitTrue(t, ctx, long, `window.seiraAppt && seiraAppt.ready && seiraAppt.state === "booked"`)
	bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS("#btn-move")))
	bt.WaitTrue(t, ctx, long, `seiraAppt.moving && seiraAppt.slots && seiraAppt.slots.loads > 0 && !seiraAppt.slots.loading`)
	for _, lang := range []string{"el", "en"} {
		switchLang(t, ctx, lang)
		checkAxe(t, ctx, "appointment at 1366×768, "+lang)
		bt.NoHorizontalOverflow(t, ctx, "appointment at 1366×768, "+lang)
		bt.Screenshot(t, ctx, "appt-desktop-"+lang)
	}
}

// TestAppointmentPageUnknownLink: a link to no appointment, or not a
// link at all, says so in Greek and English; an unknown office's booking
// page is the 404 page.
func TestAppointmentPageUnknownLink(t *testing.T) {
	t.Parallel()
	env := bkEnv(t)
	phone := bt.Browser(t, 360, 740)
	for _, tok := range []string{strings.Repeat("A", 32), "not!a-token"} {
		bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/a/"+url.PathEscape(tok)))
		bt.WaitTrue(t, phone, long, `window.seiraAppt && seiraAppt.ready && seiraAppt.notFound && !document.getElementById("not-found").hidden`)
		txt := bt.Eval[string](t, phone, `document.body.innerText`)
		if !strings.Contains(txt, "δεν είναι έγκυρος") || !strings.Contains(txt, "This link is not valid") {
			t.Errorf("%s: the page says %q", tok, txt)
		}
		if strings.Contains(txt, "not_found") || strings.Contains(txt, "{") {
			t.Errorf("%s: the page shows a raw error: %q", tok, txt)
		}
	}
	checkAxe(t, phone, "appointment, not found")
	bt.Screenshot(t, phone, "appt-not-found")
	if res := env.Client().Do("GET", "/book/nowhere", nil); res.Status != 404 {
		t.Errorf("/book/nowhere: %d", res.Status)
	}
}

// TestAppointmentPageCheckedInCannotBeCancelled: the appointment is
// checked in while its page is open; cancelling then gets 409, which the
// page words and follows by showing the appointment checked in, with its
// ticket number.
func TestAppointmentPageCheckedInCannotBeCancelled(t *testing.T) {
	t.Parallel()
	env := bkEnv(t)
	a := bkBook(t, env.Client(), bkSlot(t, "2026-11-25", "11:15"))
	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(a.ManageURL))
	bt.WaitTrue(t, phone, long, `window.seiraAppt && seiraAppt.ready && seiraAppt.state === "booked"`)

	// The kiosk's check-in, by a clerk: the answer is the ticket.
	type checkin struct {
		Number string `json:"number"`
	}
	res := env.Admin().Do("POST", "/api/v1/branches/demo/checkin", map[string]string{"code": a.Code})
	if res.Status != 201 {
		t.Fatalf("check-in: %d %s", res.Status, apptest.Short(res.Body))
	}
	in := apptest.Decode[checkin](t, res)

	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-cancel")))
	bt.WaitTrue(t, phone, long, `document.getElementById("cancel-dialog").open`)
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-cancel-confirm")))
	bt.WaitTrue(t, phone, long, `seiraAppt.error === "conflict" && !document.getElementById("cancel-error").hidden`)
	bt.WaitTrue(t, phone, long, `seiraAppt.state === "checked_in"`)
	checkAxe(t, phone, "appointment, cancel refused, el")
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS("#btn-cancel-keep")))
	bt.WaitTrue(t, phone, long, `!document.getElementById("cancel-dialog").open && document.getElementById("appt-actions").hidden`)
	if got := bt.Eval[string](t, phone, text("appt-detail")); in.Number == "" || !strings.Contains(got, in.Number) {
		t.Errorf("checked in as %q; the page says %q", in.Number, got)
	}
	checkAxe(t, phone, "appointment, checked in, el")
	bt.Screenshot(t, phone, "appt-phone-checked-in-el")
	if got := bkGet(t, env.Client(), a.Token); got.State != "checked_in" {
		t.Errorf("state %s", got.State)
	}
}
