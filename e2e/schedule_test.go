package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/seira-queue/seira/app/apptest"
	bt "github.com/seira-queue/seira/internal/browsertest"
)

// settingsPage starts a server and signs a manager's browser in on the
// demo office's settings; api is the same manager over HTTP.
func settingsPage(t *testing.T) (api *apptest.Client, admin context.Context) {
	t.Helper()
	env := apptest.Start(t)
	admin = bt.Browser(t, 1920, 1080)
	adminSignIn(t, admin, env.URL, nil)
	bt.Do(t, admin, long, chromedp.Navigate(env.URL+"/admin/settings?branch=demo"))
	bt.WaitTrue(t, admin, long, `seiraAdmin.view === "settings" && seiraAdmin.ready`)
	return env.Admin(), admin
}

// TestManagerPlansACounter gives counter 4 its planned hours and a break
// from the counters form: the plan is stored (the API shows it), the table
// shows it in either language, and a closing before the opening is
// refused in the form, in the page's language.
func TestManagerPlansACounter(t *testing.T) {
	api, admin := settingsPage(t)
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

// TestManagerPlansTwoShifts gives counter 3 a morning plan on four days
// and Tuesday's late shift with a break, from the form: a day ticked in
// both plans is refused, what is typed survives a language switch, the
// table and the API show both plans, and removing one leaves the other as
// the counter's single schedule.
func TestManagerPlansTwoShifts(t *testing.T) {
	api, admin := settingsPage(t)

	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#ctr-body button[data-edit="3"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-form").hidden`)
	bt.Do(t, admin, long,
		chromedp.Click(chromedp.ID("ctr-day-mon")),
		chromedp.Click(chromedp.ID("ctr-day-wed")),
		chromedp.Click(chromedp.ID("ctr-day-thu")),
		chromedp.Click(chromedp.ID("ctr-day-fri")),
		chromedp.SendKeys(chromedp.ID("ctr-opens"), "08:00"),
		chromedp.SendKeys(chromedp.ID("ctr-closes"), "15:00"),
		chromedp.Click(chromedp.ID("btn-plan-add")),
	)
	bt.WaitTrue(t, admin, long, `document.activeElement.id === "ctr-s1-day-mon" && document.querySelector('#ctr-plans [data-plan="1"] > legend').textContent === "Πρόγραμμα 2"`)
	bt.Do(t, admin, long,
		chromedp.Click(chromedp.ID("ctr-s1-day-tue")),
		chromedp.Click(chromedp.ID("ctr-s1-day-fri")), // also in the first plan
		chromedp.SendKeys(chromedp.ID("ctr-s1-opens"), "12:00"),
		chromedp.SendKeys(chromedp.ID("ctr-s1-closes"), "20:00"),
		chromedp.Click(chromedp.ID("btn-s1-break-add")),
	)
	bt.WaitTrue(t, admin, long, `document.activeElement.id === "ctr-s1-br-0-at"`)
	bt.Do(t, admin, long, chromedp.SetValue(chromedp.ID("ctr-s1-br-0-at"), "16:00"))

	// A language switch redraws the plans with what was typed and ticked.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="en"]`)))
	bt.WaitTrue(t, admin, long, `document.querySelector('#ctr-plans [data-plan="1"] > legend').textContent === "Plan 2"`)
	if !bt.Eval[bool](t, admin, `document.getElementById("ctr-s1-day-tue").checked && document.getElementById("ctr-day-thu").checked &&
		document.getElementById("ctr-s1-opens").value === "12:00" && document.getElementById("ctr-s1-br-0-at").value === "16:00" && document.getElementById("ctr-closes").value === "15:00"`) {
		t.Error("the language switch lost what was typed in the plans")
	}
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#lang-switch button[data-lang="el"]`)))
	bt.WaitTrue(t, admin, long, `document.querySelector('#ctr-plans [data-plan="1"] > legend').textContent === "Πρόγραμμα 2"`)

	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-ctr-save")))
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-error").hidden`)
	if msg := bt.Eval[string](t, admin, `document.getElementById("ctr-error").textContent`); !strings.Contains(msg, "«Παρασκευή» είναι σε δύο προγράμματα") {
		t.Errorf("error shown: %q", msg)
	}
	checkAxe(t, admin, "admin counter with two plans")
	bt.Screenshot(t, admin, "admin-counter-two-plans")
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("ctr-s1-day-fri")), chromedp.Click(chromedp.ID("btn-ctr-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("ctr-form").hidden`)
	cell := `document.querySelector('#ctr-body td[data-schedule="3"]').textContent`
	if got, want := bt.Eval[string](t, admin, cell), "Δευ, Τετ, Πέμ, Παρ · 08:00–15:00 / Τρί · 12:00–20:00 · διάλειμμα 16:00 (30 λεπτά)"; got != want {
		t.Errorf("counter 3 after saving: %q, want %q", got, want)
	}
	type plan struct {
		Days          []string
		Opens, Closes string
		Breaks        []struct {
			At      string
			Minutes int
		}
	}
	stored := func() (one plan, all []plan) {
		var settings struct {
			Counters []struct {
				ID        string
				Schedule  plan
				Schedules []plan
			}
		}
		api.Call("GET", "/api/v1/branches/demo/settings", nil, &settings)
		for _, c := range settings.Counters {
			if c.ID == "3" {
				return c.Schedule, c.Schedules
			}
		}
		t.Fatal("no counter 3")
		return
	}
	_, all := stored()
	if len(all) != 2 || strings.Join(all[0].Days, ",") != "mon,wed,thu,fri" || all[0].Opens != "08:00" ||
		strings.Join(all[1].Days, ",") != "tue" || all[1].Closes != "20:00" || len(all[1].Breaks) != 1 || all[1].Breaks[0].At != "16:00" {
		t.Errorf("stored: %+v", all)
	}

	// The morning plan removed: Tuesday's is the counter's schedule.
	bt.Do(t, admin, long, chromedp.Click(chromedp.CSS(`#ctr-body button[data-edit="3"]`)))
	bt.WaitTrue(t, admin, long, `!document.getElementById("ctr-form").hidden && document.getElementById("ctr-s1-day-tue") !== null && document.getElementById("ctr-s1-day-tue").checked`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-s0-remove")))
	bt.WaitTrue(t, admin, long, `document.activeElement.id === "btn-plan-add" && document.getElementById("ctr-s1-opens") === null && document.getElementById("ctr-opens").value === "12:00"`)
	bt.Do(t, admin, long, chromedp.Click(chromedp.ID("btn-ctr-save")))
	bt.WaitTrue(t, admin, long, `document.getElementById("ctr-form").hidden`)
	if one, all := stored(); len(all) != 1 || strings.Join(one.Days, ",") != "tue" || one.Opens != "12:00" || len(one.Breaks) != 1 {
		t.Errorf("after removing the first plan: schedule %+v, schedules %+v", one, all)
	}
}
