package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// openKiosk opens the demo kiosk, paired, with query (e.g. "&print=1").
func openKiosk(t *testing.T, env *apptest.Env, width, height int, query string) context.Context {
	t.Helper()
	ctx := bt.Browser(t, width, height)
	bt.Do(t, ctx, long, chromedp.Navigate(env.URL+"/kiosk/demo?pair="+env.Demo.Pairing[auth.DeviceKiosk]+query))
	bt.WaitTrue(t, ctx, long, `window.seiraKiosk && seiraKiosk.ready && seiraKiosk.paired`)
	return ctx
}

// text is a JavaScript expression for an element's trimmed text.
func text(id string) string {
	return `document.getElementById("` + id + `").textContent.trim()`
}

// TestNoWaitIsNeverClaimedWithoutACounter: with every counter closed, the
// kiosk's services, its ticket screen and the phone page say that no
// counter serves the service (never "no wait", even with people ahead);
// when a counter opens, the phone page shows an estimate, live.
func TestNoWaitIsNeverClaimedWithoutACounter(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	issue(t, api, "signatures") // one ahead
	kiosk := openKiosk(t, env, 1080, 1920, "")
	switchLang(t, kiosk, "en")
	bt.WaitTrue(t, kiosk, long, `document.querySelector('[data-service="signatures"] .svc-wait').textContent.includes("No counter is serving")`)
	if bt.Eval[bool](t, kiosk, `document.body.innerText.includes("No wait")`) {
		t.Error(`the kiosk says "No wait" with every counter closed`)
	}
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-service="signatures"]`)))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "priority"`)
	bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-regular")))
	bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket"`)
	if got := bt.Eval[string](t, kiosk, text("ticket-wait")); got != "No counter is serving this right now" {
		t.Errorf("ticket screen's wait: %q", got)
	}
	if got := bt.Eval[string](t, kiosk, text("ticket-ahead")); got == "" {
		t.Error("the ticket screen does not say who is ahead")
	}
	bt.Screenshot(t, kiosk, "words-kiosk-no-counter")
	token := bt.Eval[string](t, kiosk, `(new URL(document.getElementById("ticket-qr").src)).pathname.split("/")[4]`)

	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.Navigate(env.URL+"/t/"+token))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && seiraTicket.connected`)
	switchLang(t, phone, "en")
	if got := bt.Eval[string](t, phone, text("ticket-wait")); got != "No counter is serving this right now" {
		t.Errorf("phone page's wait with no counter open: %q", got)
	}
	// Counter 3 serves signatures: an estimate comes, live.
	api.Call("POST", "/api/v1/branches/demo/counters/3/open", nil, nil)
	bt.WaitTrue(t, phone, long, text("ticket-wait")+`.startsWith("≈")`)
	bt.Screenshot(t, phone, "words-phone-estimate")
}

// TestKioskSaysTakeThePrintedTicketOnlyWhenPrinted: without printing the
// kiosk asks to scan the QR code or note the number; with ?print=1 (the
// browser prints every ticket) it says to take the printed ticket.
func TestKioskSaysTakeThePrintedTicketOnlyWhenPrinted(t *testing.T) {
	env := apptest.Start(t)
	for _, c := range []struct {
		query, want string
	}{
		{"", "Scan the QR code with your phone or note your number"},
		{"&print=1", "Take your printed ticket"},
	} {
		kiosk := openKiosk(t, env, 1920, 1080, c.query)
		switchLang(t, kiosk, "en")
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.CSS(`[data-service="certificates"]`)))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "priority"`)
		bt.Do(t, kiosk, long, chromedp.Click(chromedp.ID("btn-regular")))
		bt.WaitTrue(t, kiosk, long, `seiraKiosk.screen === "ticket"`)
		got := bt.Eval[string](t, kiosk, text("ticket-take-printed"))
		if len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("kiosk%s says %q, want %q…", c.query, got, c.want)
		}
		// The number stays large whether printed or not.
		if px := bt.Eval[float64](t, kiosk, `parseFloat(getComputedStyle(document.getElementById("ticket-number")).fontSize)`); px < 72 {
			t.Errorf("kiosk%s: the number is %.0f px", c.query, px)
		}
	}
}
