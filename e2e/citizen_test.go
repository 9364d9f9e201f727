package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// issue takes a ticket for svc in the demo office as c.
func issue(t *testing.T, c *apptest.Client, svc string) apptest.Ticket {
	t.Helper()
	return apptest.Issue[apptest.Ticket](t, c, "demo", svc)
}

func call(t *testing.T, c *apptest.Client, counter string) {
	t.Helper()
	if st := c.Call("POST", "/api/v1/branches/demo/counters/"+counter+"/next", nil, nil); st != 200 {
		t.Fatalf("next at %s: %d", counter, st)
	}
}

// TestPhoneFollowsItsTicket opens the QR code's link on a phone-sized
// screen, watches the position fall as the clerk calls others, and sees
// "your turn" within a second of the call.
func TestPhoneFollowsItsTicket(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	issue(t, admin, "certificates")
	issue(t, admin, "certificates")
	mine := issue(t, admin, "certificates")
	if !strings.HasSuffix(mine.TrackURL, "/t/"+mine.Token) {
		t.Fatalf("track_url %s", mine.TrackURL)
	}

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(mine.TrackURL))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected && seiraTicket.position === 3`)
	if got := bt.Eval[string](t, phone, `document.getElementById("ticket-number").textContent.trim()`); got != mine.Number {
		t.Fatalf("the page shows %q, want %s", got, mine.Number)
	}
	if bt.Eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the ticket page scrolls sideways on a 360 px phone")
	}
	bt.Screenshot(t, phone, "ticket-waiting-el")

	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	call(t, admin, "1")
	bt.WaitTrue(t, phone, long, `seiraTicket.position === 2`)
	call(t, admin, "1")
	bt.WaitTrue(t, phone, long, `seiraTicket.position === 1`)
	bt.Screenshot(t, phone, "ticket-next-el")

	call(t, admin, "1")
	called := time.Now()
	bt.WaitTrue(t, phone, long, `seiraTicket.called && seiraTicket.calledView && seiraTicket.counter === "1"`)
	t.Logf("the phone showed the call %v after the clerk's request returned", time.Since(called).Round(time.Millisecond))
	// Within a second of the call reaching the phone, measured by the page
	// itself: delivery over loopback is the machine's, not the page's.
	if lag := bt.Eval[float64](t, phone, `seiraTicket.callLag`); lag > 1000 {
		t.Errorf("the phone showed the call %.0f ms after its message came", lag)
	}
	if got := bt.Eval[string](t, phone, `document.getElementById("called-counter").textContent`); !strings.Contains(got, "1") {
		t.Errorf("the call view names counter %q", got)
	}
	// The assertive live region is what a screen reader announces.
	bt.WaitTrue(t, phone, long, `document.getElementById("ticket-alert").textContent.includes("1")`)
	bt.Screenshot(t, phone, "ticket-called-el")

	// English, by the switch.
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS(`#btn-called-ok`)), chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)))
	bt.WaitTrue(t, phone, long, `seiraTicket.lang === "en" && document.documentElement.lang === "en"`)
	bt.Screenshot(t, phone, "ticket-called-en")

	// A recall shows the call again.
	before := bt.Eval[int](t, phone, `seiraTicket.calls`)
	admin.Call("POST", "/api/v1/branches/demo/counters/1/recall", nil, nil)
	bt.WaitTrue(t, phone, long, `seiraTicket.calls > `+itoa(before)+` && seiraTicket.calledView`)
}

// TestLeavingTakesTheTicketOffTheDisplay cancels a ticket from its phone
// page and watches the display's waiting count drop.
func TestLeavingTakesTheTicketOffTheDisplay(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	tk := issue(t, admin, "signatures")
	other := issue(t, admin, "signatures")

	browser := bt.Browser(t, 1920, 1080)
	display := browser
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	count := `document.querySelector('#waiting-list li[data-service="signatures"]').textContent`
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.connected && `+count+`.includes("2")`)

	phone := bt.Tab(t, browser, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(tk.TrackURL))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.state === "waiting"`)
	bt.Do(t, phone, long, chromedp.Click(chromedp.ID("btn-leave")))
	bt.WaitTrue(t, phone, long, `document.getElementById("leave-dialog").open`)
	bt.Screenshot(t, phone, "ticket-leave-dialog-el")
	bt.Do(t, phone, long, chromedp.Click(chromedp.ID("btn-leave-confirm")))
	bt.WaitTrue(t, phone, long, `seiraTicket.state === "cancelled"`)
	bt.WaitTrue(t, display, long, `!`+count+`.includes("2") && `+count+`.includes("1")`)

	// The display page holds no token, though it saw both tickets come.
	html := bt.Eval[string](t, display, `document.documentElement.outerHTML`)
	for _, tok := range []string{tk.Token, other.Token} {
		if strings.Contains(html, tok) {
			t.Fatal("a ticket token is on the display page")
		}
	}
}

