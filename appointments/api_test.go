package appointments_test

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/internal/clocktest"
)

var athens, _ = time.LoadLocation("Europe/Athens")

// at is a time on 2026-12-07 (a Monday) in Athens; the clock of these
// tests starts at 09:00 then.
func at(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-07 "+hhmm, athens)
	if err != nil {
		panic(err)
	}
	return t
}

func start(t *testing.T, change ...func(*app.Config)) (*apptest.Env, *clocktest.Clock) {
	clock := clocktest.New(at("09:00"))
	env := apptest.Start(t, append([]func(*app.Config){func(c *app.Config) { c.Now = clock.Now }}, change...)...)
	return env, clock
}

type apptJSON struct {
	Code        string            `json:"code"`
	Branch      string            `json:"branch"`
	Service     string            `json:"service"`
	ServiceName map[string]string `json:"service_name"`
	Start       time.Time         `json:"start"`
	End         time.Time         `json:"end"`
	State       string            `json:"state"`
	ExternalID  *string           `json:"external_id"`
	Ticket      *string           `json:"ticket"`
	HasContact  bool              `json:"has_contact"`
	Contact     string            `json:"contact"`
	Token       string            `json:"token"`
	ManageURL   string            `json:"manage_url"`
}

type errJSON struct {
	Error struct {
		Code        string `json:"code"`
		Message     string `json:"message"`
		ComeBackAt  string `json:"come_back_at"`
		WalkInOffer bool   `json:"walk_in_offer"`
		Ticket      string `json:"ticket"`
	} `json:"error"`
}

func errOf(t *testing.T, res apptest.Response) errJSON {
	t.Helper()
	var e errJSON
	if err := json.Unmarshal(res.Body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error body (%v): %s", err, res.Body)
	}
	return e
}

func book(c *apptest.Client, svc string, start time.Time, contact string) apptest.Response {
	return c.Do("POST", "/api/v1/branches/demo/appointments",
		map[string]string{"service": svc, "start": start.Format(time.RFC3339), "contact": contact, "lang": "en"})
}

