package admin_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/seira-queue/seira/app/apptest"
)

type rulesJSON struct {
	Days               []string `json:"days"`
	Roles              []string `json:"roles"`
	IDPattern          string   `json:"id_pattern"`
	UsernamePattern    string   `json:"username_pattern"`
	PasswordMin        int      `json:"password_min"`
	NameMax            int      `json:"name_max"`
	PriorityCapMax     int      `json:"priority_cap_max"`
	ServiceSMin        int      `json:"service_s_min"`
	ServiceSMax        int      `json:"service_s_max"`
	DailyLimitMax      int      `json:"daily_limit_max"`
	RecallBadgeMinMax  int      `json:"recall_badge_min_max"`
	CallShownMinMax    int      `json:"call_shown_min_max"`
	DefaultServiceS    int      `json:"default_service_s"`
	DefaultTargetWaitS int      `json:"default_target_wait_s"`
}

// TestRulesAreWhatTheServerChecks: the rules the administration's forms
// are served are the ones the server holds to: at each bound a value is
// taken and one past it refused; the patterns accept and refuse alike.
func TestRulesAreWhatTheServerChecks(t *testing.T) {
	f := newFixture(t)
	if res := f.anon.Do("GET", "/api/v1/rules", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("rules without signing in: %d", res.Status)
	}
	var r rulesJSON
	if st := f.mgr.Call("GET", "/api/v1/rules", nil, &r); st != http.StatusOK {
		t.Fatalf("rules: %d", st)
	}
	if len(r.Days) != 7 || r.Days[0] != "mon" || len(r.Roles) != 3 || r.PasswordMin < 8 || r.DefaultServiceS != 300 || r.DefaultTargetWaitS != 900 {
		t.Fatalf("rules %+v", r)
	}
	branch := func(k string, v any) map[string]any {
		return map[string]any{"name": map[string]string{"el": "ΚΕΠ Επίδειξης"}, k: v}
	}
	service := func(k string, v any) map[string]any {
		return map[string]any{"name": map[string]string{"el": "Πιστοποιητικά"}, "prefix": "A", "open": true, k: v}
	}
	for _, c := range []struct {
		what, path string
		body       func(string, any) map[string]any
		key        string
		ok, bad    any
	}{
		{"priority cap", demoPath, branch, "priority_cap", r.PriorityCapMax, r.PriorityCapMax + 1},
		{"recall mark", demoPath, branch, "recall_badge_min", r.RecallBadgeMinMax, r.RecallBadgeMinMax + 1},
		{"calls shown", demoPath, branch, "call_shown_min", r.CallShownMinMax, r.CallShownMinMax + 1},
		{"branch name", demoPath, func(k string, v any) map[string]any { return map[string]any{k: map[string]string{"el": v.(string)}} },
			"name", strings.Repeat("α", r.NameMax), strings.Repeat("α", r.NameMax+1)},
		{"service time, low", demoPath + "/services/certificates", service, "default_service_s", r.ServiceSMin, r.ServiceSMin - 1},
		{"service time, high", demoPath + "/services/certificates", service, "default_service_s", r.ServiceSMax, r.ServiceSMax + 1},
		{"daily limit", demoPath + "/services/certificates", service, "daily_limit", r.DailyLimitMax, r.DailyLimitMax + 1},
	} {
		if res := f.mgr.Do("PUT", c.path, c.body(c.key, c.ok)); res.Status != http.StatusOK {
			t.Errorf("%s at its bound: %d %s", c.what, res.Status, apptest.Short(res.Body))
		}
		apptest.WantError(t, f.mgr.Do("PUT", c.path, c.body(c.key, c.bad)), http.StatusBadRequest, "validation_failed")
	}
	id, user := regexp.MustCompile(r.IDPattern), regexp.MustCompile(r.UsernamePattern)
	for _, c := range []struct {
		name string
		want bool
	}{{"maria.p", true}, {"Maria", true}, {"μαρία", false}, {"maria p", false}, {strings.Repeat("m", 65), false}} {
		// The server takes a username in lower case (auth.NormalizeUsername),
		// and so does the form before it checks the pattern.
		norm := strings.ToLower(strings.TrimSpace(c.name))
		res := f.admin.Do("POST", demoPath+"/users", map[string]any{"username": c.name, "name": "x", "role": "clerk", "password": strings.Repeat("p", r.PasswordMin)})
		if got := res.Status == http.StatusCreated; got != c.want || user.MatchString(norm) != c.want {
			t.Errorf("username %q: created %v (%d), the pattern says %v, want %v", c.name, got, res.Status, user.MatchString(norm), c.want)
		}
	}
	short := f.admin.Do("POST", demoPath+"/users", map[string]any{"username": "nikos", "name": "x", "role": "clerk", "password": strings.Repeat("p", r.PasswordMin-1)})
	apptest.WantError(t, short, http.StatusBadRequest, "validation_failed")
	for _, c := range []struct {
		id   string
		want bool
	}{{"desk-9", true}, {"Desk 9", false}, {strings.Repeat("d", 65), false}} {
		res := f.mgr.Do("POST", demoPath+"/counters", map[string]any{"id": c.id, "serves": []string{"certificates"}})
		if got := res.Status == http.StatusCreated; got != c.want || id.MatchString(c.id) != c.want {
			t.Errorf("counter id %q: created %v (%d), the pattern says %v, want %v", c.id, got, res.Status, id.MatchString(c.id), c.want)
		}
	}
}
