package engine

import (
	"context"
	"testing"
	"time"
)

// A day's forecast expects the priority tickets that the earlier days say
// come at this hour, though none has come today yet: yesterday between
// 09:00 and 09:30 twenty priority signatures came, so this morning at
// 09:00 the fourth regular ticket waits longer than the three before it
// take (without priority tickets, 9 minutes).
func TestForecastExpectsPriorityTicketsByTheEarlierDays(t *testing.T) {
	f := newFixture(t) // 09:00 Athens
	for range 20 {
		f.issue(t, "signatures", "pregnancy")
		f.clock.Add(90 * time.Second)
	}
	f.clock.Set(at("09:00").AddDate(0, 0, 1))
	f.open(t, "3") // signatures, applications
	var last TicketInfo
	for range 4 {
		last = f.issue(t, "signatures", "")
	}
	info, err := f.e.TicketByToken(context.Background(), last.Ticket.Token)
	if err != nil {
		t.Fatal(err)
	}
	if st := 3 * time.Minute; info.Wait <= 3*st {
		t.Fatalf("the fourth regular ticket: %v, want more than %v (priority tickets expected)", info.Wait, 3*st)
	}
}