func TestBookSeeMoveCancelOverHTTP(t *testing.T) {
	env, _ := start(t)
	citizen := env.Client()
	var slots struct {
		Slots []struct {
			Start time.Time `json:"start"`
			Free  int       `json:"free"`
		} `json:"slots"`
	}
	if st := citizen.Call("GET", "/api/v1/branches/demo/slots?service=certificates&from=2026-12-07&days=2", nil, &slots); st != 200 {
		t.Fatalf("slots: %d", st)
	}
	// 15-minute slots from 09:15 today (09:00 has begun) and all of tomorrow.
	if n := len(slots.Slots); n != 59+96 || !slots.Slots[0].Start.Equal(at("09:15")) || slots.Slots[0].Free < 1 {
		t.Fatalf("%d slots, first %+v", n, slots.Slots[0])
	}
	res := apptest.MustStatus(t, book(citizen, "certificates", at("10:00"), "+30 690 000 0000"), http.StatusCreated)
	var a apptJSON
	json.Unmarshal(res.Body, &a)
	if len(a.Code) != 6 || a.Token == "" || !strings.HasSuffix(a.ManageURL, "/a/"+a.Token) || a.State != "booked" ||
		!a.Start.Equal(at("10:00")) || !a.End.Equal(at("10:15")) || a.Contact != "+30 690 000 0000" || a.ExternalID != nil || a.Ticket != nil {
		t.Fatalf("booked: %s", res.Body)
	}
	if _, off := a.Start.Zone(); off != 2*3600 {
		t.Errorf("start %s not in the branch's zone", a.Start)
	}
	var got apptJSON
	if st := citizen.Call("GET", "/api/v1/appointments/"+a.Token, nil, &got); st != 200 || got.Code != a.Code {
		t.Fatalf("by token: %d %+v", st, got)
	}
	qr := citizen.Do("GET", "/api/v1/appointments/"+a.Token+"/qr.png", nil)
	if qr.Status != 200 || qr.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d %s", qr.Status, qr.Header.Get("Content-Type"))
	}
	if got := apptest.DecodeQR(t, qr.Body); got != a.Code {
		t.Fatalf("the QR code reads %q, want the code %s", got, a.Code)
	}
	res = citizen.Do("PATCH", "/api/v1/appointments/"+a.Token, map[string]string{"start": at("11:30").Format(time.RFC3339)})
	apptest.MustStatus(t, res, 200)
	json.Unmarshal(res.Body, &got)
	if !got.Start.Equal(at("11:30")) || got.Code != a.Code {
		t.Fatalf("moved: %s", res.Body)
	}
	if e := errOf(t, citizen.Do("PATCH", "/api/v1/appointments/"+a.Token, map[string]string{"start": "11:30"})); e.Error.Code != "validation_failed" {
		t.Fatalf("a start without a date: %+v", e)
	}
	res = apptest.MustStatus(t, citizen.Do("DELETE", "/api/v1/appointments/"+a.Token, nil), 200)
	json.Unmarshal(res.Body, &got)
	if got.State != "cancelled" {
		t.Fatalf("cancelled: %s", res.Body)
	}
	if e := errOf(t, citizen.Do("DELETE", "/api/v1/appointments/"+a.Token, nil)); e.Error.Code != "conflict" {
		t.Fatalf("cancelled twice: %+v", e)
	}
	for path, code := range map[string]string{
		"/api/v1/appointments/nope":                                "not_found",
		"/api/v1/branches/demo/slots?service=signatures":           "not_bookable",
		"/api/v1/branches/demo/slots?service=certificates&days=99": "validation_failed",
		"/api/v1/branches/demo/slots":                              "validation_failed",
		"/api/v1/branches/nope/slots?service=certificates":         "not_found",
	} {
		if e := errOf(t, citizen.Do("GET", path, nil)); e.Error.Code != code {
			t.Errorf("GET %s: %+v, want %s", path, e, code)
		}
	}
	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"not a slot":      {`{"service":"certificates","start":"2026-12-07T10:05:00+02:00"}`, 422, "not_bookable"},
		"past":            {`{"service":"certificates","start":"2026-12-07T08:00:00+02:00"}`, 422, "not_bookable"},
		"too far":         {`{"service":"certificates","start":"2027-03-01T10:00:00+02:00"}`, 422, "not_bookable"},
		"not bookable":    {`{"service":"signatures","start":"2026-12-07T10:00:00+02:00"}`, 422, "not_bookable"},
		"no service":      {`{"start":"2026-12-07T10:00:00+02:00"}`, 400, "validation_failed"},
		"bad time":        {`{"service":"certificates","start":"tomorrow"}`, 400, "validation_failed"},
		"unknown field":   {`{"service":"certificates","start":"2026-12-07T10:00:00+02:00","x":1}`, 400, "bad_request"},
		"bad json":        {`{"service":`, 400, "bad_request"},
		"long contact":    {`{"service":"certificates","start":"2026-12-07T10:00:00+02:00","contact":"` + strings.Repeat("9", 101) + `"}`, 400, "validation_failed"},
		"unknown service": {`{"service":"nope","start":"2026-12-07T10:00:00+02:00"}`, 404, "not_found"},
	} {
		res := env.Admin().Do("POST", "/api/v1/branches/demo/appointments", c.body)
		if e := errOf(t, res); res.Status != c.status || e.Error.Code != c.code {
			t.Errorf("%s: %d %+v, want %d %s", name, res.Status, e, c.status, c.code)
		}
	}
}

// TestTwoCitizensNeverGetTheLastPlaceBoth books one slot from many
// clients at once over HTTP: exactly its size succeed, the rest are 409.
func TestTwoCitizensNeverGetTheLastPlaceBoth(t *testing.T) {
	env, _ := start(t, func(c *app.Config) { c.BookingRate, c.BookingBurst = 1000, 1000 })
	var slots struct {
		Slots []struct {
			Start time.Time `json:"start"`
			Free  int       `json:"free"`
		} `json:"slots"`
	}
	env.Client().Call("GET", "/api/v1/branches/demo/slots?service=applications&days=1", nil, &slots)
	size := slots.Slots[0].Free
	const n = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	codes := map[string]bool{}
	ready := make(chan struct{})
	for range n {
		c := env.Client()
		wg.Go(func() {
			<-ready
			res := book(c, "applications", slots.Slots[0].Start, "")
			mu.Lock()
			defer mu.Unlock()
			statuses[res.Status]++
			var a apptJSON
			if json.Unmarshal(res.Body, &a) == nil && a.Code != "" {
				codes[a.Code] = true
			}
		})
	}
	close(ready)
	wg.Wait()
	if statuses[201] != size || statuses[409] != n-size || len(codes) != size {
		t.Fatalf("statuses %v, %d codes; want %d booked and %d slot_full", statuses, len(codes), size, n-size)
	}
	env.Client().Call("GET", "/api/v1/branches/demo/slots?service=applications&days=1", nil, &slots)
	if slots.Slots[0].Free != 0 {
		t.Fatalf("the slot shows %d free", slots.Slots[0].Free)
	}
}

