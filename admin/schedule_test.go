package admin_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

type scheduleJSON struct {
	Days   []string `json:"days"`
	Opens  string   `json:"opens"`
	Closes string   `json:"closes"`
	Breaks []struct {
		At      string `json:"at"`
		Minutes int    `json:"minutes"`
	} `json:"breaks"`
}

type scheduledCounterJSON struct {
	ID       string        `json:"id"`
	Serves   []string      `json:"serves"`
	Status   string        `json:"status"`
	Schedule *scheduleJSON `json:"schedule"`
}

// TestCounterSchedule sets a counter's planned hours and breaks through
// the API: a manager of the branch may, a clerk or another branch's
// manager may not; bad schedules are refused with a message that says
// what is wrong; a PUT without a schedule clears it.
func TestCounterSchedule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := demoPath + "/counters/4"
	plan := map[string]any{"days": []string{"mon", "wed"}, "opens": "09:00", "closes": "15:00", "breaks": []map[string]any{{"at": "12:00", "minutes": 30}}}
	body := map[string]any{"serves": []string{"applications", "certificates"}, "schedule": plan}

	apptest.WantError(t, f.clerk.Do("PUT", path, body), http.StatusForbidden, "forbidden")
	apptest.WantError(t, f.otherMgr.Do("PUT", path, body), http.StatusForbidden, "forbidden")
	apptest.WantError(t, f.anon.Do("PUT", path, body), http.StatusUnauthorized, "unauthenticated")

	res := apptest.MustStatus(t, f.mgr.Do("PUT", path, body), http.StatusOK)
	got := apptest.Decode[scheduledCounterJSON](t, res)
	if s := got.Schedule; s == nil || !slices.Equal(s.Days, []string{"mon", "wed"}) || s.Opens != "09:00" || s.Closes != "15:00" || len(s.Breaks) != 1 ||
		s.Breaks[0].At != "12:00" || s.Breaks[0].Minutes != 30 {
		t.Fatalf("PUT answered %s", apptest.Short(res.Body))
	}
	// It is stored: the settings show it, and the other counters have none.
	settings := apptest.Decode[struct {
		Counters []scheduledCounterJSON `json:"counters"`
	}](t, apptest.MustStatus(t, f.mgr.Do("GET", demoPath+"/settings", nil), http.StatusOK))
	for _, c := range settings.Counters {
		switch {
		case c.Schedule == nil:
			t.Errorf("counter %s: no schedule object", c.ID)
		case c.ID == "4" && (c.Schedule.Opens != "09:00" || len(c.Schedule.Breaks) != 1):
			t.Errorf("counter 4 in the settings: %+v", c.Schedule)
		case c.ID != "4" && (c.Schedule.Opens != "" || len(c.Schedule.Breaks) != 0):
			t.Errorf("counter %s has a schedule it was never given: %+v", c.ID, c.Schedule)
		}
	}
	// The change is in the audit log with its schedule.
	events := apptest.Decode[struct {
		Events []struct {
			Type   string         `json:"type"`
			Detail map[string]any `json:"detail"`
		} `json:"events"`
	}](t, apptest.MustStatus(t, f.mgr.Do("GET", eventsPath, nil), http.StatusOK))
	last := events.Events[len(events.Events)-1]
	if sched, _ := last.Detail["schedule"].(map[string]any); last.Type != "counter.updated" || sched["opens"] != "09:00" {
		t.Errorf("last event %s %v", last.Type, last.Detail)
	}

	bad := []struct {
		name   string
		plan   any
		status int
		code   string
		says   string
	}{
		{"opening not a time", map[string]any{"opens": "9am"}, 400, "validation_failed", "not a time"},
		{"closing before opening", map[string]any{"opens": "15:00", "closes": "09:00"}, 400, "validation_failed", "closes (09:00) before it opens"},
		{"break outside the hours", map[string]any{"opens": "09:00", "breaks": []map[string]any{{"at": "08:30", "minutes": 15}}}, 400, "validation_failed", "outside the working hours"},
		{"break of no length", map[string]any{"breaks": []map[string]any{{"at": "12:00", "minutes": 0}}}, 400, "validation_failed", "1 to 240 minutes"},
		{"overlapping breaks", map[string]any{"breaks": []map[string]any{{"at": "12:00", "minutes": 30}, {"at": "12:10", "minutes": 5}}}, 400, "validation_failed", "before the one before it ends"},
		{"not a weekday", map[string]any{"days": []string{"monday"}}, 400, "validation_failed", "is not a weekday (use mon"},
		{"a day twice", map[string]any{"days": []string{"mon", "mon"}}, 400, "validation_failed", "day mon is given twice"},
		{"unknown field", map[string]any{"opens": "09:00", "lunch": "12:00"}, 400, "bad_request", "unknown field"},
		{"minutes not a number", map[string]any{"breaks": []map[string]any{{"at": "12:00", "minutes": "half an hour"}}}, 400, "bad_request", "malformed"},
	}
	for _, tc := range bad {
		res := f.mgr.Do("PUT", path, map[string]any{"serves": []string{"applications"}, "schedule": tc.plan})
		apptest.WantError(t, res, tc.status, tc.code)
		if !strings.Contains(string(res.Body), tc.says) {
			t.Errorf("%s: %s does not say %q", tc.name, apptest.Short(res.Body), tc.says)
		}
	}
	// A refused change changed nothing.
	c := apptest.Decode[struct {
		Counters []scheduledCounterJSON `json:"counters"`
	}](t, apptest.MustStatus(t, f.mgr.Do("GET", demoPath+"/counters", nil), http.StatusOK))
	for _, x := range c.Counters {
		if x.ID == "4" && (x.Schedule == nil || x.Schedule.Opens != "09:00" || len(x.Serves) != 2) {
			t.Errorf("after refused changes counter 4 is %+v", x)
		}
	}
	// Creating a counter with a schedule; a PUT without one clears it.
	res = apptest.MustStatus(t, f.mgr.Do("POST", demoPath+"/counters", map[string]any{"id": "5", "serves": []string{"certificates"},
		"schedule": map[string]any{"opens": "10:00"}}), http.StatusCreated)
	if got := apptest.Decode[scheduledCounterJSON](t, res); got.Schedule == nil || got.Schedule.Opens != "10:00" || got.Status != "closed" {
		t.Errorf("created: %s", apptest.Short(res.Body))
	}
	res = apptest.MustStatus(t, f.mgr.Do("PUT", path, map[string]any{"serves": []string{"applications", "certificates"}}), http.StatusOK)
	if got := apptest.Decode[scheduledCounterJSON](t, res); got.Schedule == nil || got.Schedule.Opens != "" || len(got.Schedule.Breaks) != 0 {
		t.Errorf("PUT without a schedule kept %s", apptest.Short(res.Body))
	}
}

