package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

const long = 15 * time.Second

// signIn signs the console in and opens counter id.
func signIn(t *testing.T, ctx context.Context, base, counter string) {
	t.Helper()
	bt.Do(t, ctx, long, chromedp.Navigate(base+"/counter/demo"))
	bt.WaitTrue(t, ctx, long, `window.seiraCounter && seiraCounter.view === "login"`)
	bt.Do(t, ctx, long,
		chromedp.SendKeys(chromedp.ID("login-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("login-password"), apptest.AdminPassword),
		chromedp.Click(chromedp.ID("btn-login")),
	)
	bt.WaitTrue(t, ctx, long, `seiraCounter.view === "choose"`)
	bt.Do(t, ctx, long, chromedp.Click(chromedp.CSS(`button[data-counter="`+counter+`"]`)))
	bt.WaitTrue(t, ctx, long, `seiraCounter.view === "console" && seiraCounter.status === "open" && seiraCounter.connected`)
}

// TestTicketFromKioskThroughCounterToDisplay takes a ticket at the kiosk,
// calls it from the console and sees it on the wall display within one
// second.
func TestTicketFromKioskThroughCounterToDisplay(t *testing.T) {
	env := apptest.Start(t)
	browser := bt.Browser(t, 1920, 1080)

	display := browser
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected`)

	kiosk := bt.Tab(t, browser, 1080, 1920)
	bt.Do(t, kiosk, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]))
	bt.WaitTrue(t, kiosk, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired`)
	bt.Screenshot(t, kiosk, "kiosk-start-el")
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-service="certificates"]`)))
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-regular")))
	bt.WaitTrue(t, kiosk, long, `!!(seiraKiosk.lastTicket && document.getElementById("ticket-number").textContent.trim())`)
	number := bt.Eval[string](t, kiosk, `document.getElementById("ticket-number").textContent.trim()`)
	if number != "A001" {
		t.Fatalf("kiosk shows %q, want A001", number)
	}
	bt.WaitTrue(t, kiosk, long, `document.getElementById("ticket-qr").complete && document.getElementById("ticket-qr").naturalWidth > 0`)
	bt.Screenshot(t, kiosk, "kiosk-ticket-el")
	// The display counts the new ticket.
	bt.WaitTrue(t, display, long, `document.querySelector('#waiting-list li[data-service="certificates"]').textContent.includes("1")`)

	// The clerk's console: another browser, so its sign-in does not
	// replace the kiosk's pairing.
	clerk := bt.Browser(t, 1920, 1080)
	signIn(t, clerk, env.URL, "1")
	bt.Do(t, clerk, long, chromedp.Click(chromedp.ID("btn-next")))
	bt.WaitTrue(t, clerk, long, `seiraCounter.current === "A001"`)
	called := time.Now()
	bt.WaitTrue(t, display, long, `document.getElementById("latest-number").textContent.trim() === "A001" && document.getElementById("latest-counter").textContent.includes("1")`)
	t.Logf("display showed the call %v after the console", time.Since(called).Round(time.Millisecond))
	// Within one second of the call reaching the display, by its own clock.
	if lag := bt.Eval[float64](t, display, `seiraDisplay.shown["A001"] - seiraDisplay.arrivals["A001"]`); lag > 1000 {
		t.Errorf("the display showed the call %.0f ms after its event came", lag)
	}
	bt.Screenshot(t, clerk, "counter-console-el")
	bt.Screenshot(t, display, "display-el")

	// Keyboard: N calls the next one (nobody waits: the current is finished).
	bt.Do(t, clerk, long, chromedp.KeyEvent("d"))
	bt.WaitTrue(t, clerk, long, `seiraCounter.current === null`)
}

// TestDisplayRecoversAfterServerRestart restarts the server under an open
// display: it shows itself offline, reconnects by itself and shows calls
// made after the restart.
func TestDisplayRecoversAfterServerRestart(t *testing.T) {
	env := apptest.Start(t)
	display := bt.Browser(t, 1920, 1080)
	bt.Do(t, display, long, chromedp.Navigate(env.URL+"/display/demo"))
	bt.WaitTrue(t, display, long, `window.seiraDisplay && seiraDisplay.ready && seiraDisplay.connected`)

	env.Stop()
	bt.WaitTrue(t, display, long, `seiraDisplay.connected === false && !document.getElementById("offline").hidden`)
	bt.Screenshot(t, display, "display-offline")
	env.Restart()
	bt.WaitTrue(t, display, 30*time.Second, `seiraDisplay.connected === true && document.getElementById("offline").hidden`)

	admin := env.Admin()
	var tk struct{ Number string }
	admin.Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "signatures"}, &tk)
	admin.Call("POST", "/api/v1/branches/demo/counters/3/open", nil, nil)
	admin.Call("POST", "/api/v1/branches/demo/counters/3/next", nil, nil)
	bt.WaitTrue(t, display, long, `document.getElementById("latest-number").textContent.trim() === "`+tk.Number+`"`)
}
