package display

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/internal/wsconn"
	"github.com/seira-queue/seira/view"
)

// checkOrigin lets browsers connect only from the server's own pages: the
// request's host or one of the allowed public hosts. Clients that send no
// Origin (not browsers) are let in; they cannot ride a user's cookies.
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, host := range h.opts.AllowedOrigins {
		if strings.EqualFold(u.Host, host) {
			return true
		}
	}
	return false
}

// ServeBranch upgrades the request to a live channel of branch. With
// resume, the client last saw event since: it gets the events it missed if
// they are few enough, else a fresh snapshot, and then every event live.
func (h *Hub) ServeBranch(w http.ResponseWriter, r *http.Request, branch string, since uint64, resume bool) error {
	ctx := context.WithoutCancel(r.Context())
	// Fail before the upgrade when the branch does not exist.
	if _, err := h.src.LastSeq(ctx, branch); err != nil {
		return err
	}
	ws, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	c := h.subscribe(ws, branch, 0)
	if c == nil {
		return nil
	}
	// Subscribed first, then the backlog: nothing falls in between, and the
	// writer drops what both carry.
	backlog, seen, err := h.backlog(ctx, branch, since, resume)
	if errors.Is(err, errBehind) {
		c.conn.Kick(websocket.CloseTryAgainLater, "this server is catching up: reconnect")
		return nil
	}
	if err != nil {
		h.log.Warn("live: backlog", "branch", branch, "err", err)
		c.conn.Kick(websocket.CloseInternalServerErr, "try again")
		return nil
	}
	// Events published while the backlog was read and that the client
	// has already (up to seen) are not sent again.
	c.conn.ReleaseAfter(backlog, seen)
	return nil
}

// subscribe hands a connection just upgraded to the transport and
// registers it with the hub, holding what it is sent until its backlog is
// released; nil when it cannot be (the server is shutting down), and the
// connection is then closed.
func (h *Hub) subscribe(ws *websocket.Conn, branch string, ticket uint64) *client {
	if n := h.opts.SendBuffer; n > 0 {
		if tc, ok := ws.UnderlyingConn().(*net.TCPConn); ok {
			if err := tc.SetWriteBuffer(n); err != nil {
				h.log.Warn("live: send buffer", "err", err)
			}
		}
	}
	c := &client{branch: branch, ticket: ticket}
	conn, err := h.conns.Accept(ws, func() { h.unregister(c) })
	if err != nil {
		return nil
	}
	c.conn = conn
	if !h.register(c) {
		conn.Kick(websocket.CloseGoingAway, "server shutting down")
		return nil
	}
	return c
}

// backlog is what a (re)connecting branch client needs before live events.
func (h *Hub) backlog(ctx context.Context, branch string, since uint64, resume bool) (msgs []wsconn.Msg, seen uint64, err error) {
	seq, err := h.src.LastSeq(ctx, branch)
	if err != nil {
		return nil, 0, err
	}
	if resume && since > seq && h.opts.ResumeWait > 0 {
		if seq, err = h.awaitSeq(ctx, branch, since); err != nil {
			return nil, 0, err
		}
		if since > seq {
			// Still behind the client: an older snapshot would take its
			// screen back in time. It tries again, here or elsewhere.
			return nil, 0, errBehind
		}
	}
	if resume && since == seq {
		return nil, since, nil
	}
	// Clients come in crowds (every screen after a restart, thousands of
	// phones): those that need a snapshot of the same moment share one.
	if !resume || since > seq {
		if m, ok := h.cachedSnapshot(branch, seq); ok {
			return []wsconn.Msg{m}, 0, nil
		}
	}
	snap, err := h.src.Snapshot(ctx, branch)
	if err != nil {
		return nil, 0, err
	}
	if resume && since <= snap.Seq {
		if since == snap.Seq {
			return nil, since, nil
		}
		evs, more, err := h.src.EventsSince(ctx, branch, since, h.opts.ReplayLimit)
		if err != nil {
			return nil, 0, err
		}
		if !more {
			// The events it missed (a display announces the recent
			// calls), then the state they led to: stored events carry no
			// queue counts, and a missed change of settings needs the names.
			out := make([]wsconn.Msg, 0, len(evs)+1)
			for _, ev := range evs {
				if ev.Seq > snap.Seq {
					// Committed after the snapshot was read, so published
					// after this client subscribed: it comes live, after
					// the snapshot, not before it.
					break
				}
				pm, err := prepare(view.LiveEventOf(ev))
				if err != nil {
					return nil, 0, err
				}
				out = append(out, wsconn.Msg{Seq: ev.Seq, Frame: pm})
			}
			m, err := h.snapshotMsg(snap)
			if err != nil {
				return nil, 0, err
			}
			m.Seq = 0 // after the events: never skipped as sent
			return append(out, m), since, nil
		}
	}
	// Too far behind, or ahead of the server (a restored store): start over.
	m, err := h.snapshotMsg(snap)
	if err != nil {
		return nil, 0, err
	}
	h.cacheSnapshot(branch, m)
	return []wsconn.Msg{m}, 0, nil
}

