package sim

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReferenceDay(t *testing.T) {
	d := ReferenceDay()
	if d.Branch != "demo" || d.Open != TimeOfDay(8*time.Hour) || d.Close != TimeOfDay(15*time.Hour) {
		t.Errorf("branch %s open %s close %s", d.Branch, d.Open, d.Close)
	}
	if len(d.Services) != 3 || len(d.Counters) != 4 || d.ArrivalsPerHour["10"] != 80 {
		t.Errorf("services %d counters %d arrivals at 10: %v", len(d.Services), len(d.Counters), d.ArrivalsPerHour["10"])
	}
	c4 := d.Counters[3]
	if d.opens(c4) != TimeOfDay(9*time.Hour) || len(c4.Pauses) != 1 || c4.Pauses[0].At != TimeOfDay(12*time.Hour) || c4.Pauses[0].Minutes != 30 {
		t.Errorf("counter 4: %+v", c4)
	}
	if d.opens(d.Counters[0]) != d.Open {
		t.Errorf("counter 1 opens at %s, want the opening", d.opens(d.Counters[0]))
	}
	// The embedded copy is the design's file.
	shared, err := os.ReadFile(filepath.Join("..", "..", "shared", "reference-day.json"))
	if err == nil && !bytes.Equal(shared, referenceDay) {
		t.Error("sim/reference-day.json differs from the design's reference-day.json")
	}
}

// The lighter day of the README is the reference day with 80 % of its
// arrivals and nothing else changed but its description.
func TestLighterDay(t *testing.T) {
	d, err := LoadDay(filepath.Join("days", "lighter-day.json"))
	if err != nil {
		t.Fatal(err)
	}
	ref := ReferenceDay()
	if len(d.ArrivalsPerHour) != len(ref.ArrivalsPerHour) {
		t.Fatalf("hours %d, reference %d", len(d.ArrivalsPerHour), len(ref.ArrivalsPerHour))
	}
	for h, n := range ref.ArrivalsPerHour {
		if got, want := d.ArrivalsPerHour[h], 0.8*n; got < want-0.5 || got > want+0.5 {
			t.Errorf("arrivals at %s: %v, want 80 %% of %v", h, got, n)
		}
	}
	d.ArrivalsPerHour, d.About = ref.ArrivalsPerHour, ref.About
	a, _ := json.Marshal(d)
	b, _ := json.Marshal(ref)
	if !bytes.Equal(a, b) {
		t.Errorf("the lighter day differs from the reference day in more than its arrivals:\n%s\n%s", a, b)
	}
}

// mutate returns the reference day's JSON after change.
func mutate(t *testing.T, change func(m map[string]any)) string {
	t.Helper()
	return mutateDay(t, referenceDay, change)
}