func TestPublicBookingIsRateLimitedPerAddress(t *testing.T) {
	env, _ := start(t, func(c *app.Config) { c.BookingRate, c.BookingBurst = 0.001, 2 })
	citizen, staff := env.Client(), env.Admin()
	for i := range 2 {
		apptest.MustStatus(t, book(citizen, "certificates", at("10:00").Add(time.Duration(i)*15*time.Minute), ""), 201)
	}
	res := book(env.Client(), "certificates", at("11:00"), "")
	if e := errOf(t, res); res.Status != 429 || e.Error.Code != "rate_limited" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third booking from one address: %d %+v", res.Status, e)
	}
	apptest.MustStatus(t, book(staff, "certificates", at("11:00"), ""), 201) // staff book for callers
	kiosk := env.Kiosk("demo")
	if e := errOf(t, book(kiosk, "certificates", at("11:15"), "")); e.Error.Code != "forbidden" {
		t.Fatalf("a kiosk booking: %+v", e)
	}
}

func TestCheckinOverHTTP(t *testing.T) {
	env, clock := start(t)
	apptest.CreateOtherBranch(t, env)
	admin, kiosk := env.Admin(), env.Kiosk("demo")
	var a apptJSON
	json.Unmarshal(apptest.MustStatus(t, book(env.Client(), "certificates", at("10:00"), ""), 201).Body, &a)
	checkin := func(c *apptest.Client, code string, walkIn bool) apptest.Response {
		return c.Do("POST", "/api/v1/branches/demo/checkin", map[string]any{"code": code, "walk_in": walkIn})
	}
	res := checkin(kiosk, a.Code, false)
	if e := errOf(t, res); res.Status != 422 || e.Error.Code != "too_early" || e.Error.ComeBackAt != "2026-12-07T09:30:00+02:00" {
		t.Fatalf("too early: %d %s", res.Status, res.Body)
	}
	clock.Set(at("09:40"))
	res = apptest.MustStatus(t, checkin(kiosk, strings.ToLower(a.Code[:3])+" "+a.Code[3:], false), 201)
	var tk struct {
		apptest.TicketJSON
		Source      string `json:"source"`
		Appointment *struct {
			Code  string    `json:"code"`
			Start time.Time `json:"start"`
		} `json:"appointment"`
	}
	json.Unmarshal(res.Body, &tk)
	if tk.Source != "appointment" || tk.Appointment == nil || tk.Appointment.Code != a.Code || !tk.Appointment.Start.Equal(at("10:00")) || tk.Token == "" {
		t.Fatalf("checked in: %s", res.Body)
	}
	res = checkin(kiosk, a.Code, false)
	if e := errOf(t, res); res.Status != 409 || e.Error.Code != "already_checked_in" || e.Error.Ticket != tk.Number {
		t.Fatalf("twice: %d %s", res.Status, res.Body)
	}
	var holder apptJSON
	env.Client().Call("GET", "/api/v1/appointments/"+a.Token, nil, &holder)
	if holder.State != "checked_in" || holder.Ticket == nil || *holder.Ticket != tk.Number {
		t.Fatalf("the holder's view after check-in: %+v", holder)
	}
	var late apptJSON
	json.Unmarshal(apptest.MustStatus(t, book(admin, "certificates", at("09:45"), ""), 201).Body, &late)
	clock.Set(at("09:56"))
	res = checkin(kiosk, late.Code, false)
	if e := errOf(t, res); res.Status != 422 || e.Error.Code != "too_late" || !e.Error.WalkInOffer {
		t.Fatalf("too late: %d %s", res.Status, res.Body)
	}
	res = apptest.MustStatus(t, checkin(admin, late.Code, true), 201)
	tk.Appointment = nil
	json.Unmarshal(res.Body, &tk)
	if tk.Source != "walk_in" || tk.Appointment != nil {
		t.Fatalf("the walk-in offer: %s", res.Body)
	}
	for name, c := range map[string]struct {
		client *apptest.Client
		code   string
		status int
		want   string
	}{
		"unknown":      {kiosk, "ACDEFG", 404, "not_found"},
		"not a code":   {kiosk, "hello!", 404, "not_found"},
		"anonymous":    {env.Client(), a.Code, 401, "unauthenticated"},
		"a display":    {apptest.Device(t, env, "demo", auth.DeviceDisplay), a.Code, 403, "forbidden"},
		"other branch": {env.User("eleni", auth.RoleClerk, "other"), a.Code, 403, "forbidden"},
	} {
		res := checkin(c.client, c.code, false)
		if e := errOf(t, res); res.Status != c.status || e.Error.Code != c.want {
			t.Errorf("%s: %d %+v", name, res.Status, e)
		}
	}
}

