package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// TestManagerPlansACounter gives counter 4 its planned hours and a break
// from the counters form: the plan is stored (the API shows it), the table
// shows it in either language, and a closing before the opening is
// refused in the form, in the page's language.
func TestManagerPlansACounter(t *testing.T) {
	env := apptest.Start(t)
	api := env.Admin()
	admin := bt.Browser(t, 1920, 1080)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/settings?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "settings" && seiraAdmin.ready`)
	cell := `document.querySelector('#ctr-body td[data-schedule="4"]').textContent`
	if got := bt.Eval[string](t, admin, cell); got != "Χωρίς πρόγραμμα" {
		t.Errorf("counter 4 before: %q", got)
	}

	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#ctr-body button[data-edit="4"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-form").hidden`)
	bt.Do(t, admin, long,
		chromedp.Click(chromedp.ID("ctr-day-mon")),
		chromedp.Click(chromedp.ID("ctr-day-wed")),
		chromedp.SendKeys(chromedp.ID("ctr-opens"), "09:00"),
		chromedp.SendKeys(chromedp.ID("ctr-closes"), "15:00"),
		chromedp.Click(chromedp.ID("btn-break-add")),
	)
	bt.WaitTrue(t, admin, long, `document.getElementById("ctr-br-0-at") !== null && document.activeElement.id === "ctr-br-0-at"`)
	checkAxe(t, admin, "admin counter schedule form")
	bt.Screenshot(t, admin, "admin-counter-schedule-form-el")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-ctr-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("ctr-form").hidden`)
	if got := bt.Eval[string](t, admin, cell); got != "Δευ, Τετ · 09:00–15:00 · διάλειμμα 12:00 (30 λεπτά)" {
		t.Errorf("counter 4 after saving: %q", got)
	}
	var settings struct {
		Counters []struct {
			ID       string
			Serves   []string
			Schedule struct {
				Days          []string
				Opens, Closes string
				Breaks        []struct {
					At      string
					Minutes int
				}
			}
		}
	}
	api.Call("GET", "/api/v1/branches/demo/settings", nil, &settings)
	for _, c := range settings.Counters {
		if c.ID != "4" {
			continue
		}
		s := c.Schedule
		if strings.Join(s.Days, ",") != "mon,wed" || s.Opens != "09:00" || s.Closes != "15:00" || len(s.Breaks) != 1 || s.Breaks[0].At != "12:00" || s.Breaks[0].Minutes != 30 ||
			strings.Join(c.Serves, ",") != "applications,certificates" {
			t.Errorf("stored: %+v", c)
		}
	}

	// A closing before the opening: the form says so and sends nothing.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#ctr-body button[data-edit="4"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-form").hidden && document.getElementById("ctr-closes").value === "15:00"`)
	if !bt.Eval[bool](t, admin, `document.getElementById("ctr-day-mon").checked && document.getElementById("ctr-day-wed").checked && !document.getElementById("ctr-day-tue").checked`) {
		t.Error("the form does not show the planned days")
	}
	bt.Do(t, admin, long,
		chromedp.SetValue(chromedp.ID("ctr-closes"), "08:00"),
		chromedp.Click(chromedp.ID("btn-ctr-save")),
	)
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-error").hidden`)
	if msg := bt.Eval[string](t, admin, `document.getElementById("ctr-error").textContent`); !strings.Contains(msg, "κλείνει μετά το άνοιγμα") {
		t.Errorf("error shown: %q", msg)
	}
	checkAxe(t, admin, "admin counter schedule error")
	// The break removed and the form cancelled: nothing changes.
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("ctr-br-0-remove")), chromedp.Click(chromedp.ID("btn-ctr-cancel")))
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)))
	bt.WaitTrue(t, admin, long, `document.querySelector('#ctr-body td[data-schedule="4"]').textContent === "Mon, Wed · 09:00–15:00 · break 12:00 (30 min)"`)
	// The form, opened again in English, keeps the days ticked under
	// English names.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#ctr-body button[data-edit="4"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-form").hidden && document.getElementById("ctr-day-wed").checked && document.querySelector('label[for="ctr-day-wed"]').textContent === "Wednesday"`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="el"]`)))
	bt.WaitTrue(t, admin, long, `document.documentElement.lang === "el" && document.getElementById("ctr-day-wed").checked && document.querySelector('label[for="ctr-day-wed"]').textContent === "Τετάρτη"`)
	bt.Screenshot(t, admin, "admin-counter-schedule-en")
}
