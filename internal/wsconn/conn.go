package wsconn

import (
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// Msg is one message for a connection: a whole frame, made once and shared
// by every connection it goes to.
type Msg struct {
	// Seq is the message's place in its stream (0 for none): a connection
	// skips a message whose Seq it has sent already, which happens where a
	// resume's backlog and the live stream overlap.
	Seq   uint64
	Frame []byte
	// Sent, if not nil, is told when the message is written to this
	// connection, skipped, or dropped with it.
	Sent Tracker
}

// Tracker follows a message to the connections it goes to.
type Tracker interface{ Sent() }

// Conn is one WebSocket connection after the handshake. The Set's reader
// reads what the client sends. What is sent to an idle connection is
// written at once by the goroutine that enqueues it, without waiting (a
// non-blocking send(2): a broadcast to thousands is then a loop of system
// calls, with no goroutine woken per connection); what the socket does not
// take at once, and everything sent while that is pending, goes to a writer
// goroutine, which runs only while there is something to send (messages, a
// ping, a pong, a close) and ends when the queue is empty. Most
// connections are idle most of the time (a phone between two moves of its
// queue), and a goroutine's stack would be the largest part of their cost:
// an idle connection holds no goroutine.
type Conn struct {
	// A broadcast (Enqueue, writeDirect) touches only the fields from here
	// to partial, kept together in three cache lines: with ten thousand
	// connections, every line it misses is a read from memory, and spread
	// over the struct they were six.
	set *Set
	mu  sync.Mutex
	// queue holds messages for the writer, at most SendQueue; it grows
	// only while messages wait.
	queue   []Msg
	holding bool   // until the backlog is queued, live messages only wait
	writing bool   // a writer goroutine is running
	closing bool   // kicked: the writer sends the close frame and closes
	lastSeq uint64 // the last Seq written; the writer's, under mu
	// For direct writes (direct_linux.go), under mu: the socket, the
	// callback that writes wbufs (made once: a closure per write would be
	// an allocation per connection per broadcast) and what it did.
	wrc     syscall.RawConn
	writeFn func(fd uintptr)
	one     [1][]byte // wbufs of a single frame, without an allocation
	wbufs   [][]byte
	wn      int
	werr    error
	// partial is the rest of a frame a direct write did not finish, and
	// partialMsg its message: the writer sends it before anything else.
	partial    []byte
	partialMsg Msg

	ws *websocket.Conn
	// onClose is told once, after the socket is closed.
	onClose func()

	pingDue  bool
	lastPing time.Time // when the last ping was asked for
	pong     []byte    // a pong frame owed to the client's ping
	// spare is the queue the writer emptied last, kept so that the next
	// message needs no allocation: a broadcast to thousands would otherwise
	// make as much garbage as it has subscribers.
	spare []Msg
	// bufs is the writer's list of frames for one writev, kept for the
	// same reason.
	bufs   [][]byte
	closed bool
	code   int
	reason string
	// writeSince is when the writer began its current round of writes
	// (zero while none runs). The Set's ticker closes a connection whose
	// writer has been stuck longer than WriteWait: a socket write deadline
	// would do the same, but moving ten thousand deadlines together (they
	// are set together, by one broadcast) stalled the broadcast it fell on.
	writeSince time.Time
	// lastHeard is when the client last sent anything: one silent for
	// PongWait, pings unanswered, is gone.
	lastHeard time.Time

	// The reader's: an incomplete frame, and the socket as epoll knows it.
	in []byte
	rc syscall.RawConn
	fd int32
}

func newConn(s *Set, ws *websocket.Conn, onClose func()) *Conn {
	// The first ping falls anywhere in the first period, so the pings of
	// connections made together (every screen of a region reconnecting after
	// a restart) stay spread out: in step, ten thousand of them would delay
	// the broadcast that coincides with them.
	now := s.opts.Clock.Now()
	first := now.Add(-rand.N(s.opts.PingPeriod))
	c := &Conn{set: s, ws: ws, onClose: onClose, holding: true, lastPing: first, lastHeard: now}
	if direct && !s.opts.NoDirectWrites {
		if c.wrc = rawConnOf(ws.UnderlyingConn()); c.wrc != nil {
			c.writeFn = c.rawWrite
		}
	}
	return c
}

// Enqueue hands ms to the writer without waiting, all or none: the
// messages of one transaction go together, so that the writer sends them
// with one system call. False means the connection cannot keep up (its
// queue is full): the caller drops it (Drop).
func (c *Conn) Enqueue(ms []Msg) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing || len(c.queue)+len(ms) > c.set.opts.SendQueue {
		for _, m := range ms {
			sent(m) // going anyway, or dropped
		}
		return c.closing
	}
	if c.wrc != nil && !c.holding && !c.writing && len(c.queue) == 0 {
		ms = c.writeDirect(ms)
		if len(ms) == 0 && c.partial == nil {
			return true
		}
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

// writeDirect writes ms to an idle connection without waiting, and returns
// what the socket did not take (the writer's, then); under mu. A frame
// written in part leaves its rest in c.partial.
func (c *Conn) writeDirect(ms []Msg) []Msg {
	// skip reports whether m was sent already with a resume's backlog,
	// with ls the last seq sent before it (updated).
	skip := func(m Msg, ls *uint64) bool {
		if m.Seq != 0 && m.Seq <= *ls {
			return true
		}
		if m.Seq != 0 {
			*ls = m.Seq
		}
		return false
	}
	bufs := c.one[:0]
	if len(ms) > 1 {
		bufs = c.bufs[:0]
	}
	ls := c.lastSeq
	for _, m := range ms {
		if !skip(m, &ls) {
			bufs = append(bufs, m.Frame)
		}
	}
	n, full, err := 0, false, error(nil)
	if len(bufs) > 0 {
		n, full, err = c.writeNow(bufs)
	}
	clear(bufs)
	if len(ms) > 1 && cap(bufs) <= 8 {
		c.bufs = bufs[:0]
	}
	switch {
	case err != nil:
		c.closing, c.code = true, websocket.CloseAbnormalClosure
		c.startWriter()
		return ms
	case full:
		return ms // nothing went: the writer waits for room
	}
	// Account for what went whole, keep the rest of a frame cut short,
	// and hand on the frames not begun.
	ls = c.lastSeq
	for i, m := range ms {
		switch {
		case skip(m, &ls):
			sent(m)
		case n >= len(m.Frame):
			n -= len(m.Frame)
			c.lastSeq = max(c.lastSeq, m.Seq)
			sent(m)
		case n > 0:
			c.partial, c.partialMsg = m.Frame[n:], m
			c.lastSeq = max(c.lastSeq, m.Seq)
			return ms[i+1:]
		default:
			return ms[i:]
		}
	}
	return nil
}

// Release puts the backlog before what arrived meanwhile and lets the
// writer go: a connection is subscribed first and given its backlog
// after, so that nothing falls in between.
func (c *Conn) Release(backlog []Msg) { c.ReleaseAfter(backlog, 0) }

// ReleaseAfter is Release for a client that has every message up to seq
// seen already: held ones up to it are not sent again.
func (c *Conn) ReleaseAfter(backlog []Msg, seen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastSeq = max(c.lastSeq, seen)
	c.queue = append(backlog, c.queue...)
	c.holding = false
	c.startWriter()
}

// Kick asks the writer to close the connection with code and reason; only
// the first call counts. It reports whether this call did it.
func (c *Conn) Kick(code int, reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.closing, c.code, c.reason = true, code, reason
	c.startWriter()
	return true
}

// Drop disconnects a connection that cannot keep up, telling it so (1013:
// reconnect), and counts it.
func (c *Conn) Drop() {
	if c.Kick(websocket.CloseTryAgainLater, "too slow: reconnect") {
		c.set.slow.Add(1)
		// The writer may be stuck in a write to a peer that reads nothing:
		// closing the socket unblocks it.
		time.AfterFunc(2*time.Second, func() { c.ws.Close() })
	}
}

func sent(m Msg) {
	if m.Sent != nil {
		m.Sent.Sent()
	}
}

// ping asks for a ping once a ping period; the Set's ticker calls it for
// every connection now and then. Only the client's answers show it alive,
// so a connection is pinged however busy it is with messages.
//
// It is also the watchdog: a client silent for longer than PongWait (its
// pongs too) is gone, and a writer stuck in a write for longer than
// WriteWait (a peer that stopped reading, with its socket buffers full)
// has its socket closed, which ends the write with an error.
func (c *Conn) ping(now time.Time) {
	o := &c.set.opts
	c.mu.Lock()
	silent := now.Sub(c.lastHeard) > o.PongWait
	stuck := !c.writeSince.IsZero() && now.Sub(c.writeSince) > o.WriteWait && !c.closed
	if !silent && !stuck && now.Sub(c.lastPing) >= o.PingPeriod && !c.holding {
		c.pingDue, c.lastPing = true, now
		c.startWriter()
	}
	c.mu.Unlock()
	switch {
	case stuck:
		if c.Kick(websocket.CloseAbnormalClosure, "") {
			c.set.slow.Add(1)
			c.ws.Close()
		}
	case silent:
		c.Kick(websocket.CloseAbnormalClosure, "")
	}
}

// startWriter starts the writer unless one runs; under mu.
func (c *Conn) startWriter() {
	if c.writing || c.closed {
		return
	}
	c.writing = true
	go c.write()
}

// write is the only code that writes to the connection: it sends what is
// queued, then a ping if one is due, and ends when nothing is left; on a
// kick it sends the close frame and closes.
func (c *Conn) write() {
	for {
		c.mu.Lock()
		batch, ping, pong, closing := c.queue, c.pingDue, c.pong, c.closing
		partial, partialMsg := c.partial, c.partialMsg
		c.queue, c.pingDue, c.pong, c.partial, c.partialMsg = nil, false, nil, nil, Msg{}
		if closing {
			c.closed, c.writing = true, false
			code, reason := c.code, c.reason
			c.mu.Unlock()
			if partial != nil {
				sent(partialMsg)
			}
			for _, m := range batch {
				sent(m)
			}
			c.close(code, reason)
			return
		}
		if len(batch) == 0 && !ping && pong == nil && partial == nil {
			c.writing, c.writeSince = false, time.Time{}
			c.mu.Unlock()
			return
		}
		lastSeq := c.lastSeq
		c.writeSince = c.set.opts.Clock.Now()
		c.mu.Unlock()

		// Everything due goes out in one writev(2): on a branch of
		// thousands, system calls are most of a broadcast's cost.
		bufs := c.bufs[:0]
		if partial != nil {
			bufs = append(bufs, partial) // the rest of a frame begun
		}
		for _, m := range batch {
			if m.Seq != 0 && m.Seq <= lastSeq {
				continue // already sent with a resume's backlog
			}
			bufs = append(bufs, m.Frame)
			if m.Seq != 0 {
				lastSeq = m.Seq
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
		if partial != nil {
			sent(partialMsg)
		}
		for _, m := range batch {
			sent(m)
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
func (c *Conn) close(code int, reason string) {
	if code != websocket.CloseAbnormalClosure {
		conn := c.ws.UnderlyingConn()
		conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = conn.Write(CloseFrame(code, reason))
	}
	c.set.reader.remove(c)
	c.ws.Close()
	c.set.forget(c)
	if c.onClose != nil {
		c.onClose()
	}
}
