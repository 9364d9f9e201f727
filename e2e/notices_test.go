package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// noticePost posts an announcement to everyone waiting in the demo office
// as c and returns its id.
func noticePost(t *testing.T, c *apptest.Client, text map[string]string, minutes int) uint64 {
	t.Helper()
	var a struct{ ID uint64 }
	if st := c.Call("POST", "/api/v1/branches/demo/announcements", map[string]any{"text": text, "to": "waiting", "minutes": minutes}, &a); st != 201 {
		t.Fatalf("post an announcement: %d", st)
	}
	return a.ID
}

// phoneShows is a JavaScript test that the ticket page shows exactly the
// announcements ids (newest first), in its box, and nothing when none.
func phoneShows(ids ...uint64) string {
	js := "["
	for i, id := range ids {
		if i > 0 {
			js += ","
		}
		js += strconv.FormatUint(id, 10)
	}
	js += "]"
	return `JSON.stringify(seiraTicket.notices) === JSON.stringify(` + js + `)` +
		` && document.getElementById("ticket-notices-box").hidden === ` + strconv.FormatBool(len(ids) == 0) +
		` && JSON.stringify([...document.querySelectorAll("#ticket-notices-list li")].map(li => +li.dataset.id)) === JSON.stringify(` + js + `)`
}

