// Package display is seira's live side: the hub that pushes every committed
// event to the wall displays, clerks' consoles and citizens' phones, and the
// HTTP endpoints of the branch state and the live channels.
//
// The hub decides who gets what: it keeps who subscribes to which branch or
// ticket, turns each batch of committed events into messages (each encoded
// once and framed once, a message shared by every subscriber), sends a
// (re)connecting client its backlog by sequence number or a fresh snapshot,
// and refreshes the places of followed tickets. One dispatcher goroutine
// takes the events from the store's committer without ever making it wait.
// The connections themselves (writing frames, reading what clients send,
// keep-alive, slow clients) are package wsconn's.
//
//	hub.go     subscriptions, dispatch and ticket positions
//	serve.go   the upgrades, backlogs and snapshots of new subscribers
//	client.go  a subscriber: its connection and what it was last told
//	handlers.go the HTTP routes of state and live
package display

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/wsconn"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/view"
)

// Source is what the hub reads: the engine satisfies it.
type Source interface {
	// Now is the server's clock, which snapshots carry for pages to set
	// theirs by.
	Now() time.Time
	Snapshot(ctx context.Context, branch string) (engine.Snapshot, error)
	LastSeq(ctx context.Context, branch string) (uint64, error)
	EventsSince(ctx context.Context, branch string, after uint64, limit int) ([]queue.Event, bool, error)
	TicketInfos(ctx context.Context, branch string, ids []uint64) (map[uint64]engine.TicketInfo, error)
	// Announcements are the branch's active messages to the waiting.
	Announcements(ctx context.Context, branch string) ([]queue.Announcement, *time.Location, error)
}

// Options tune the hub. Zero values take the defaults.
type Options struct {
	// SendQueue bounds each connection's queue of messages (default 256).
	SendQueue int
	// SendBuffer, when positive, fixes each connection's kernel send
	// buffer (SO_SNDBUF) at that many bytes instead of letting the kernel
	// grow it to megabytes: a peer that stops reading is then found slow
	// after that much, not after megabytes of events, and kernel memory per
	// connection stays bounded.
	SendBuffer int
	// ReplayLimit is the most events replayed on resume; further behind, a
	// client gets a fresh snapshot (default 1000).
	ReplayLimit int
	// ResumeWait is how long a client resuming from a seq this instance
	// has not reached waits for it before it gets a fresh snapshot. With
	// several instances on etcd the client may come from one whose
	// commits this one applies a moment later; alone, a client ahead of
	// the server has a stale seq and waiting would not help (default 0).
	ResumeWait time.Duration
	// PingPeriod, PongWait and WriteWait govern keep-alive (defaults 25 s,
	// 60 s, 10 s).
	PingPeriod, PongWait, WriteWait time.Duration
	// PositionEvery is the least time between two position refreshes of a
	// branch's followed tickets (default 500 ms); PositionIdle refreshes
	// them even without events, as estimates age (default 30 s).
	PositionEvery, PositionIdle time.Duration
	// AllowedOrigins are hosts (host[:port]) besides the request's own that
	// may open WebSockets from a browser (the public URL's host).
	AllowedOrigins []string
	// ObserveFanOut, if set, is told of each branch broadcast: how many
	// subscribers it went to and how long after the hub took the event the
	// last of them had it written.
	ObserveFanOut func(subscribers int, d time.Duration)
	// ReaderGoroutines reads each connection with a goroutine of its own
	// instead of one epoll loop for all: what systems without epoll do, and
	// a way to test that path.
	ReaderGoroutines bool
	// Clock times pings and the watchdog (default: the wall clock).
	Clock  wsconn.Clock
	Logger *slog.Logger
}

// Stats are the hub's counters, for metrics and the load tool.
type Stats struct {
	Connections   int64 // open now
	SlowDrops     int64 // disconnected for not keeping up
	Messages      int64 // messages queued to connections
	Broadcasts    int64 // events dispatched
	LastBroadcast time.Duration
}

