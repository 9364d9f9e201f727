package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// switchLang presses a page's language button and waits for the page to
// be in that language.
func switchLang(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="`+lang+`"]`)))
	bt.WaitTrue(t, ctx, long, `document.documentElement.lang === "`+lang+`"`)
}

// atLeast fails the test when the smallest text inside scope is under px.
func atLeast(t *testing.T, ctx context.Context, what, scope string, px float64) {
	t.Helper()
	got, where := bt.SmallestText(t, ctx, scope)
	if got < px {
		t.Errorf("%s: text at %.1f px (%s), want at least %.0f px", what, got, where, px)
	}
}

// consoleButtons are the clerk's actions, which must all be in sight.
var consoleButtons = []string{"#btn-next", "#btn-recall", "#btn-start", "#btn-done", "#btn-noshow", "#btn-transfer", "#btn-pause"}

// TestCounterConsoleFitsAClerksScreen: at 1366×768, in Greek and English,
// with and without a current ticket, every action is in sight without
// scrolling, no label wraps, nothing overflows, and with no ticket the
// console says so in words.
func TestCounterConsoleFitsAClerksScreen(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	issue(t, api, "certificates")
	ctx := bt.Browser(t, 1366, 768)
	signIn(t, ctx, env.URL, "1")
	for _, lang := range []string{"el", "en"} {
		switchLang(t, ctx, lang)
		what := "console, no ticket, " + lang
		bt.WaitTrue(t, ctx, long, `seiraCounter.current === null`)
		empty := bt.Eval[string](t, ctx, `document.getElementById("current-number").textContent.trim()`)
		if len([]rune(empty)) < 4 || empty == "—" {
			t.Errorf("%s: the current ticket reads %q, want words", what, empty)
		}
		bt.WithinViewport(t, ctx, what, consoleButtons...)
		bt.OneLine(t, ctx, what, consoleButtons...)
		bt.NoHorizontalOverflow(t, ctx, what)
		bt.Screenshot(t, ctx, "fit-console-empty-"+lang)
	}
	bt.Do(t, ctx, long, chromedp.Click(chromedp.ID("btn-next")))
	bt.WaitTrue(t, ctx, long, `seiraCounter.current !== null`)
	for _, lang := range []string{"el", "en"} {
		switchLang(t, ctx, lang)
		what := "console with a ticket, " + lang
		bt.WithinViewport(t, ctx, what, consoleButtons...)
		bt.OneLine(t, ctx, what, consoleButtons...)
		bt.NoHorizontalOverflow(t, ctx, what)
		bt.Screenshot(t, ctx, "fit-console-called-"+lang)
	}
}

// TestCounterSignInNamesTheOffice: the sign-in page's header shows the
// office's name, before anyone signs in.
func TestCounterSignInNamesTheOffice(t *testing.T) {
	env := apptest.Start(t)
	ctx := bt.Browser(t, 1366, 768)
	bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/counter/demo"))
	bt.WaitTrue(t, ctx, long, `window.seiraCounter && seiraCounter.view === "login"`)
	bt.WaitTrue(t, ctx, long, `document.getElementById("branch-name").textContent === "ΚΕΠ Επίδειξης"`)
	switchLang(t, ctx, "en")
	bt.WaitTrue(t, ctx, long, `document.getElementById("branch-name").textContent === "Demo KEP office"`)
	bt.NoHorizontalOverflow(t, ctx, "console sign-in")
}

// adminViews are the administration's sections, each shown with its
// tables filled.
var adminViews = []string{"overview", "settings", "users", "devices", "tokens", "stats", "audit", "branches", "announcements"}

// TestAdminFitsInGreek: at 1440×900 and 1280×800, in Greek (the longer
// labels), no section of the administration is wider than the page: a wide
// table scrolls inside its own box.
func TestAdminFitsInGreek(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	for _, svc := range []string{"certificates", "signatures", "applications"} {
		issue(t, api, svc)
	}
	api.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	call(t, api, "1")
	for _, size := range [][2]int{{1440, 900}, {1280, 800}} {
		ctx := bt.Browser(t, size[0], size[1])
		adminSignIn(t, ctx, env.URL, nil)
		for _, v := range adminViews {
			bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/admin/"+v+"?branch=demo"))
			bt.WaitTrue(t, ctx, long, `seiraAdmin.view === "`+v+`" && seiraAdmin.ready`)
			if v == "stats" {
				bt.Do(t, ctx, long, chromedp.Click(chromedp.ID("btn-stats")))
				bt.WaitTrue(t, ctx, long, `!document.getElementById("stats-result").hidden`)
			}
			what := fmt.Sprintf("admin %s at %d×%d", v, size[0], size[1])
			bt.NoHorizontalOverflow(t, ctx, what)
			bt.Screenshot(t, ctx, fmt.Sprintf("fit-admin-%s-%d", v, size[0]))
		}
	}
}

// TestUsersListedByDefault: the users page lists the office's users as it
// opens, before any filter is touched; a fresh office's admin among them.
func TestUsersListedByDefault(t *testing.T) {
	env := apptest.Start(t)
	env.User("maria", auth.RoleClerk, "demo")
	ctx := bt.Browser(t, 1440, 900)
	adminSignIn(t, ctx, env.URL, nil)
	bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/admin/users?branch=demo"))
	bt.WaitTrue(t, ctx, long, `seiraAdmin.view === "users" && seiraAdmin.ready`)
	bt.WaitTrue(t, ctx, long, `document.querySelector('#users-body tr[data-user="admin"]') && document.querySelector('#users-body tr[data-user="maria"]')`)
}

// TestKioskFitsItsScreens: on a portrait and a landscape kiosk, the
// services, priority and ticket screens fit, the buttons are in sight and
// the text is large.
func TestKioskFitsItsScreens(t *testing.T) {
	env := apptest.Start(t)
	for _, size := range [][2]int{{1080, 1920}, {1920, 1080}} {
		ctx := bt.Browser(t, size[0], size[1])
		bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
		bt.WaitTrue(t, ctx, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired`)
		for _, lang := range []string{"el", "en"} {
			switchLang(t, ctx, lang)
			what := fmt.Sprintf("kiosk %d×%d %s", size[0], size[1], lang)
			bt.WaitTrue(t, ctx, long, `seiraKiosk.screen === "services"`)
			bt.WithinViewport(t, ctx, what+" services", `[data-service]`)
			bt.NoHorizontalOverflow(t, ctx, what+" services")
			atLeast(t, ctx, what+" services", "#screen-services", 18)
			bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS(`[data-service="signatures"]`)))
			bt.WaitTrue(t, ctx, long, `seiraKiosk.screen === "priority"`)
			bt.WithinViewport(t, ctx, what+" priority", `#btn-regular`, `[data-priority]`)
			bt.NoHorizontalOverflow(t, ctx, what+" priority")
			bt.Do(t, ctx, long, chromedp.Click(chromedp.ID("btn-regular")))
			bt.WaitTrue(t, ctx, long, `seiraKiosk.screen === "ticket" && document.getElementById("ticket-qr").complete`)
			bt.WithinViewport(t, ctx, what+" ticket", `#ticket-number`, `#ticket-qr`, `#btn-done`)
			bt.NoHorizontalOverflow(t, ctx, what+" ticket")
			atLeast(t, ctx, what+" ticket", "#screen-ticket", 18)
			bt.Screenshot(t, ctx, fmt.Sprintf("fit-kiosk-%dx%d-%s", size[0], size[1], lang))
			bt.Do(t, ctx, long, chromedp.Click(chromedp.ID("btn-done")))
		}
	}
}