// snapshotMsg is the snapshot message of snap.
func (h *Hub) snapshotMsg(snap engine.Snapshot) (wsconn.Msg, error) {
	st := view.StateOf(snap, snap.Loc, h.src.Now(), false)
	pm, err := prepare(view.Live{Type: "snapshot", Seq: snap.Seq, State: &st})
	if err != nil {
		return wsconn.Msg{}, err
	}
	return wsconn.Msg{Seq: snap.Seq, Frame: pm}, nil
}

// snapshotTTL bounds how long a snapshot message is shared: its clock
// reading ("at") lets pages correct their own clocks, so it stays fresh.
const snapshotTTL = time.Second

type cachedSnap struct {
	m  wsconn.Msg
	at time.Time
}

func (h *Hub) cachedSnapshot(branch string, seq uint64) (wsconn.Msg, bool) {
	h.snapMu.Lock()
	defer h.snapMu.Unlock()
	c, ok := h.snaps[branch]
	if !ok || c.m.Seq != seq || time.Since(c.at) > snapshotTTL {
		return wsconn.Msg{}, false
	}
	return c.m, true
}

func (h *Hub) cacheSnapshot(branch string, m wsconn.Msg) {
	h.snapMu.Lock()
	defer h.snapMu.Unlock()
	if len(h.snaps) > 10_000 {
		clear(h.snaps)
	}
	h.snaps[branch] = cachedSnap{m: m, at: time.Now()}
}

// ServeTicket upgrades the request to the live channel of one ticket:
// a snapshot of it, then its own events and changes of its place.
//
// The caller has found the ticket by its token: it exists.
func (h *Hub) ServeTicket(w http.ResponseWriter, r *http.Request, branch string, id uint64) error {
	ctx := context.WithoutCancel(r.Context())
	ws, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return nil
	}
	c := h.subscribe(ws, branch, id)
	if c == nil {
		return nil
	}
	// Read after subscribing, for the same reason as ServeBranch.
	infos, err := h.src.TicketInfos(ctx, branch, []uint64{id})
	info, ok := infos[id]
	if err != nil || !ok {
		c.conn.Kick(websocket.CloseInternalServerErr, "try again")
		return nil
	}
	tk := view.TicketOf(info, info.Loc, "")
	pm, err := prepare(view.TicketLive{Type: "snapshot", Seq: info.Seq, Ticket: &tk, Announcements: h.activeAnnouncements(ctx, branch)})
	if err != nil {
		c.conn.Kick(websocket.CloseInternalServerErr, "try again")
		return nil
	}
	c.setPlace(info)
	// With its seq, the snapshot makes the writer drop the ticket's events
	// that were fanned out while it was read and that it already shows.
	c.conn.Release([]wsconn.Msg{{Seq: info.Seq, Frame: pm}})
	return nil
}

// errBehind is why a resuming client is asked to come again.
var errBehind = errors.New("this instance has not caught up with the client yet")

// awaitSeq waits, up to ResumeWait, until this instance has applied the
// branch's event since, and returns the last seq it then has. It polls:
// the wait is rare (a client moving between instances) and short.
func (h *Hub) awaitSeq(ctx context.Context, branch string, since uint64) (uint64, error) {
	deadline := time.Now().Add(h.opts.ResumeWait)
	for {
		seq, err := h.src.LastSeq(ctx, branch)
		if err != nil || seq >= since || !time.Now().Before(deadline) {
			return seq, err
		}
		t := time.NewTimer(10 * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return seq, ctx.Err()
		}
	}
}
