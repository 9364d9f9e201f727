// Package wsconn is the transport of seira's live connections: WebSocket
// frames written by hand and sent with writev, one epoll loop that reads
// what every client sends, keep-alive pings, a watchdog for silent clients
// and stuck writers, bounded queues and close handshakes. It knows nothing
// of branches, tickets or sequence numbers beyond a message's Seq: the
// live hub (package display) decides who gets what.
//
//	set.go        a Set of connections: accepting, keep-alive, shutdown
//	conn.go       one connection: its queue and its writer goroutine
//	frame.go      server frames (RFC 6455 §5.2)
//	inbound.go    reading clients' frames: pongs, pings, close
//	poll_linux.go the epoll reader (poll_other.go: a goroutine each)
//	clock.go      the clock that keep-alive runs on
package wsconn

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Options tune a Set. Zero values take the defaults.
type Options struct {
	// SendQueue bounds each connection's queue of messages (default 256).
	SendQueue int
	// PingPeriod, PongWait and WriteWait govern keep-alive (defaults 25 s,
	// 60 s, 10 s).
	PingPeriod, PongWait, WriteWait time.Duration
	// ReaderGoroutines reads each connection with a goroutine of its own
	// instead of one epoll loop for all: what systems without epoll do, and
	// a way to test that path.
	ReaderGoroutines bool
	// NoDirectWrites sends everything through each connection's writer
	// goroutine, as systems without the direct path do (direct_linux.go):
	// a way to test and to measure that path.
	NoDirectWrites bool
	// Clock times pings and the watchdog (default: the wall clock).
	Clock  Clock
	Logger *slog.Logger
}

// Set is a server's live connections.
type Set struct {
	opts   Options
	reader connReader

	mu     sync.Mutex
	conns  map[*Conn]struct{}
	closed bool
	all    sync.WaitGroup

	stop, stopped chan struct{}
	open, slow    atomic.Int64
}

// ErrClosed is Accept's answer once the Set is closing.
var ErrClosed = errors.New("wsconn: shutting down")

// NewSet starts a Set: its reader and its keep-alive ticker.
func NewSet(opts Options) *Set {
	if opts.SendQueue <= 0 {
		opts.SendQueue = 256
	}
	if opts.PingPeriod <= 0 {
		opts.PingPeriod = 25 * time.Second
	}
	if opts.PongWait <= 0 {
		opts.PongWait = 60 * time.Second
	}
	if opts.WriteWait <= 0 {
		opts.WriteWait = 10 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Set{opts: opts, reader: goReader{}, conns: map[*Conn]struct{}{},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	if !opts.ReaderGoroutines {
		s.reader = newReader(opts.Logger)
	}
	go s.keepAlive()
	return s
}

// Accept takes a connection just upgraded. It holds what is enqueued until
// Release; onClose is told once the connection has ended.
func (s *Set) Accept(ws *websocket.Conn, onClose func()) (*Conn, error) {
	c := newConn(s, ws, onClose)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		closeNow(ws, websocket.CloseGoingAway, "server shutting down")
		return nil, ErrClosed
	}
	s.conns[c] = struct{}{}
	s.all.Add(1)
	s.open.Add(1)
	s.mu.Unlock()
	if err := s.reader.add(c); err != nil {
		c.Kick(websocket.CloseGoingAway, "try again")
		return nil, err
	}
	return c, nil
}

// forget takes an ended connection out of the Set.
func (s *Set) forget(c *Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	s.open.Add(-1)
	s.all.Done()
}

// Stats are the Set's counters.
type Stats struct {
	Open      int64 // connections open now
	SlowDrops int64 // disconnected for not keeping up
}

// Stats returns the Set's counters.
func (s *Set) Stats() Stats { return Stats{Open: s.open.Load(), SlowDrops: s.slow.Load()} }

// keepAlive pings every connection in turn and runs the watchdog. One
// ticker serves them all rather than a timer each; it ticks often, so that
// each tick pings only the few connections whose period is up.
func (s *Set) keepAlive() {
	defer close(s.stopped)
	ticks, stop := s.opts.Clock.NewTicker(max(s.opts.PingPeriod/50, 10*time.Millisecond))
	defer stop()
	var all []*Conn
	for {
		select {
		case <-s.stop:
			return
		case now := <-ticks:
			all = s.everyone(all[:0])
			for _, c := range all {
				c.ping(now)
			}
			clear(all) // let closed connections go
		}
	}
}

// everyone appends every open connection to all.
func (s *Set) everyone(all []*Conn) []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		all = append(all, c)
	}
	return all
}

// Close disconnects every connection with 1001 (going away) and waits for
// them to end until ctx is done; then the reader stops.
func (s *Set) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.stopped
	for _, c := range s.everyone(nil) {
		c.Kick(websocket.CloseGoingAway, "server shutting down")
	}
	waited := make(chan struct{})
	go func() { s.all.Wait(); close(waited) }()
	defer s.reader.close()
	select {
	case <-waited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeNow refuses a connection just upgraded, with a close frame.
func closeNow(ws *websocket.Conn, code int, reason string) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	ws.Close()
}
