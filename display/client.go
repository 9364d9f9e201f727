package display

import (
	"sync"
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
	pm  *websocket.PreparedMessage
}

// client is one WebSocket connection, on a branch channel (ticket == 0) or
// a ticket channel.
type client struct {
	hub    *Hub
	ws     *websocket.Conn
	branch string
	ticket uint64

	mu      sync.Mutex
	holding bool // until the backlog is queued, live messages wait in held
	held    []outMsg
	send    chan outMsg

	kickOnce sync.Once
	kicked   chan struct{}
	code     int
	reason   string

	// last place told to a ticket follower, under mu.
	lastPos  int
	lastWait int
	lastSt   string
}

func newClient(h *Hub, ws *websocket.Conn, branch string, ticket uint64) *client {
	return &client{hub: h, ws: ws, branch: branch, ticket: ticket, holding: true,
		send: make(chan outMsg, h.opts.SendQueue), kicked: make(chan struct{})}
}

// enqueue hands m to the writer without waiting; false means the client
// cannot keep up.
func (c *client) enqueue(m outMsg) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding {
		if len(c.held) >= cap(c.send) {
			return false
		}
		c.held = append(c.held, m)
		return true
	}
	select {
	case c.send <- m:
		return true
	default:
		return false
	}
}

// release queues the backlog, then what arrived meanwhile, and goes live.
func (c *client) release(backlog []outMsg) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holding = false
	for _, list := range [][]outMsg{backlog, c.held} {
		for _, m := range list {
			select {
			case c.send <- m:
			default:
				return false
			}
		}
	}
	c.held = nil
	return true
}

// kick asks the writer to close the connection with code; only the first
// call counts. It reports whether this call did it.
func (c *client) kick(code int, reason string) bool {
	did := false
	c.kickOnce.Do(func() {
		c.code, c.reason = code, reason
		close(c.kicked)
		did = true
	})
	return did
}

// setPlace records what a ticket follower was last told and reports
// whether info changes it.
func (c *client) setPlace(info engine.TicketInfo) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	wait := int(info.Wait / time.Second)
	// Estimates that move by under a minute are noise to a citizen.
	if info.Position == c.lastPos && string(info.Ticket.State) == c.lastSt && abs(wait-c.lastWait) < 60 {
		return false
	}
	c.lastPos, c.lastWait, c.lastSt = info.Position, wait, string(info.Ticket.State)
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// writePump is the only goroutine that writes to the connection.
func (c *client) writePump() {
	ping := time.NewTicker(c.hub.opts.PingPeriod)
	defer func() {
		ping.Stop()
		c.hub.unregister(c)
		c.ws.Close()
	}()
	var lastSeq uint64
	for {
		select {
		case m := <-c.send:
			if m.seq != 0 && m.seq <= lastSeq {
				continue
			}
			c.ws.SetWriteDeadline(time.Now().Add(c.hub.opts.WriteWait))
			if err := c.ws.WritePreparedMessage(m.pm); err != nil {
				c.kick(websocket.CloseAbnormalClosure, "")
				return
			}
			if m.seq != 0 {
				lastSeq = m.seq
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.hub.opts.WriteWait)); err != nil {
				c.kick(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.kicked:
			if c.code != websocket.CloseAbnormalClosure {
				msg := websocket.FormatCloseMessage(c.code, c.reason)
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			}
			return
		}
	}
}

// readPump reads (and ignores) what the client sends, so that control
// frames are processed and a dead peer is noticed.
func (c *client) readPump() {
	defer c.kick(websocket.CloseAbnormalClosure, "")
	c.ws.SetReadLimit(4096)
	c.ws.SetReadDeadline(time.Now().Add(c.hub.opts.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(c.hub.opts.PongWait))
	})
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}
