package kiosk_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/printer"
)

// waitView is what these tests read of a service or a ticket: whether the
// estimate is there at all (null while no counter serves) and its value.
type waitView struct {
	ID       string          `json:"id"`
	Number   string          `json:"number"`
	Token    string          `json:"token"`
	Position int             `json:"position"`
	Estimate json.RawMessage `json:"estimated_wait_s"`
}

func (w waitView) null() bool { return string(w.Estimate) == "null" }

// TestNoEstimateWhileNoCounterServes: with every counter closed, the
// services list, the ticket and its live channel give estimated_wait_s
// null (never "no wait"); once a counter serving the service opens, a
// figure comes, on the channel too; once it closes again, null again.
func TestNoEstimateWhileNoCounterServes(t *testing.T) {
	env := apptest.Start(t)
	kiosk := env.Kiosk("demo")
	clerk := env.User("maria", auth.RoleClerk, "demo")

	services := func() map[string]waitView {
		var list struct{ Services []waitView }
		if st := env.Client().Call("GET", "/api/v1/branches/demo/services", nil, &list); st != 200 {
			t.Fatalf("services: %d", st)
		}
		out := map[string]waitView{}
		for _, s := range list.Services {
			if len(s.Estimate) == 0 {
				t.Fatalf("service %s has no estimated_wait_s field", s.ID)
			}
			out[s.ID] = s
		}
		return out
	}
	for id, s := range services() {
		if !s.null() {
			t.Errorf("all counters closed: service %s estimated_wait_s %s, want null", id, s.Estimate)
		}
	}

	first := apptest.Issue[waitView](t, kiosk, "demo", "applications")
	second := apptest.Issue[waitView](t, kiosk, "demo", "applications")
	if !first.null() || !second.null() || second.Position != 2 {
		t.Fatalf("issued with no counter open: %+v %+v, want null estimates, the second at position 2", first, second)
	}
	var got waitView
	env.Client().Call("GET", "/api/v1/tickets/"+second.Token, nil, &got)
	if !got.null() || got.Position != 2 {
		t.Fatalf("ticket read with no counter open: %+v", got)
	}

	live, err := env.Dial("/api/v1/tickets/"+second.Token+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	next := func() waitView {
		t.Helper()
		live.SetReadDeadline(time.Now().Add(10 * time.Second))
		// The snapshot has the whole ticket, later messages what changed.
		var m struct {
			Type   string    `json:"type"`
			Ticket *waitView `json:"ticket"`
			Change *waitView `json:"change"`
		}
		if err := live.ReadJSON(&m); err != nil {
			t.Fatalf("live: %v", err)
		}
		if m.Ticket != nil {
			return *m.Ticket
		}
		if m.Change == nil {
			t.Fatalf("a %s message with neither ticket nor change", m.Type)
		}
		return *m.Change
	}
	if snap := next(); !snap.null() {
		t.Fatalf("live snapshot with no counter open: %s, want null", snap.Estimate)
	}

	// Counter 1 serves certificates and signatures, not applications.
	if st := clerk.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil); st != 200 {
		t.Fatalf("open counter 1: %d", st)
	}
	if s := services(); !s["applications"].null() || s["certificates"].null() {
		t.Errorf("counter 1 open: applications %s (want null), certificates %s (want a figure)",
			s["applications"].Estimate, s["certificates"].Estimate)
	}
	// Counter 3 serves applications: the ticket's page gets a figure live.
	if st := clerk.Call("POST", "/api/v1/branches/demo/counters/3/open", nil, nil); st != 200 {
		t.Fatalf("open counter 3: %d", st)
	}
	var secs int
	for m := next(); ; m = next() {
		if !m.null() {
			if err := json.Unmarshal(m.Estimate, &secs); err != nil || secs <= 0 {
				t.Fatalf("estimate %s with one ahead at an open counter, want a positive figure", m.Estimate)
			}
			break
		}
	}
	if s := services(); s["applications"].null() {
		t.Error("counter 3 open: applications estimate still null")
	}
	// Closed again: back to null, live.
	if st := clerk.Call("POST", "/api/v1/branches/demo/counters/3/close", nil, nil); st != 200 {
		t.Fatalf("close counter 3: %d", st)
	}
	for m := next(); !m.null(); m = next() {
	}
	if s := services(); !s["applications"].null() {
		t.Error("counter 3 closed: applications estimate not null")
	}
}

// TestPrintedSlipWithoutACounter: the network printer's slip prints no
// estimate while no counter serves the service, but says so; with one
// open it prints the estimate.
func TestPrintedSlipWithoutACounter(t *testing.T) {
	env := apptest.Start(t)
	clerk := env.User("maria", auth.RoleClerk, "demo")
	slip := func() []byte {
		t.Helper()
		addr, job := fakePrinter(t)
		k := kioskWithPrinter(t, env, printer.Config{Addr: addr})
		var tk issued
		if st := k.Call("POST", "/api/v1/branches/demo/tickets", map[string]string{"service": "certificates", "lang": "en"}, &tk); st != 201 || tk.Print == nil || !tk.Print.OK {
			t.Fatalf("issue: %d %+v", st, tk.Print)
		}
		select {
		case b := <-job:
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("the printer got nothing")
		}
		return nil
	}
	b := slip()
	if !bytes.Contains(b, []byte("No counter is serving")) || bytes.Contains(b, []byte("Estimated wait")) || bytes.Contains(b, []byte("No wait")) {
		t.Errorf("slip with every counter closed:\n%q\nwant the no-counter note and no estimate", b)
	}
	if st := clerk.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil); st != 200 {
		t.Fatalf("open: %d", st)
	}
	b = slip()
	if bytes.Contains(b, []byte("No counter is serving")) || !bytes.Contains(b, []byte("Estimated wait")) {
		t.Errorf("slip with counter 1 open:\n%q\nwant an estimate", b)
	}
}