func TestUnknownTicketGetsAFriendlyPage(t *testing.T) {
	env := apptest.Start(t)
	phone := bt.Browser(t, 360, 740)
	for _, tok := range []string{strings.Repeat("A", 32), "not-a-token"} {
		bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+tok))
		bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.notFound && !document.getElementById("not-found").hidden`)
		if txt := bt.Eval[string](t, phone, `document.body.innerText`); strings.Contains(txt, "not_found") || strings.Contains(txt, "{") {
			t.Errorf("the page shows a raw error: %q", txt)
		}
	}
	bt.Screenshot(t, phone, "ticket-not-found-el")
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// TestPhoneSaysTheCountersCloseFirst plans counter 4 to close five
// minutes from now and queues two applications tickets (about nine
// minutes each): the second's phone page says the counters will have
// closed before its turn, and the kiosk's list says so of the service
// before anyone takes another. The server's clock runs from 11:00 on a
// weekday in Athens, so that the closing falls within the day.
func TestPhoneSaysTheCountersCloseFirst(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	base, start := time.Date(2026, 11, 25, 11, 0, 0, 0, athens), time.Now()
	env := apptest.Start(t, func(c *app.Config) { c.Now = func() time.Time { return base.Add(time.Since(start)) } })
	admin := env.Admin()
	if st := admin.Call("POST", "/api/v1/branches/demo/counters/4/open", nil, nil); st != 200 {
		t.Fatalf("open counter 4: %d", st)
	}
	first := issue(t, admin, "applications")
	second := issue(t, admin, "applications")
	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(second.TrackURL))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected && seiraTicket.state === "waiting"`)
	if !bt.Eval[bool](t, phone, `document.getElementById("ticket-late").hidden`) {
		t.Fatal("the warning shows while counter 4 has no closing planned")
	}

	// The plan changes while the page is open: the warning comes live.
	plan := map[string]any{"serves": []string{"applications", "certificates"}, "schedule": map[string]any{"closes": "11:05"}}
	if res := admin.Do("PUT", "/api/v1/branches/demo/counters/4", plan); res.Status != 200 {
		t.Fatalf("plan counter 4 to close at 11:05: %d %s", res.Status, apptest.Short(res.Body))
	}
	bt.WaitTrue(t, phone, long, `!document.getElementById("ticket-late").hidden`)
	if got := bt.Eval[string](t, phone, `document.getElementById("ticket-late").textContent`); !strings.Contains(got, "σήμερα") {
		t.Errorf("the warning says %q, want the Greek text", got)
	}
	if bt.Eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the ticket page with the warning scrolls sideways on a 360 px phone")
	}
	checkAxe(t, phone, "ticket page, counters close first")
	bt.Screenshot(t, phone, "ticket-after-closing-el")

	// The first ticket is called at once, in time: no warning there.
	bt.Do(t, phone, long, chromedp.Navigate(first.TrackURL))
	bt.WaitTrue(t, phone, long, `seiraTicket.ready && seiraTicket.connected && document.getElementById("ticket-number").textContent.trim() === `+strconv.Quote(first.Number))
	if !bt.Eval[bool](t, phone, `document.getElementById("ticket-late").hidden`) {
		t.Error("the first ticket, called before the closing, shows the warning")
	}

	// What the kiosk lists: applications may not be served today.
	var list struct {
		Services []struct {
			ID           string `json:"id"`
			AfterClosing bool   `json:"after_closing"`
		} `json:"services"`
	}
	if st := admin.Call("GET", "/api/v1/branches/demo/services", nil, &list); st != 200 {
		t.Fatalf("services: %d", st)
	}
	late := false
	for _, s := range list.Services {
		if s.ID == "applications" {
			late = s.AfterClosing
		}
	}
	if !late {
		t.Errorf("services %+v: applications not marked after closing", list.Services)
	}

	// The kiosk says it on the service's button, and on the ticket it
	// gives, screen and paper.
	kiosk := bt.Tab(t, phone, 1080, 1920)
	bt.Do(t, kiosk, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
	bt.WaitTrue(t, kiosk, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired`)
	button := `document.querySelector('[data-service="applications"] .svc-wait').textContent`
	bt.WaitTrue(t, kiosk, long, button+`.includes("σήμερα")`)
	if got := bt.Eval[string](t, kiosk, `document.querySelector('[data-service="signatures"] .svc-wait').textContent`); strings.Contains(got, "σήμερα") {
		t.Errorf("signatures, not served by counter 4, is marked: %q", got)
	}
	if bt.Eval[bool](t, kiosk, `[...document.querySelectorAll('[data-service]')].some((b) => b.scrollWidth > b.clientWidth + 1)`) {
		t.Error("a service button's text overflows it")
	}
	bt.Screenshot(t, kiosk, "kiosk-start-after-closing-el")
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-service="applications"]`)))
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-regular")))
	bt.WaitTrue(t, kiosk, long, `!!(seiraKiosk.lastTicket && document.getElementById("ticket-number").textContent.trim())`)
	if bt.Eval[bool](t, kiosk, `document.getElementById("ticket-late").hidden || document.getElementById("print-late").hidden`) {
		t.Error("the kiosk's ticket does not say the counters close first")
	}
	checkAxe(t, kiosk, "kiosk ticket, counters close first")
	bt.Screenshot(t, kiosk, "kiosk-ticket-after-closing-el")
}