// TestAnnouncementOnPhoneAndDisplay: a manager posts an announcement; a
// waiting ticket's phone page and the wall display show it at once, in
// their language (the other as fallback); withdrawn, it leaves both and
// the display's line returns to the standing message; one that expires
// (the server's clock moved past it) leaves both too; a called ticket's
// page shows none.
func TestAnnouncementOnPhoneAndDisplay(t *testing.T) {
	clk := newServerClock(t)
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	admin := env.Admin()
	mgr := env.User("e2e.notices", auth.RoleManager, "demo")
	standing := map[string]string{"el": "Καλώς ήρθατε στο ΚΕΠ", "en": "Welcome to the KEP office"}
	if st := mgr.Call("PATCH", "/api/v1/branches/demo", map[string]any{"message": standing}, nil); st != 200 {
		t.Fatalf("standing message: %d", st)
	}
	mine := issue(t, admin, "certificates")

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+mine.Token))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected && seiraTicket.state === "waiting"`)
	bt.WaitTrue(t, phone, long, phoneShows())
	display := displayOn(t, env)
	bt.WaitTrue(t, display, long, `seiraDisplay.message === `+strconv.Quote(standing["el"])+` && seiraDisplay.announcement === null`)

	// Posted: both show it at once, in Greek.
	tax := map[string]string{"el": "Το σύστημα της εφορίας δεν λειτουργεί: αναμένετε 20 λεπτά ακόμη", "en": "The tax system is down: expect 20 more minutes"}
	a := noticePost(t, mgr, tax, 30)
	bt.WaitTrue(t, phone, long, phoneShows(a)+` && seiraTicket.noticeTexts[0] === `+strconv.Quote(tax["el"]))
	if role := bt.Eval[string](t, phone, `(() => { const r = document.getElementById("ticket-notices"); return r.getAttribute("role") + "/" + r.getAttribute("aria-live") })()`); role != "status/polite" {
		t.Errorf("the announcements' region is %s, want status/polite", role)
	}
	bt.WaitTrue(t, display, long, `seiraDisplay.announcement === `+strconv.FormatUint(a, 10)+` && seiraDisplay.message === `+strconv.Quote(tax["el"])+
		` && document.getElementById("message-line").dataset.kind === "announcement" && !document.getElementById("message-line").hidden`+
		` && document.getElementById("message-secondary").textContent === `+strconv.Quote(tax["en"]))
	bt.NoHorizontalOverflow(t, phone, "ticket page with an announcement")
	bt.Screenshot(t, phone, "ticket-announcement-el")
	bt.Screenshot(t, display, "display-announcement")
	// In English on the phone.
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)))
	bt.WaitTrue(t, phone, long, `seiraTicket.lang === "en" && seiraTicket.noticeTexts[0] === `+strconv.Quote(tax["en"]))

	// Withdrawn: it leaves both; the display returns to the standing message.
	if st := mgr.Call("DELETE", "/api/v1/branches/demo/announcements/"+strconv.FormatUint(a, 10), nil, nil); st != 204 {
		t.Fatalf("withdraw: %d", st)
	}
	bt.WaitTrue(t, phone, long, phoneShows())
	bt.WaitTrue(t, display, long, `seiraDisplay.announcement === null && seiraDisplay.message === `+strconv.Quote(standing["el"])+
		` && document.getElementById("message-line").dataset.kind === "message"`)

	// Greek only: the English page shows the Greek, marked as Greek.
	greek := map[string]string{"el": "Διακοπή ρεύματος: η εξυπηρέτηση καθυστερεί"}
	b := noticePost(t, mgr, greek, 10)
	bt.WaitTrue(t, phone, long, phoneShows(b)+` && seiraTicket.noticeTexts[0] === `+strconv.Quote(greek["el"])+
		` && document.querySelector("#ticket-notices-list li").lang === "el"`)
	bt.WaitTrue(t, display, long, `seiraDisplay.announcement === `+strconv.FormatUint(b, 10))
	// The server's clock passes its expiry. The pages learn the time from
	// the next event (here a newer announcement); the expired one leaves
	// both by itself.
	clk.forward(11 * time.Minute)
	c := noticePost(t, mgr, map[string]string{"en": "Counter 3 now serves certificates too"}, 60)
	bt.WaitTrue(t, phone, long, phoneShows(c))
	bt.WaitTrue(t, display, long, `seiraDisplay.announcement === `+strconv.FormatUint(c, 10))
	if st := mgr.Call("DELETE", "/api/v1/branches/demo/announcements/"+strconv.FormatUint(c, 10), nil, nil); st != 204 {
		t.Fatalf("withdraw: %d", st)
	}
	// Withdrawing the newer one leaves the standing message, not the
	// expired one.
	bt.WaitTrue(t, display, long, `seiraDisplay.announcement === null && seiraDisplay.message === `+strconv.Quote(standing["el"]))
	bt.WaitTrue(t, phone, long, phoneShows())

	// Once the ticket is called, its page shows no announcement.
	d := noticePost(t, mgr, tax, 30)
	bt.WaitTrue(t, phone, long, phoneShows(d))
	if st := admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil); st != 200 {
		t.Fatalf("open: %d", st)
	}
	call(t, admin, "1")
	bt.WaitTrue(t, phone, long, `seiraTicket.state === "called" && `+phoneShows())
	// The display still shows it: others wait.
	if got := bt.Eval[float64](t, display, `seiraDisplay.announcement`); uint64(got) != d {
		t.Errorf("the display shows announcement %v, want %d", got, d)
	}
}

// TestManagerAnnouncesFromTheAdminPages: from the admin's announcements
// page a manager sends a message to everyone waiting, sees it listed, and
// withdraws it; the waiting phone shows it and then no more.
func TestManagerAnnouncesFromTheAdminPages(t *testing.T) {
	env := apptest.Start(t)
	mine := issue(t, env.Admin(), "signatures")
	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+mine.Token))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected && seiraTicket.state === "waiting"`)

	admin := bt.Browser(t, 1366, 768)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/announcements?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "announcements" && seiraAdmin.ready && !document.getElementById("notices-none").hidden`)
	checkAxe(t, admin, "admin announcements")

	// Nothing written: refused in the page, nothing sent.
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-notices-post")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("notices-error").hidden && seiraAdmin.lastError && seiraAdmin.lastError.code === "client_validation"`)

	text := "Λόγω βλάβης η εξυπηρέτηση καθυστερεί περίπου 20 λεπτά"
	bt.Do(t, admin, long,
		chromedp.SendKeys(chromedp.ID("notices-text-el"), text),
		// A line break typed in: sent as one line.
		chromedp.SendKeys(chromedp.ID("notices-text-en"), "Service is delayed\nby about 20 minutes"),
		chromedp.SetValue(chromedp.ID("notices-minutes"), "15"),
		chromedp.Click(chromedp.ID("btn-notices-post")),
	)
	bt.WaitTrue(t, admin, long, `document.querySelectorAll("#notices-body tr").length === 1 && document.getElementById("notices-error").hidden`+
		` && document.querySelector("#notices-body tr").textContent.includes(`+strconv.Quote(text)+`)`+
		` && document.querySelector("#notices-body tr").textContent.includes("Service is delayed by about 20 minutes")`)
	bt.WaitTrue(t, phone, long, `seiraTicket.notices.length === 1 && seiraTicket.noticeTexts[0] === `+strconv.Quote(text))
	checkAxe(t, admin, "admin announcements with one")
	bt.Screenshot(t, admin, "admin-announcements")

	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#notices-body button[data-withdraw]`)))
	bt.WaitTrue(t, admin, long, `document.querySelectorAll("#notices-body tr").length === 0 && !document.getElementById("notices-none").hidden`)
	bt.WaitTrue(t, phone, long, `seiraTicket.notices.length === 0 && document.getElementById("ticket-notices-box").hidden`)
}
