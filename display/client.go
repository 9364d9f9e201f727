package display

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/wsconn"
)

// fanOut follows one broadcast to its last subscriber, for the figure that
// matters to a waiting room: how long until every screen has the call.
type fanOut struct {
	start time.Time
	subs  int
	left  atomic.Int64
	done  func(subs int, d time.Duration)
}

// Sent counts one subscriber done with the broadcast (written, skipped or
// gone).
func (f *fanOut) Sent() {
	if f.left.Add(-1) == 0 && f.done != nil {
		f.done(f.subs, time.Since(f.start))
	}
}

// client is one subscriber: its connection (package wsconn carries the
// bytes) and what the hub knows of it: its branch channel (ticket == 0) or
// the ticket it follows, and the place it was last told.
type client struct {
	conn   *wsconn.Conn
	branch string
	ticket uint64
	// gone is set, under the hub's lock, once the connection has ended: a
	// connection that ends before it is registered is not registered.
	gone bool

	mu sync.Mutex
	// last place told to a ticket follower.
	lastPos       int
	lastWait      int
	lastSt        string
	lastLate      bool
	lastUnstaffed bool
}

// setPlace records what a ticket follower was last told and reports
// whether info changes it.
func (c *client) setPlace(info engine.TicketInfo) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	wait := int(info.Wait / time.Second)
	// Estimates that move by under a minute are noise to a citizen.
	if info.Position == c.lastPos && string(info.Ticket.State) == c.lastSt && abs(wait-c.lastWait) < 60 &&
		info.AfterClosing == c.lastLate && info.Unstaffed == c.lastUnstaffed {
		return false
	}
	c.lastPos, c.lastWait, c.lastSt, c.lastLate = info.Position, wait, string(info.Ticket.State), info.AfterClosing
	c.lastUnstaffed = info.Unstaffed
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