func TestImportAndDayListOverHTTP(t *testing.T) {
	env, _ := start(t)
	apptest.CreateOtherBranch(t, env)
	admin := env.Admin()
	rows := `[{"external_id":"gov-1","service":"certificates","start":"2026-12-07T10:00:00+02:00","reference":"R-1"},
	          {"external_id":"gov-2","service":"applications","start":"2026-12-07T08:50:00+02:00"},
	          {"external_id":"gov-3","service":"nope","start":"2026-12-07T10:00:00+02:00"},
	          {"external_id":"gov-4","service":"certificates","start":"soon"}]`
	type result struct {
		Created, Updated, Unchanged int
		Appointments                []struct{ ExternalID, Code string }
		Refused                     []struct {
			Row           int
			Code, Message string
		}
	}
	var r result
	if st := admin.Call("POST", "/api/v1/branches/demo/appointments/import", rows, &r); st != 200 || r.Created != 2 || len(r.Refused) != 2 ||
		r.Refused[0].Row != 3 || r.Refused[0].Code != "not_found" || r.Refused[1].Row != 4 || r.Refused[1].Code != "validation_failed" {
		t.Fatalf("import: %d %+v", st, r)
	}
	csv := "external_id,service,start,reference\ngov-1,certificates,2026-12-07T10:00:00+02:00,R-1\ngov-2,applications,2026-12-07T08:50:00+02:00,\n"
	res := admin.Do("POST", "/api/v1/branches/demo/appointments/import", csv, "Content-Type", "text/csv")
	json.Unmarshal(apptest.MustStatus(t, res, 200).Body, &r)
	if r.Created != 0 || r.Updated != 0 || r.Unchanged != 2 || len(r.Refused) != 0 {
		t.Fatalf("the same rows as CSV: %s", res.Body)
	}
	if e := errOf(t, admin.Do("POST", "/api/v1/branches/demo/appointments/import", "service,start\n", "Content-Type", "text/csv")); e.Error.Code != "bad_request" {
		t.Fatalf("CSV without external_id: %+v", e)
	}
	clerk := env.User("maria", auth.RoleClerk, "demo")
	if e := errOf(t, clerk.Do("POST", "/api/v1/branches/demo/appointments/import", rows)); e.Error.Code != "forbidden" {
		t.Fatalf("a clerk imports: %+v", e)
	}
	json.Unmarshal(apptest.MustStatus(t, book(env.Client(), "certificates", at("11:00"), "a@example.org"), 201).Body, new(apptJSON))
	var day struct {
		Date         string     `json:"date"`
		Appointments []apptJSON `json:"appointments"`
	}
	if st := clerk.Call("GET", "/api/v1/branches/demo/appointments", nil, &day); st != 200 || day.Date != "2026-12-07" || len(day.Appointments) != 3 {
		t.Fatalf("the day: %d %+v", st, day)
	}
	last := day.Appointments[2]
	if !last.HasContact || last.Contact != "" || last.Token != "" || last.ServiceName["en"] != "Certificates" {
		t.Fatalf("the day's list shows %+v: a mark of contact, no contact, no token", last)
	}
	var one apptJSON
	if st := clerk.Call("GET", "/api/v1/branches/demo/appointments/"+last.Code, nil, &one); st != 200 || one.Contact != "a@example.org" || one.Token != "" {
		t.Fatalf("staff, one appointment: %d %+v", st, one)
	}
	if st := clerk.Call("PATCH", "/api/v1/branches/demo/appointments/"+last.Code, map[string]string{"start": at("12:00").Format(time.RFC3339)}, &one); st != 200 || !one.Start.Equal(at("12:00")) {
		t.Fatalf("staff move: %d %+v", st, one)
	}
	if st := clerk.Call("DELETE", "/api/v1/branches/demo/appointments/"+last.Code, nil, &one); st != 200 || one.State != "cancelled" {
		t.Fatalf("staff cancel: %d %+v", st, one)
	}
	for _, c := range []*apptest.Client{env.Client(), env.User("nikos", auth.RoleClerk, "other"), env.Kiosk("demo")} {
		if res := c.Do("GET", "/api/v1/branches/demo/appointments", nil); res.Status != 401 && res.Status != 403 {
			t.Errorf("the day's list to %v: %d", c, res.Status)
		}
	}
	if e := errOf(t, clerk.Do("GET", "/api/v1/branches/demo/appointments?date=7/12", nil)); e.Error.Code != "validation_failed" {
		t.Fatalf("a bad date: %+v", e)
	}
}