// TestCounterSchedulesPerDay gives a counter two plans, a morning on most
// days and Tuesday's late shift: the API keeps both and shows them in
// schedules, a counter with one plan shows it in both fields, and plans
// that claim the same day are refused.
func TestCounterSchedulesPerDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := demoPath + "/counters/3"
	morning := map[string]any{"days": []string{"mon", "wed", "thu", "fri"}, "opens": "08:00", "closes": "15:00"}
	late := map[string]any{"days": []string{"tue"}, "opens": "12:00", "closes": "20:00", "breaks": []map[string]any{{"at": "16:00", "minutes": 30}}}
	body := map[string]any{"serves": []string{"signatures"}, "schedules": []any{morning, late}}
	type counterJSON struct {
		scheduledCounterJSON
		Schedules []scheduleJSON `json:"schedules"`
	}
	got := apptest.Decode[counterJSON](t, apptest.MustStatus(t, f.mgr.Do("PUT", path, body), http.StatusOK))
	if len(got.Schedules) != 2 || got.Schedules[1].Opens != "12:00" || len(got.Schedules[1].Breaks) != 1 || !slices.Equal(got.Schedules[0].Days, []string{"mon", "wed", "thu", "fri"}) {
		t.Fatalf("PUT answered %+v", got.Schedules)
	}
	if got.Schedule == nil || got.Schedule.Opens != "" || len(got.Schedule.Days) != 0 {
		t.Errorf("with two plans, schedule shows %+v, want none", got.Schedule)
	}
	settings := apptest.Decode[struct {
		Counters []counterJSON `json:"counters"`
	}](t, apptest.MustStatus(t, f.mgr.Do("GET", demoPath+"/settings", nil), http.StatusOK))
	for _, c := range settings.Counters {
		if c.ID == "3" && (len(c.Schedules) != 2 || c.Schedules[1].Closes != "20:00") {
			t.Errorf("counter 3 in the settings: %+v", c.Schedules)
		}
		if c.ID != "3" && c.Schedules == nil {
			t.Errorf("counter %s: schedules is null, want a list", c.ID)
		}
	}

	// One plan in the list is shown in both fields.
	one := map[string]any{"serves": []string{"signatures"}, "schedules": []any{late}}
	got = apptest.Decode[counterJSON](t, apptest.MustStatus(t, f.mgr.Do("PUT", path, one), http.StatusOK))
	if len(got.Schedules) != 1 || got.Schedule == nil || got.Schedule.Opens != "12:00" {
		t.Errorf("one plan: schedule %+v, schedules %+v", got.Schedule, got.Schedules)
	}

	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"a day twice", map[string]any{"serves": []string{"signatures"}, "schedules": []any{morning, map[string]any{"days": []string{"fri"}, "opens": "10:00"}}}, "fri is in two schedules"},
		{"both fields", map[string]any{"serves": []string{"signatures"}, "schedule": morning, "schedules": []any{late}}, "not both"},
		{"two for every day", map[string]any{"serves": []string{"signatures"}, "schedules": []any{map[string]any{"opens": "08:00"}, map[string]any{"opens": "09:00"}}}, "two schedules name no days"},
	} {
		res := f.mgr.Do("PUT", path, tc.body)
		apptest.WantError(t, res, http.StatusBadRequest, "validation_failed")
		if !strings.Contains(string(res.Body), tc.want) {
			t.Errorf("%s: %s, want %q", tc.name, apptest.Short(res.Body), tc.want)
		}
	}
}
