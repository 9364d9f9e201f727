package display

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/engine"
)

// outMsg is one message for a connection. seq is the branch sequence of
// an event message (0 for others); the writer skips event messages it has
// already sent, which happens when a resume's backlog and the live stream
// overlap.
type outMsg struct {
	seq uint64
	pm  []byte // a whole WebSocket frame (frame.go)
	// fan is the broadcast the message belongs to, if it is one.
	fan *fanOut
}

// fanOut follows one broadcast to its last subscriber, for the figure that
// matters to a waiting room: how long until every screen has the call.
type fanOut struct {
	start time.Time
	subs  int
	left  atomic.Int64
	done  func(subs int, d time.Duration)
}

// sent counts one subscriber done with the broadcast (written, skipped or
// gone).
func (f *fanOut) sent() {
	if f != nil && f.left.Add(-1) == 0 && f.done != nil {
		f.done(f.subs, time.Since(f.start))
	}
}

// client is one WebSocket connection, on a branch channel (ticket == 0) or
// a ticket channel.
//
// The hub's reader (inbound.go) reads what the client sends, and at most
// one writer goroutine runs while there is something to send (a message, a
// ping, a close), ending when the queue is empty. Most connections are idle
// most of the time (a phone between two moves of its queue), and a
// goroutine's stack would be the largest part of their cost; so an idle
// connection holds no goroutine.
type client struct {
	hub    *Hub
	ws     *websocket.Conn
	branch string
	ticket uint64

	mu sync.Mutex
	// queue holds messages for the writer, at most hub.opts.SendQueue; it
	// grows only while messages wait.
	queue    []outMsg
	holding  bool // until the backlog is queued, live messages only wait
	writing  bool // a writer goroutine is running
	pingDue  bool
	lastPing time.Time // when the last ping was asked for
	pong     []byte    // a pong frame owed to the client's ping
	// spare is the queue the writer emptied last, kept so that the next
	// message needs no allocation: a broadcast to thousands would otherwise
	// make as much garbage as it has subscribers.
	spare []outMsg
	// bufs is the writer's list of frames for one writev, kept for the
	// same reason.
	bufs    [][]byte
	closing bool // kicked: the writer sends the close frame and closes
	closed  bool
	code    int
	reason  string
	lastSeq uint64 // the last event seq written; the writer's, under mu
	// writeSince is when the writer began its current round of writes
	// (zero while none runs). The hub's ticker closes a connection whose
	// writer has been stuck longer than WriteWait: a socket write deadline
	// would do the same, but moving ten thousand deadlines together (they
	// are set together, by one broadcast) stalled the broadcast it fell on.
	writeSince time.Time

	// lastHeard is when the client last sent anything (under mu): one
	// silent for PongWait, pings unanswered, is gone.
	lastHeard time.Time
	// The reader's: an incomplete frame, and the socket as epoll knows it.
	in []byte
	rc syscall.RawConn
	fd int32

	// last place told to a ticket follower, under mu.
	lastPos  int
	lastWait int
	lastSt   string
	lastLate bool
	// lastUnstaffed: the follower was told nobody serves its service.
	lastUnstaffed bool
}

func newClient(h *Hub, ws *websocket.Conn, branch string, ticket uint64) *client {
	// The first ping falls anywhere in the first period, so the pings of
	// connections made together (every screen of a region reconnecting after
	// a restart) stay spread out: in step, ten thousand of them would delay
	// the broadcast that coincides with them.
	now := h.opts.Clock.Now()
	first := now.Add(-rand.N(h.opts.PingPeriod))
	return &client{hub: h, ws: ws, branch: branch, ticket: ticket, holding: true, lastPing: first, lastHeard: now}
}

// enqueue hands ms to the writer without waiting, all or none; false means
// the client cannot keep up. The messages of one transaction (a call-next
// is "done" and "called") go together, so that the writer sends them with
// one system call.
func (c *client) enqueue(ms []outMsg) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing || len(c.queue)+len(ms) > c.hub.opts.SendQueue {
		for _, m := range ms {
			m.fan.sent() // going anyway, or dropped
		}
		return c.closing
	}
	if c.queue == nil && c.spare != nil {
		c.queue, c.spare = c.spare, nil
	}
	c.queue = append(c.queue, ms...)
	if !c.holding {
		c.startWriter()
	}
	return true
}