// TestPhonePageFits: the ticket page on a 360-wide phone, waiting and
// called, in both languages: nothing overflows, "I'm leaving" is in sight,
// and the text is at least 16 px.
func TestPhonePageFits(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	issue(t, api, "certificates")
	tk := issue(t, api, "certificates")
	ctx := bt.Browser(t, 360, 740)
	bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/t/"+tk.Token))
	bt.WaitTrue(t, ctx, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected`)
	for _, lang := range []string{"el", "en"} {
		switchLang(t, ctx, lang)
		what := "phone, waiting, " + lang
		bt.NoHorizontalOverflow(t, ctx, what)
		bt.WithinViewport(t, ctx, what, "#ticket-number")
		atLeast(t, ctx, what, "main", 16)
		bt.Screenshot(t, ctx, "fit-phone-waiting-"+lang)
	}
	api.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	call(t, api, "1")
	call(t, api, "1")
	bt.WaitTrue(t, ctx, long, `seiraTicket.state === "called" && seiraTicket.calledView`)
	what := "phone, your turn"
	bt.NoHorizontalOverflow(t, ctx, what)
	bt.WithinViewport(t, ctx, what, "#btn-called-ok")
	bt.Screenshot(t, ctx, "fit-phone-your-turn")
	bt.Do(t, ctx, long, chromedp.Click(chromedp.ID("btn-called-ok")))
	bt.WaitTrue(t, ctx, long, `!seiraTicket.calledView`)
	for _, lang := range []string{"el", "en"} {
		switchLang(t, ctx, lang)
		what := "phone, called, " + lang
		bt.NoHorizontalOverflow(t, ctx, what)
		atLeast(t, ctx, what, "main", 16)
		bt.Screenshot(t, ctx, "fit-phone-called-"+lang)
	}
}
