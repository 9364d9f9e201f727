package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// axe-core 4.14.1 (MPL-2.0, testdata/axe-LICENSE.txt), kept in the
// repository so that the check does not depend on a download.
//
//go:embed testdata/axe.min.js
var axeSource string

type violation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the page with the WCAG 2.1 A and AA rules and
// fails the test on any violation.
func checkAxe(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !bt.Eval[bool](t, ctx, `typeof window.axe === "object"`) {
		bt.Eval[chromedp.Void](t, ctx, axeSource)
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	raw, err := chromedp.Run(c, chromedp.Evaluate[[]byte](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", name, err)
	}
	var vs []violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: axe result: %v", name, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Trim(strings.ReplaceAll(strings.Join(strings.Fields(strings.Trim(jsonString(n.Target), "[]")), " "), `"`, ""), " "))
		}
		t.Errorf("%s: axe %s (%s) at %v", name, v.ID, v.Help, where)
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPagesPassAxe checks every face, in its main states and both
// languages, against WCAG 2.1 AA with axe-core, and keeps a screenshot of
// each.
func TestPagesPassAxe(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	waiting := issue(t, admin, "certificates")

	kiosk := bt.Browser(t, 1080, 1920)
	bt.Do(t, kiosk, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
	bt.WaitTrue(t, kiosk, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired`)
	for _, lang := range []string{"el", "en"} {
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="`+lang+`"]`)))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.lang === "`+lang+`" && seiraKiosk.screen === "services"`)
		checkAxe(t, kiosk, "kiosk services "+lang)
		bt.Screenshot(t, kiosk, "kiosk-services-"+lang)
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-service="signatures"]`)))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "priority"`)
		checkAxe(t, kiosk, "kiosk priority "+lang)
		bt.Screenshot(t, kiosk, "kiosk-priority-"+lang)
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-priority="senior"]`)))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket" && document.getElementById("ticket-qr").complete`)
		checkAxe(t, kiosk, "kiosk ticket "+lang)
		bt.Screenshot(t, kiosk, "kiosk-ticket-"+lang)
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-done")))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "services"`)
	}
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-contrast")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.contrast && document.documentElement.classList.contains("hc")`)
	checkAxe(t, kiosk, "kiosk high contrast")
	bt.Screenshot(t, kiosk, "kiosk-high-contrast")

	counter := bt.Browser(t, 1920, 1080)
	bt.Do(t, counter, long, chromedp.Navigate(env.URL+"/counter/demo"))
	bt.WaitTrue(t, counter, long, `window.seiraCounter && seiraCounter.view === "login"`)
	checkAxe(t, counter, "console sign-in")
	bt.Screenshot(t, counter, "counter-login-el")
	signIn(t, counter, env.URL, "2")
	bt.Do(t, counter, long, chromedp.Click(chromedp.ID("btn-next")))
	bt.WaitTrue(t, counter, long, `seiraCounter.current !== null`)
	checkAxe(t, counter, "console")
	bt.WaitTrue(t, counter, long, `document.getElementById("status").textContent.startsWith("Κλήθηκε ο αριθμός")`)
	bt.Do(t, counter, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)))
	bt.WaitTrue(t, counter, long, `document.documentElement.lang === "en"`)
	// The status line follows the switch, not just the next action.
	if got := bt.Eval[string](t, counter, `document.getElementById("status").textContent`); !strings.HasPrefix(got, "Called number ") {
		t.Errorf("after switching to English the status line says %q", got)
	}
	checkAxe(t, counter, "console en")
	bt.Screenshot(t, counter, "counter-console-en")

	display := bt.Browser(t, 1920, 1080)
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected && seiraDisplay.latest`)
	checkAxe(t, display, "display")
	bt.Screenshot(t, display, "display-call")
	// Readable from 10 m: the newest number at least 10% of the height.
	h := bt.Eval[float64](t, display, `parseFloat(getComputedStyle(document.getElementById("latest-number")).fontSize) / window.innerHeight`)
	if h < 0.10 {
		t.Errorf("the newest number is %.1f%% of the screen height, want ≥ 10%%", h*100)
	}

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+waiting.Token))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected`)
	checkAxe(t, phone, "ticket page")
	// With an announcement to everyone waiting shown, on the phone (in both
	// languages) and on the display.
	if st := admin.Call("POST", "/api/v1/branches/demo/announcements", map[string]any{"minutes": 30, "text": map[string]string{
		"el": "Το σύστημα της εφορίας δεν λειτουργεί: αναμένετε 20 λεπτά ακόμη", "en": "The tax system is down: expect 20 more minutes"}}, nil); st != 201 {
		t.Fatalf("post an announcement: %d", st)
	}
	noticed := issue(t, admin, "applications")
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+noticed.Token))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.state === "waiting" && seiraTicket.notices.length === 1`)
	checkAxe(t, phone, "ticket page with an announcement")
	bt.Do(t, phone, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)))
	bt.WaitTrue(t, phone, long, `seiraTicket.lang === "en" && seiraTicket.noticeTexts[0].startsWith("The tax system")`)
	checkAxe(t, phone, "ticket page with an announcement en")
	bt.Screenshot(t, phone, "ticket-announcement-en")
	bt.WaitTrue(t, display, long, `seiraDisplay.announcement !== null`)
	checkAxe(t, display, "display with an announcement")
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+strings.Repeat("B", 32)))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.notFound`)
	checkAxe(t, phone, "ticket not found")
	// The office's public page, where counter 2 (signed in above) lets
	// certificates be joined from home.
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/b/demo"))
	bt.WaitTrue(t, phone, long, `window.seiraBranch && seiraBranch.ready && document.querySelector('[data-join="certificates"]') !== null`)
	for _, lang := range []string{"el", "en"} {
		switchLang(t, phone, lang)
		checkAxe(t, phone, "branch page "+lang)
		bt.Screenshot(t, phone, "branch-"+lang)
	}
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/kiosk/nowhere"))
	bt.WaitTrue(t, phone, long, `document.readyState === "complete" && document.body.innerText.length > 0`)
	checkAxe(t, phone, "not-found page")
	bt.Screenshot(t, phone, "notfound")
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/waits"))
	bt.WaitTrue(t, phone, long, `window.seiraWaits && seiraWaits.ready`)
	checkAxe(t, phone, "waits")
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/b/demo/widget"))
	bt.WaitTrue(t, phone, long, `window.seiraWidget && seiraWidget.ready`)
	checkAxe(t, phone, "widget")
}