// TestHoursLeftForWalkIns: the demo office has no opening hours and four
// counters, so each hour has 240 counter minutes; two certificates
// appointments (4 min each) at 10:00 take 8 of them.
func TestHoursLeftForWalkIns(t *testing.T) {
	env, _ := start(t)
	admin := env.Admin()
	for range 2 {
		apptest.MustStatus(t, book(admin, "certificates", at("10:00"), ""), 201)
	}
	var res struct {
		Date  string `json:"date"`
		Hours []struct {
			Hour        string   `json:"hour"`
			CounterMin  float64  `json:"counter_min"`
			BookedMin   float64  `json:"booked_min"`
			WalkInMin   float64  `json:"walk_in_min"`
			WalkInShare *float64 `json:"walk_in_share"`
		} `json:"hours"`
	}
	if st := env.User("maria", auth.RoleClerk, "demo").Call("GET", "/api/v1/branches/demo/appointments/hours?date=2026-12-07", nil, &res); st != 200 || len(res.Hours) != 24 {
		t.Fatalf("%d %+v", st, res)
	}
	for _, h := range res.Hours {
		want := 0.0
		if h.Hour == "10" {
			want = 8
		}
		if h.CounterMin != 240 || h.BookedMin != want || h.WalkInMin != 240-want || h.WalkInShare == nil || math.Abs(*h.WalkInShare-(240-want)/240) > 0.001 {
			t.Errorf("hour %s: %+v", h.Hour, h)
		}
	}
	if res := env.Client().Do("GET", "/api/v1/branches/demo/appointments/hours", nil); res.Status != 401 {
		t.Errorf("anonymous: %d", res.Status)
	}
}

// TestSlotsAnswerSaysTheHorizon: the slots' answer names the last day
// that can be booked, and an appointment its check-in window.
func TestSlotsAnswerSaysTheHorizon(t *testing.T) {
	env, _ := start(t)
	env.Admin().Do("PATCH", "/api/v1/branches/demo/services/certificates", `{"appointments": {"days_ahead": 3, "checkin_early_min": 20}}`)
	var slots struct {
		LastDay string `json:"last_day"`
		Slots   []struct {
			Start time.Time `json:"start"`
		} `json:"slots"`
	}
	if st := env.Client().Call("GET", "/api/v1/branches/demo/slots?service=certificates&days=7", nil, &slots); st != 200 || slots.LastDay != "2026-12-10" {
		t.Fatalf("%d last day %q", st, slots.LastDay)
	}
	if last := slots.Slots[len(slots.Slots)-1].Start; last.Format("2006-01-02") != "2026-12-10" {
		t.Fatalf("the last slot offered is on %s", last)
	}
	var a struct {
		Early int `json:"checkin_early_min"`
		Late  int `json:"checkin_late_min"`
	}
	if st := env.Client().Call("POST", "/api/v1/branches/demo/appointments", map[string]string{"service": "certificates", "start": "2026-12-08T10:00:00+02:00"}, &a); st != 201 || a.Early != 20 || a.Late != 10 {
		t.Fatalf("%d window %+v", st, a)
	}
}