// Hub fans events out to live connections.
type Hub struct {
	src  Source
	opts Options
	log  *slog.Logger
	up   websocket.Upgrader

	// pending holds published events until the dispatcher takes them; the
	// store's committer appends here and never waits.
	inMu    sync.Mutex
	pending []queue.Event
	wake    chan struct{}

	mu       sync.Mutex
	branches map[string]*subSet
	// tickets maps a branch's followed tickets to their followers: mostly
	// one phone each, so a slice rather than a set.
	tickets map[string]map[uint64][]*client
	closed  bool

	// conns carries the bytes: writing, reading, keep-alive.
	conns *wsconn.Set

	done    chan struct{}
	stopped chan struct{}

	posMu    sync.Mutex
	posDirty map[string]bool

	snapMu sync.Mutex
	snaps  map[string]cachedSnap

	connsBuf []*wsconn.Conn // the dispatcher's

	msgs, broadcasts, lastBroadcastNS atomic.Int64
}

// New starts a hub reading from src.
func New(src Source, opts Options) *Hub {
	if opts.ReplayLimit <= 0 {
		opts.ReplayLimit = 1000
	}
	if opts.PositionEvery <= 0 {
		opts.PositionEvery = 500 * time.Millisecond
	}
	if opts.PositionIdle <= 0 {
		opts.PositionIdle = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Hub{
		src: src, opts: opts, log: opts.Logger,
		wake:     make(chan struct{}, 1),
		branches: map[string]*subSet{},
		tickets:  map[string]map[uint64][]*client{},
		done:     make(chan struct{}),
		stopped:  make(chan struct{}),
		posDirty: map[string]bool{},
		snaps:    map[string]cachedSnap{},
	}
	h.conns = wsconn.NewSet(wsconn.Options{SendQueue: opts.SendQueue, PingPeriod: opts.PingPeriod, PongWait: opts.PongWait,
		WriteWait: opts.WriteWait, ReaderGoroutines: opts.ReaderGoroutines, Clock: opts.Clock, Logger: opts.Logger})
	h.up = websocket.Upgrader{
		// gorilla's own reader and writer go unused after the handshake
		// (package wsconn reads and writes): small buffers and a shared
		// pool keep what it allocates for them cheap.
		ReadBufferSize:  256,
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     h.checkOrigin,
	}
	go h.run()
	return h
}

// Publish queues committed events for dispatch. It never blocks.
func (h *Hub) Publish(evs []queue.Event) {
	h.inMu.Lock()
	h.pending = append(h.pending, evs...)
	h.inMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	cs := h.conns.Stats()
	return Stats{Connections: cs.Open, SlowDrops: cs.SlowDrops, Messages: h.msgs.Load(),
		Broadcasts: h.broadcasts.Load(), LastBroadcast: time.Duration(h.lastBroadcastNS.Load())}
}

// Close stops the dispatcher and disconnects every client with 1001
// (going away); it waits for the connections to end until ctx is done.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	close(h.done)
	<-h.stopped
	return h.conns.Close(ctx)
}

func (h *Hub) run() {
	defer close(h.stopped)
	// Positions of followed tickets are refreshed on their own goroutine:
	// thousands of phones must not delay the next call on a wall display.
	posDone := make(chan struct{})
	go func() { defer close(posDone); h.positions() }()
	defer func() { <-posDone }()
	for {
		select {
		case <-h.done:
			return
		case <-h.wake:
			h.inMu.Lock()
			evs := h.pending
			h.pending = nil
			h.inMu.Unlock()
			h.dispatch(evs)
		}
	}
}

// markDirty asks for the positions of branch's followed tickets to be
// refreshed.
func (h *Hub) markDirty(branch string) {
	h.posMu.Lock()
	h.posDirty[branch] = true
	h.posMu.Unlock()
}

// positions refreshes the followed tickets of the branches that changed, at
// most once every PositionEvery, and all of them every PositionIdle as
// estimates age.
func (h *Hub) positions() {
	fast := time.NewTicker(h.opts.PositionEvery)
	defer fast.Stop()
	idle := time.NewTicker(h.opts.PositionIdle)
	defer idle.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-fast.C:
			h.posMu.Lock()
			dirty := h.posDirty
			h.posDirty = map[string]bool{}
			h.posMu.Unlock()
			for b := range dirty {
				h.refreshPositions(b)
			}
		case <-idle.C:
			h.mu.Lock()
			for b := range h.tickets {
				h.markDirty(b)
			}
			h.mu.Unlock()
		}
	}
}