// TestKioskByKeyboardAlone takes a ticket with the keyboard only, checking
// that the focused control is visibly marked.
func TestKioskByKeyboardAlone(t *testing.T) {
	env := apptest.Start(t)
	kiosk := bt.Browser(t, 1920, 1080)
	bt.Do(t, kiosk, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
	bt.WaitTrue(t, kiosk, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired`)
	focusedIs := func(sel string) string {
		return `document.activeElement && document.activeElement.matches(` + jsonString(sel) + `)`
	}
	// Tab until a service button has the focus.
	for i := 0; i < 15 && !bt.Eval[bool](t, kiosk, focusedIs("[data-service]")); i++ {
		bt.Do(t, kiosk, long, chromedp.KeyEvent("\t"))
	}
	if !bt.Eval[bool](t, kiosk, focusedIs("[data-service]")) {
		t.Fatal("tabbing never reaches a service button")
	}
	visible := `(() => { const s = getComputedStyle(document.activeElement);
		return (parseFloat(s.outlineWidth) >= 2 && s.outlineStyle !== "none") || s.boxShadow !== "none"; })()`
	if !bt.Eval[bool](t, kiosk, visible) {
		t.Error("the focused service button has no visible focus indicator")
	}
	bt.Screenshot(t, kiosk, "kiosk-keyboard-focus")
	bt.Do(t, kiosk, long, chromedp.KeyEvent("\r"))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "priority"`)
	for i := 0; i < 15 && !bt.Eval[bool](t, kiosk, focusedIs("#btn-regular")); i++ {
		bt.Do(t, kiosk, long, chromedp.KeyEvent("\t"))
	}
	bt.Do(t, kiosk, long, chromedp.KeyEvent(" "))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket" && seiraKiosk.lastTicket && seiraKiosk.lastTicket.priority === "none"`)
}

// TestKioskAtDoubleZoomAndTouchTargets renders the kiosk as 200% zoom does
// (half the CSS pixels at twice the density): nothing is cut off or needs
// scrolling sideways, and every control is at least 44×44 CSS pixels.
func TestKioskAtDoubleZoomAndTouchTargets(t *testing.T) {
	env := apptest.Start(t)
	kiosk := bt.Browser(t, 960, 540)
	bt.Do(t, kiosk, long, chromedp.EmulateViewport(540, 960, chromedp.EmulateScale(2)),
		chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
	bt.WaitTrue(t, kiosk, long, `window.seiraKiosk && seiraKiosk.ready`)
	small := `[...document.querySelectorAll("button, a[href], input, select")].filter(e => {
		const r = e.getBoundingClientRect(); return r.width > 0 && (r.width < 44 || r.height < 44); }).map(e => e.id || e.textContent.trim())`
	for _, screen := range []string{"services", "priority"} {
		if screen == "priority" {
			bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-service="certificates"]`)))
			bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "priority"`)
		}
		if bt.Eval[bool](t, kiosk, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			t.Errorf("%s at 200%%: the page scrolls sideways", screen)
		}
		if got := bt.Eval[[]string](t, kiosk, small); len(got) > 0 {
			t.Errorf("%s: controls under 44×44 px: %v", screen, got)
		}
		bt.Screenshot(t, kiosk, "kiosk-zoom200-"+screen)
	}
}

// TestDisplayAnnouncesCallsInTurn makes two calls a second apart and checks
// that the display plays both announcements, in order, one after the
// other: the audio element really plays the server's WAV to its end.
func TestDisplayAnnouncesCallsInTurn(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	first := issue(t, admin, "certificates")
	second := issue(t, admin, "signatures")
	display := bt.Browser(t, 1920, 1080)
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected`)
	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	admin.Call("POST", "/api/v1/branches/demo/counters/2/open", nil, nil)
	call(t, admin, "1")
	time.Sleep(time.Second) // the calls come a second apart, as the issue puts it
	call(t, admin, "2")
	bt.WaitTrue(t, display, long, `seiraDisplay.playing && seiraDisplay.lastAnnouncement.includes("number=`+first.Number+`")`)
	// While the first plays, the second waits: never two at once.
	bt.WaitTrue(t, display, long, `seiraDisplay.queued === 1`)
	bt.WaitTrue(t, display, 40*time.Second, `seiraDisplay.announced >= 1 && seiraDisplay.lastAnnouncement.includes("number=`+second.Number+`")`)
	bt.WaitTrue(t, display, 40*time.Second, `seiraDisplay.announced === 2 && !seiraDisplay.playing && seiraDisplay.queued === 0`)
	if bt.Eval[int](t, display, `seiraDisplay.chimes`) != 0 {
		t.Error("the fallback chime played: the WAV did not")
	}
	// Mute: the next call is shown but not heard.
	bt.Do(t, display, long, chromedp.Click(chromedp.ID("btn-mute")))
	admin.Call("POST", "/api/v1/branches/demo/counters/1/recall", nil, nil)
	bt.WaitTrue(t, display, long, `seiraDisplay.silenced >= 1 && seiraDisplay.announced === 2`)
}