// mutateDay returns the day file raw with change made to it.
func mutateDay(t *testing.T, raw []byte, change func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// parseCase is a day file ParseDay must refuse, with what its error says.
type parseCase struct {
	name string
	in   string
	want string // in the error
}

func checkParseErrors(t *testing.T, tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDay(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error, want one with %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseDayErrors(t *testing.T) {
	svc := func(m map[string]any, i int) map[string]any { return m["services"].([]any)[i].(map[string]any) }
	ctr := func(m map[string]any, i int) map[string]any { return m["counters"].([]any)[i].(map[string]any) }
	checkParseErrors(t, []parseCase{
		{"not JSON", `{"branch": "demo",`, "bad JSON"},
		{"wrong type", `{"branch": 5}`, "bad JSON"},
		{"two objects", string(referenceDay) + string(referenceDay), "more than one"},
		{"unknown field", mutate(t, func(m map[string]any) { m["shares"] = 1 }), `unknown field "shares"`},
		{"shares sum to 0.9", mutate(t, func(m map[string]any) { svc(m, 0)["share"] = 0.35 }), "shares sum to 0.900, not 1"},
		{"shares sum to 1.1", mutate(t, func(m map[string]any) { svc(m, 2)["share"] = 0.3 }), "shares sum to 1.100, not 1"},
		{"unknown service in a counter", mutate(t, func(m map[string]any) { ctr(m, 2)["serves"] = []string{"signatures", "pensions"} }),
			`counter 3 serves unknown service "pensions"`},
		{"service twice in a counter", mutate(t, func(m map[string]any) { ctr(m, 0)["serves"] = []string{"signatures", "signatures"} }),
			"counter 1 lists service signatures twice"},
		{"service nobody serves", mutate(t, func(m map[string]any) {
			ctr(m, 2)["serves"] = []string{"signatures"}
			ctr(m, 3)["serves"] = []string{"certificates"}
		}), "service applications: no counter serves it"},
		{"bad time", mutate(t, func(m map[string]any) { m["open"] = "8:00" }), `time "8:00": want HH:MM`},
		{"close before open", mutate(t, func(m map[string]any) { m["close"] = "07:00" }), "close 07:00 is not after open 08:00"},
		{"arrivals after closing", mutate(t, func(m map[string]any) { m["arrivals_per_hour"].(map[string]any)["16"] = 5 }),
			`arrivals_per_hour "16": the hour is outside the opening hours`},
		{"bad hour", mutate(t, func(m map[string]any) { m["arrivals_per_hour"].(map[string]any)["9"] = 5 }), `hour "9": want 00 to 23`},
		{"negative rate", mutate(t, func(m map[string]any) { m["arrivals_per_hour"].(map[string]any)["09"] = -1 }), "is not a rate"},
		{"no-show rate", mutate(t, func(m map[string]any) { m["no_show_rate"] = 1.5 }), "no_show_rate 1.5"},
		{"mean", mutate(t, func(m map[string]any) { svc(m, 1)["service_min_mean"] = 0 }), "service signatures: service_min_mean 0"},
		{"duplicate service", mutate(t, func(m map[string]any) { svc(m, 1)["id"] = "certificates" }), "service certificates: listed twice"},
		{"pause after closing", mutate(t, func(m map[string]any) { ctr(m, 3)["pauses"] = []map[string]any{{"at": "15:30", "minutes": 10}} }),
			"counter 4: pause at 15:30 is outside its hours 09:00–15:00"},
		{"opens after closing", mutate(t, func(m map[string]any) { ctr(m, 3)["opens"] = "16:00" }), "counter 4 opens at 16:00"},
		{"no counters", mutate(t, func(m map[string]any) { m["counters"] = []any{} }), "no counters"},
	})
}

func TestParseDayAcceptsShareRounding(t *testing.T) {
	in := mutate(t, func(m map[string]any) { m["services"].([]any)[0].(map[string]any)["share"] = 0.449 })
	if _, err := ParseDay(strings.NewReader(in)); err != nil {
		t.Errorf("shares summing to 0.999: %v", err)
	}
}

func TestLoadDay(t *testing.T) {
	p := filepath.Join(t.TempDir(), "day.json")
	if err := os.WriteFile(p, referenceDay, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDay(p)
	if err != nil || d.Branch != "demo" {
		t.Errorf("LoadDay = %+v, %v", d.Branch, err)
	}
	if _, err := LoadDay(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestTimeOfDay(t *testing.T) {
	for in, want := range map[string]time.Duration{"00:00": 0, "08:30": 8*time.Hour + 30*time.Minute, "23:59": 23*time.Hour + 59*time.Minute} {
		got, err := ParseTimeOfDay(in)
		if err != nil || time.Duration(got) != want || got.String() != in {
			t.Errorf("ParseTimeOfDay(%q) = %v (%s), %v; want %v", in, time.Duration(got), got, err, want)
		}
	}
	for _, in := range []string{"24:00", "8:00", "08:60", "0800", "ab:cd", ""} {
		if _, err := ParseTimeOfDay(in); err == nil {
			t.Errorf("ParseTimeOfDay(%q) accepted", in)
		}
	}
}

func TestNextWeekday(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Athens")
	for now, want := range map[string]string{
		"2026-11-27T10:00:00+02:00": "2026-11-30", // Friday → Monday
		"2026-11-28T10:00:00+02:00": "2026-11-30", // Saturday → Monday
		"2026-11-30T23:30:00+02:00": "2026-12-01", // Monday → Tuesday
		"2026-11-30T22:30:00Z":      "2026-12-02", // already Tuesday in Athens
	} {
		n, _ := time.Parse(time.RFC3339, now)
		if got := nextWeekday(n, loc).Format("2006-01-02"); got != want {
			t.Errorf("nextWeekday(%s) = %s, want %s", now, got, want)
		}
	}
}

// The README's days: the reference day asks more of its counters than
// their hours hold (1.2), the lighter one 96 %, the
// within-capacity one 93 %; the latter keeps everything of the reference
// day but its service times.
func TestDayLoads(t *testing.T) {
	ref := ReferenceDay()
	load := func(path string) Day {
		d, err := LoadDay(filepath.Join("days", path))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	lighter, within := load("lighter-day.json"), load("within-capacity-day.json")
	for _, c := range []struct {
		name     string
		d        Day
		min, max float64
	}{{"reference", ref, 1.19, 1.21}, {"lighter", lighter, 0.95, 0.97}, {"within capacity", within, 0.92, 0.94}} {
		if l := c.d.Load(); l < c.min || l > c.max {
			t.Errorf("%s day: load %.3f, want %.2f–%.2f", c.name, l, c.min, c.max)
		}
	}
	for i, s := range within.Services {
		if r := s.ServiceMinMean / ref.Services[i].ServiceMinMean; r < 0.74 || r > 0.77 {
			t.Errorf("service %s: %.1f min, %.2f of the reference day's", s.ID, s.ServiceMinMean, r)
		}
		within.Services[i].ServiceMinMean = ref.Services[i].ServiceMinMean
	}
	within.About = ref.About
	a, _ := json.Marshal(within)
	b, _ := json.Marshal(ref)
	if !bytes.Equal(a, b) {
		t.Errorf("the within-capacity day differs from the reference day in more than its service times:\n%s\n%s", a, b)
	}
	// No counter time at all is an infinite load, not a division by zero.
	none := ref
	none.Counters = nil
	if l := none.Load(); !math.IsInf(l, 1) {
		t.Errorf("no counters: load %v, want +Inf", l)
	}
}