// dispatch sends a batch of events, branch by branch, in sequence order.
func (h *Hub) dispatch(evs []queue.Event) {
	start := time.Now()
	var order []string
	byBranch := map[string][]queue.Event{}
	for _, ev := range evs {
		if _, ok := byBranch[ev.Branch]; !ok {
			order = append(order, ev.Branch)
		}
		byBranch[ev.Branch] = append(byBranch[ev.Branch], ev)
	}
	for _, branch := range order {
		bevs := byBranch[branch]
		subs, followed := h.subscribers(branch, bevs)
		if len(subs) > 0 {
			h.fanOut(subs, h.branchMessages(branch, bevs, start, len(subs)))
		}
		if len(followed) > 0 {
			h.sendTicketEvents(branch, bevs, followed)
			if hasAnnouncement(bevs) {
				h.sendAnnouncements(branch, bevs)
			}
			h.markDirty(branch)
		}
		h.broadcasts.Add(int64(len(bevs)))
	}
	if len(evs) > 0 {
		h.lastBroadcastNS.Store(int64(time.Since(start)))
	}
}

// branchMessages are a batch's messages on the branch channel: each event
// as it is (lean: what changed, by id, with no read of the branch), and,
// after a change of settings, a fresh snapshot, from which clients take
// the new names. The snapshot may hold later events too: clients skip
// those by their seq.
func (h *Hub) branchMessages(branch string, evs []queue.Event, start time.Time, subs int) []wsconn.Msg {
	msgs := make([]wsconn.Msg, 0, len(evs)+1)
	settings := false
	for _, ev := range evs {
		pm, err := prepare(view.LiveEventOf(ev))
		if err != nil {
			h.log.Error("live: encode", "err", err)
			continue
		}
		msgs = append(msgs, wsconn.Msg{Seq: ev.Seq, Frame: pm, Sent: h.newFanOut(start, subs)})
		settings = settings || ev.Type.Settings()
	}
	if settings {
		fs, err := h.src.Snapshot(context.Background(), branch)
		if err != nil {
			// Clients reconnect and resync when they find what they hold
			// out of date; the events are on their way all the same.
			h.log.Error("live: snapshot after a settings change", "branch", branch, "err", err)
			return msgs
		}
		if m, err := h.snapshotMsg(fs); err == nil {
			// Seq 0: a snapshot is never skipped as sent already.
			m.Seq, m.Sent = 0, h.newFanOut(start, subs)
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// subscribers returns a copy of the connections of the branch's
// subscribers and which of the events' tickets are followed, so that
// sending happens outside the lock.
func (h *Hub) subscribers(branch string, evs []queue.Event) ([]*wsconn.Conn, map[uint64][]*client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// The copy is made in place for every batch: only the dispatcher uses
	// it, and a big branch's would otherwise be garbage each time.
	subs := h.connsBuf[:0]
	if set := h.branches[branch]; set != nil {
		subs = append(subs, set.conns...)
	}
	h.connsBuf = subs
	byID := h.tickets[branch]
	if len(byID) == 0 {
		return subs, nil
	}
	followed := map[uint64][]*client{}
	for _, ev := range evs {
		if cs, ok := byID[ev.Ticket]; ok {
			followed[ev.Ticket] = slices.Clone(cs)
		}
	}
	// Any event may move every followed ticket; the refresh takes care of
	// those, this map only of the tickets the events are about.
	if len(followed) == 0 {
		followed[0] = nil
	}
	return subs, followed
}

// newFanOut follows a broadcast to n subscribers when someone listens (nil
// otherwise: no tracking at all).
func (h *Hub) newFanOut(start time.Time, n int) wsconn.Tracker {
	if h.opts.ObserveFanOut == nil || n == 0 {
		return nil
	}
	f := &fanOut{start: start, subs: n, done: h.opts.ObserveFanOut}
	f.left.Store(int64(n))
	return f
}

// fanOut sends ms to subs, over the machine's cores (wsconn.Fan). Only the
// dispatcher calls it: its buffer is the dispatcher's.
func (h *Hub) fanOut(conns []*wsconn.Conn, ms []wsconn.Msg) {
	if len(ms) == 0 || len(conns) == 0 {
		return
	}
	h.msgs.Add(int64(wsconn.Fan(conns, ms)))
	clear(conns) // let closed connections go
}

// connsOf returns the connections of cs.
func connsOf(cs []*client) []*wsconn.Conn {
	out := make([]*wsconn.Conn, len(cs))
	for i, c := range cs {
		out[i] = c.conn
	}
	return out
}

// sendTicketEvents tells followers of a ticket what happened to it.
func (h *Hub) sendTicketEvents(branch string, evs []queue.Event, followed map[uint64][]*client) {
	var ids []uint64
	for id := range followed {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	infos, err := h.src.TicketInfos(context.Background(), branch, ids)
	if err != nil {
		h.log.Error("live: ticket infos", "branch", branch, "err", err)
		return
	}
	for _, ev := range evs {
		subs := followed[ev.Ticket]
		info, ok := infos[ev.Ticket]
		if len(subs) == 0 || !ok {
			continue
		}
		at := ev.At.In(info.Loc)
		pm, err := prepare(view.TicketLive{Type: string(ev.Type), Seq: ev.Seq, At: &at, Change: view.TicketChangeOf(ev.Type, info, info.Loc)})
		if err != nil {
			continue
		}
		for _, c := range subs {
			c.setPlace(info)
		}
		h.fanOut(connsOf(subs), []wsconn.Msg{{Seq: ev.Seq, Frame: pm}})
	}
}

// refreshPositions sends "position" to followers of waiting tickets of
// branch whose place or estimate changed.
func (h *Hub) refreshPositions(branch string) {
	h.mu.Lock()
	byID := h.tickets[branch]
	ids := make([]uint64, 0, len(byID))
	subs := make(map[uint64][]*client, len(byID))
	for id, cs := range byID {
		ids = append(ids, id)
		subs[id] = slices.Clone(cs)
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	infos, err := h.src.TicketInfos(context.Background(), branch, ids)
	if err != nil {
		h.log.Error("live: positions", "branch", branch, "err", err)
		return
	}
	for id, info := range infos {
		if info.Ticket.State != queue.StateWaiting {
			continue
		}
		var pm []byte
		for _, c := range subs[id] {
			if !c.setPlace(info) {
				continue
			}
			if pm == nil {
				if pm, err = prepare(view.TicketLive{Type: "position", Change: view.TicketChangeOf("position", info, info.Loc)}); err != nil {
					break
				}
			}
			h.msgs.Add(int64(wsconn.Fan([]*wsconn.Conn{c.conn}, []wsconn.Msg{{Frame: pm}})))
		}
	}
}

// prepare encodes a message once as a complete WebSocket text frame, to be
// written as it is to every subscriber.
func prepare(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return wsconn.TextFrame(b), nil
}

func (h *Hub) register(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || c.gone {
		return false
	}
	if c.ticket == 0 {
		if h.branches[c.branch] == nil {
			h.branches[c.branch] = &subSet{}
		}
		h.branches[c.branch].add(c)
	} else {
		if h.tickets[c.branch] == nil {
			h.tickets[c.branch] = map[uint64][]*client{}
		}
		h.tickets[c.branch][c.ticket] = append(h.tickets[c.branch][c.ticket], c)
	}
	return true
}

// unregister forgets c, once its connection has ended.
func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.gone = true
	if c.ticket == 0 {
		set := h.branches[c.branch]
		if set == nil || !set.remove(c) {
			return
		}
		if set.len() == 0 {
			delete(h.branches, c.branch)
		}
		return
	}
	byID := h.tickets[c.branch]
	i := slices.Index(byID[c.ticket], c)
	if i < 0 {
		return
	}
	if rest := slices.Delete(byID[c.ticket], i, i+1); len(rest) > 0 {
		byID[c.ticket] = rest
	} else {
		delete(byID, c.ticket)
	}
	if len(byID) == 0 {
		delete(h.tickets, c.branch)
	}
}

// Subscribers returns how many connections follow branch (for tests and
// the load tool).
func (h *Hub) Subscribers(branch string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	if set := h.branches[branch]; set != nil {
		n = set.len()
	}
	for _, cs := range h.tickets[branch] {
		n += len(cs)
	}
	return n
}
