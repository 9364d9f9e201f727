package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
	"github.com/seira-queue/seira/internal/clocktest"
)

// TestTicketPageShowsTheAppointment: the phone page of a ticket checked
// in from an appointment says the slot's time, in both languages.
func TestTicketPageShowsTheAppointment(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 7, 7, 40, 0, 0, time.UTC)) // 09:40 in Athens
	env := apptest.Start(t, func(c *app.Config) { c.Now = clk.Now })
	admin := env.Admin()
	var a struct{ Code string }
	if st := admin.Call("POST", "/api/v1/branches/demo/appointments",
		map[string]string{"service": "certificates", "start": "2026-12-07T10:00:00+02:00"}, &a); st != 201 {
		t.Fatalf("book: %d", st)
	}
	var tk apptest.Ticket
	if st := admin.Call("POST", "/api/v1/branches/demo/checkin", map[string]string{"code": a.Code}, &tk); st != 201 {
		t.Fatalf("check-in: %d", st)
	}
	phone := bt.Browser(t, 360, 740)
	bt.Do(t, phone, long, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(tk.TrackURL))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && !document.getElementById("ticket-appointment").hidden`)
	if got := bt.Eval[string](t, phone, `document.getElementById("ticket-appointment").textContent`); !strings.Contains(got, "10:00") || !strings.Contains(got, "Ραντεβού") {
		t.Fatalf("the page says %q", got)
	}
	bt.Do(t, phone, long, chromedp.Navigate(tk.TrackURL+"?lang=en"))
	bt.WaitTrue(t, phone, long, `window.seiraTicket && seiraTicket.ready && document.getElementById("ticket-appointment").textContent.includes("Appointment at 10:00")`)
}