// release puts the backlog before what arrived meanwhile and goes live.
func (c *client) release(backlog []outMsg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = append(backlog, c.queue...)
	c.holding = false
	c.startWriter()
}

// ping asks for a ping once a ping period; the hub calls it for every
// connection now and then. Only the client's answers show it alive, so a
// connection is pinged however busy it is with messages.
//
// It is also the watchdog: a client silent for longer than PongWait (its
// pongs too) is gone, and a writer stuck in a write for longer than
// WriteWait (a peer that stopped reading, with its socket buffers full)
// has its socket closed, which ends the write with an error.
func (c *client) ping(now time.Time) {
	c.mu.Lock()
	silent := now.Sub(c.lastHeard) > c.hub.opts.PongWait
	stuck := !c.writeSince.IsZero() && now.Sub(c.writeSince) > c.hub.opts.WriteWait && !c.closed
	if !silent && !stuck && now.Sub(c.lastPing) >= c.hub.opts.PingPeriod && !c.holding {
		c.pingDue, c.lastPing = true, now
		c.startWriter()
	}
	c.mu.Unlock()
	switch {
	case stuck:
		if c.kick(websocket.CloseAbnormalClosure, "") {
			c.hub.slow.Add(1)
			c.ws.Close()
		}
	case silent:
		c.kick(websocket.CloseAbnormalClosure, "")
	}
}

// kick asks the writer to close the connection with code; only the first
// call counts. It reports whether this call did it.
func (c *client) kick(code int, reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.closing, c.code, c.reason = true, code, reason
	c.startWriter()
	return true
}

// startWriter starts the writer unless one runs; under mu.
func (c *client) startWriter() {
	if c.writing || c.closed {
		return
	}
	c.writing = true
	go c.write()
}

// write is the only code that writes to the connection: it sends what is
// queued, then a ping if one is due, and ends when nothing is left; on a
// kick it sends the close frame and closes.
func (c *client) write() {
	for {
		c.mu.Lock()
		batch, ping, pong, closing := c.queue, c.pingDue, c.pong, c.closing
		c.queue, c.pingDue, c.pong = nil, false, nil
		if closing {
			c.closed, c.writing = true, false
			code, reason := c.code, c.reason
			c.mu.Unlock()
			for _, m := range batch {
				m.fan.sent()
			}
			c.close(code, reason)
			return
		}
		if len(batch) == 0 && !ping && pong == nil {
			c.writing, c.writeSince = false, time.Time{}
			c.mu.Unlock()
			return
		}
		lastSeq := c.lastSeq
		c.writeSince = c.hub.opts.Clock.Now()
		c.mu.Unlock()

		// Everything due goes out in one writev(2): on a branch of
		// thousands, system calls are most of a broadcast's cost.
		bufs := c.bufs[:0]
		for _, m := range batch {
			if m.seq != 0 && m.seq <= lastSeq {
				continue // already sent with a resume's backlog
			}
			bufs = append(bufs, m.pm)
			if m.seq != 0 {
				lastSeq = m.seq
			}
		}
		if pong != nil {
			bufs = append(bufs, pong)
		}
		if ping {
			bufs = append(bufs, []byte{0x80 | opPing, 0})
		}
		nb := net.Buffers(bufs)
		_, err := nb.WriteTo(c.ws.UnderlyingConn())
		clear(bufs)
		c.bufs = nil
		if cap(bufs) <= 8 {
			c.bufs = bufs[:0]
		}
		for _, m := range batch {
			m.fan.sent()
		}
		clear(batch) // let the frames go
		c.mu.Lock()
		c.lastSeq = lastSeq
		if cap(batch) <= 8 {
			c.spare = batch[:0]
		}
		if err != nil && !c.closing {
			c.closing, c.code = true, websocket.CloseAbnormalClosure
		}
		c.mu.Unlock()
	}
}

// close ends the connection: a close frame when there is a reason to give,
// then the socket; the reader ends with it.
func (c *client) close(code int, reason string) {
	if code != websocket.CloseAbnormalClosure {
		conn := c.ws.UnderlyingConn()
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = conn.Write(closeFrame(code, reason))
	}
	c.hub.reader.remove(c)
	c.ws.Close()
	c.hub.unregister(c)
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
