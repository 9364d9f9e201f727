package display_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/seira-queue/seira/app"
	"github.com/seira-queue/seira/app/apptest"
	"github.com/seira-queue/seira/view"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// reader reads live messages with a deadline.
type reader struct {
	t  *testing.T
	ws *websocket.Conn
}

// liveMsg is any message of a branch channel: a snapshot (State) or an
// event.
type liveMsg struct {
	view.LiveEvent
	State *view.State `json:"state"`
}

func (r reader) next() (liveMsg, []byte) {
	r.t.Helper()
	r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, raw, err := r.ws.ReadMessage()
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	var m liveMsg
	if err := json.Unmarshal(raw, &m); err != nil {
		r.t.Fatalf("message %s: %v", raw, err)
	}
	return m, raw
}

func dial(t *testing.T, env *apptest.Env, path string) reader {
	t.Helper()
	ws, err := env.Dial(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return reader{t: t, ws: ws}
}

// issue takes a ticket for svc in the demo office as c.
func issue(t *testing.T, c *apptest.Client, svc string) apptest.Ticket {
	t.Helper()
	return apptest.Issue[apptest.Ticket](t, c, "demo", svc)
}

func TestSnapshotThenEventsInOrder(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	r := dial(t, env, "/api/v1/branches/demo/live")
	snap, _ := r.next()
	if snap.Type != "snapshot" || snap.State == nil || len(snap.State.Services) != 3 || len(snap.State.Counters) != 4 {
		t.Fatalf("first message: %+v", snap)
	}
	var tokens []string
	for range 3 {
		tokens = append(tokens, issue(t, admin, "certificates").Token)
	}
	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	admin.Call("POST", "/api/v1/branches/demo/counters/1/next", nil, nil)
	admin.Call("POST", "/api/v1/branches/demo/counters/1/recall", nil, nil)
	want := []string{"ticket.issued", "ticket.issued", "ticket.issued", "counter.opened", "ticket.called", "ticket.recalled"}
	for i, typ := range want {
		m, raw := r.next()
		if m.Type != typ || m.Seq != snap.Seq+uint64(i)+1 {
			t.Fatalf("message %d: type %s seq %d, want %s seq %d", i, m.Type, m.Seq, typ, snap.Seq+uint64(i)+1)
		}
		for _, tok := range tokens {
			if bytes.Contains(raw, []byte(tok)) {
				t.Fatalf("a token on the branch channel: %s", raw)
			}
		}
		if bytes.Contains(raw, []byte(`"clerk"`)) || bytes.Contains(raw, []byte("admin")) {
			t.Fatalf("a clerk identity on the public channel: %s", raw)
		}
		// Lean: what changed, by id; no names, no other services.
		if bytes.Contains(raw, []byte(`"name"`)) || bytes.Contains(raw, []byte("signatures")) {
			t.Fatalf("names or unchanged services in an event: %s", raw)
		}
		switch typ {
		case "ticket.called", "ticket.recalled":
			if m.Call == nil || m.Call.Number != "A001" || m.Call.Service != "certificates" || m.Call.Counter != "1" || m.Call.Recall != (typ == "ticket.recalled") {
				t.Fatalf("call message: %s", raw)
			}
			if typ == "ticket.called" && (m.Waiting["certificates"] != 2 || len(m.Waiting) != 1) {
				t.Fatalf("the call's queue count: %s", raw)
			}
		case "ticket.issued":
			if !strings.HasPrefix(m.Number, "A00") || m.Waiting["certificates"] != i+1 || m.WaitingPriority["certificates"] != 0 {
				t.Fatalf("issued message: %s", raw)
			}
		case "counter.opened":
			if m.Counter != "1" || m.Waiting != nil {
				t.Fatalf("opened message: %s", raw)
			}
		}
	}
}

// TestResumeAheadWaits: with several instances on etcd, a display that
// moves to an instance whose mirror is a commit behind resumes from a seq
// that instance has not applied yet. With ResumeWait it waits for it, then
// goes on live from there: no snapshot of the past, no event twice.
func TestResumeAheadWaits(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.Hub.ResumeWait = time.Minute })
	admin := env.Admin()
	r := dial(t, env, "/api/v1/branches/demo/live")
	snap, _ := r.next()
	r.ws.Close()
	ahead := dial(t, env, "/api/v1/branches/demo/live?since="+itoa(snap.Seq+1))
	issue(t, admin, "signatures") // seq+1: the event the client has seen elsewhere
	issue(t, admin, "signatures")
	if m, _ := ahead.next(); m.Type != "ticket.issued" || m.Seq != snap.Seq+2 {
		t.Fatalf("first message after resuming ahead: %s seq %d, want ticket.issued %d", m.Type, m.Seq, snap.Seq+2)
	}
}

func TestResume(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.Hub.ReplayLimit = 5 })
	admin := env.Admin()
	r := dial(t, env, "/api/v1/branches/demo/live")
	snap, _ := r.next()
	r.ws.Close()
	for range 4 {
		issue(t, admin, "signatures")
	}
	// Missed events are replayed in order, then the state they led to
	// (stored events carry no queue counts), then live ones follow.
	r = dial(t, env, "/api/v1/branches/demo/live?since="+itoa(snap.Seq))
	for i := range 4 {
		m, _ := r.next()
		if m.Type != "ticket.issued" || m.Seq != snap.Seq+uint64(i)+1 {
			t.Fatalf("replayed %d: %s %d", i, m.Type, m.Seq)
		}
	}
	if m, _ := r.next(); m.Type != "snapshot" || m.Seq != snap.Seq+4 || waitingIn(m.State, "signatures") != 4 {
		t.Fatalf("after the replay: %+v", m)
	}
	issue(t, admin, "signatures")
	if m, _ := r.next(); m.Seq != snap.Seq+5 || m.Number != "B005" || m.Waiting["signatures"] != 5 {
		t.Fatalf("live after replay: %+v", m)
	}
	// Up to date: nothing is sent until the next event.
	r2 := dial(t, env, "/api/v1/branches/demo/live?since="+itoa(snap.Seq+5))
	issue(t, admin, "signatures")
	if m, _ := r2.next(); m.Type != "ticket.issued" || m.Seq != snap.Seq+6 {
		t.Fatalf("up to date client got %s %d first", m.Type, m.Seq)
	}
	// Too far behind (over the replay limit), or ahead of the server: a
	// fresh snapshot.
	for _, since := range []uint64{0, snap.Seq + 1000} {
		r3 := dial(t, env, "/api/v1/branches/demo/live?since="+itoa(since))
		if m, _ := r3.next(); m.Type != "snapshot" || m.Seq != snap.Seq+6 || m.State.Services[1].Waiting != 6 {
			t.Fatalf("since=%d: %s seq %d", since, m.Type, m.Seq)
		}
	}
	for _, bad := range []string{"since=-1", "since=abc"} {
		if _, err := env.Dial("/api/v1/branches/demo/live?"+bad, nil); err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := env.Dial("/api/v1/branches/nope/live", nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown branch: %v", err)
	}
}

// TestStalledClientIsDroppedOthersKeepUp connects a client that never
// reads: once its socket and queue are full it is disconnected, while a
// healthy client receives every event in order. The send buffers are fixed
// small (Options.SendBuffer): left to the kernel, they grow to megabytes,
// which lean events take tens of thousands to fill.
func TestStalledClientIsDroppedOthersKeepUp(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.Hub.SendQueue, c.Hub.SendBuffer = 64, 16<<10 })
	admin := env.Admin()
	stalled := dialStalled(t, env, "/api/v1/branches/demo/live")
	defer stalled.Close()
	healthy := dial(t, env, "/api/v1/branches/demo/live")
	snap, _ := healthy.next()
	got := make(chan error, 1)
	const maxEvents = 20000
	stop := make(chan struct{})
	go func() {
		// The healthy client reads everything, checking the order.
		want := snap.Seq + 1
		for {
			healthy.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, raw, err := healthy.ws.ReadMessage()
			if err != nil {
				select {
				case <-stop:
					got <- nil
				default:
					got <- err
				}
				return
			}
			var m liveMsg
			json.Unmarshal(raw, &m)
			if m.Seq != want {
				got <- errors.New("healthy client saw seq " + itoa(m.Seq) + ", want " + itoa(want))
				return
			}
			want++
		}
	}()
	var issued atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for env.App.Hub.Stats().SlowDrops == 0 {
				if n := issued.Add(1); n > maxEvents {
					return
				}
				issue(t, admin, "certificates")
			}
		})
	}
	wg.Wait()
	n := issued.Load()
	if d := env.App.Hub.Stats().SlowDrops; d != 1 {
		t.Fatalf("after %d events: %d clients dropped, want the stalled one", n, d)
	}
	// Still delivering to the healthy one after the drop.
	for range 20 {
		issue(t, admin, "certificates")
	}
	waitFor(t, "the subscribers to settle", subscribers(env, 1))
	if s := env.App.Hub.Subscribers("demo"); s != 1 {
		t.Fatalf("%d subscribers after the drop, want 1", s)
	}
	select {
	case err := <-got:
		t.Fatalf("healthy client: %v", err)
	default:
	}
	close(stop)
	healthy.ws.Close()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	t.Logf("stalled client dropped after %d events", n)
}

// TestStuckWriterIsClosed: a peer that stops reading, with a send queue
// too long to overflow, still goes once a write has been stuck for longer
// than WriteWait by the hub's clock; the others keep getting every event.
// The test moves the clock only after the healthy client has read each
// event, so a healthy write is never older than one step (6 s of the 10).
func TestStuckWriterIsClosed(t *testing.T) {
	clk := newFakeClock()
	env := apptest.Start(t, func(c *app.Config) {
		c.Hub.SendQueue = 1 << 20
		c.Hub.WriteWait = 10 * time.Second
		c.Hub.PingPeriod, c.Hub.PongWait = time.Hour, 24*time.Hour // no pings in the way
		c.Hub.Clock = clk
	})
	admin := env.Admin()
	stalled := dialStalled(t, env, "/api/v1/branches/demo/live")
	defer stalled.Close()
	healthy := dial(t, env, "/api/v1/branches/demo/live")
	snap, _ := healthy.next()
	want := snap.Seq + 1
	for n := 0; env.App.Hub.Stats().SlowDrops == 0; n++ {
		if n == 20000 {
			t.Fatalf("after %d events the stalled client is still connected (%+v)", n, env.App.Hub.Stats())
		}
		issue(t, admin, "certificates")
		if m, _ := healthy.next(); m.Seq != want {
			t.Fatalf("healthy client saw seq %d, want %d", m.Seq, want)
		}
		want++
		clk.Tick(t, 6*time.Second)
		// The tick's watchdog has run once the next tick is taken.
		clk.Tick(t, 0)
	}
	waitFor(t, "the stalled client to go", subscribers(env, 1))
	if d := env.App.Hub.Stats().SlowDrops; d != 1 {
		t.Fatalf("%d slow drops, want the stalled client", d)
	}
	issue(t, admin, "certificates")
	if m, _ := healthy.next(); m.Seq != want {
		t.Fatalf("after the drop the healthy client saw seq %d, want %d", m.Seq, want)
	}
}

// A ticket's snapshot carries the branch's seq it was read at, and the
// ticket's events that were fanned out while it was read, which it already
// shows, do not follow it: after the snapshot comes what happens next.
// Following a ticket at once after issuing it is the race: its issue event
// may still be on its way through the hub, which other issues keep busy.
func TestTicketSnapshotThenOnlyNewerEvents(t *testing.T) {
	env := apptest.Start(t)
	admin, anon := env.Admin(), env.Client()
	var first uint64
	for i := range 30 {
		var burst sync.WaitGroup
		// Waited for even when a round fails, while the server still runs.
		defer burst.Wait()
		for range 4 {
			burst.Go(func() {
				for range 10 {
					admin.Do("POST", "/api/v1/branches/demo/tickets", map[string]any{"service": "signatures"})
				}
			})
		}
		tk := issue(t, admin, "certificates")
		r := dial(t, env, "/api/v1/tickets/"+tk.Token+"/live")
		var snap view.TicketLive
		if _, raw := r.next(); json.Unmarshal(raw, &snap) != nil || snap.Type != "snapshot" || snap.Ticket.Number != tk.Number {
			t.Fatalf("round %d: first message %s", i, raw)
		}
		if i == 0 {
			first = snap.Seq
		}
		// Each round adds at least two events: the issue (in this
		// snapshot) and the cancellation.
		if want := first + 2*uint64(i); first == 0 || snap.Seq < want {
			t.Fatalf("round %d: snapshot at seq %d, want at least %d", i, snap.Seq, want)
		}
		apptest.MustStatus(t, anon.Do("DELETE", "/api/v1/tickets/"+tk.Token, nil), http.StatusOK)
		for { // the burst may move its place: "position" has no seq
			var m view.TicketLive
			_, raw := r.next()
			if json.Unmarshal(raw, &m) == nil && m.Type == "position" {
				continue
			}
			if m.Type != "ticket.cancelled" || m.Seq <= snap.Seq {
				t.Fatalf("round %d: after the snapshot at seq %d came %s, want the cancellation", i, snap.Seq, raw)
			}
			break
		}
		r.ws.Close()
	}
}

func TestTicketChannel(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	issue(t, admin, "certificates")
	issue(t, admin, "certificates")
	mine := issue(t, admin, "certificates")
	ws, err := env.Dial("/api/v1/tickets/"+mine.Token+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	read := func() view.TicketLive {
		ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var m view.TicketLive
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := read(); m.Type != "snapshot" || m.Ticket.Number != "A003" || m.Ticket.Position != 3 || m.Ticket.Token != "" {
		t.Fatalf("snapshot: %+v", m)
	}
	admin.Call("POST", "/api/v1/branches/demo/counters/1/open", nil, nil)
	admin.Call("POST", "/api/v1/branches/demo/counters/1/next", nil, nil)
	if m := read(); m.Type != "position" || m.Change == nil || m.Change.Place == nil || m.Change.Position != 2 || m.Change.EstimatedWaitS == nil {
		t.Fatalf("after one call: %+v", m)
	}
	admin.Call("POST", "/api/v1/branches/demo/counters/1/next", nil, nil)
	if m := read(); m.Type != "position" || m.Change == nil || m.Change.Place == nil || m.Change.Position != 1 {
		t.Fatalf("after two calls: %+v", m)
	}
	admin.Call("POST", "/api/v1/branches/demo/counters/1/next", nil, nil)
	m := read()
	if m.Type != "ticket.called" || m.Change == nil || m.Change.State != "called" || m.Change.Counter == nil || *m.Change.Counter != "1" || m.Change.CounterName["en"] != "Counter 1" || m.Change.CalledAt == nil {
		t.Fatalf("called: %+v", m)
	}
	admin.Call("POST", "/api/v1/branches/demo/counters/1/recall", nil, nil)
	if m := read(); m.Type != "ticket.recalled" || m.Change == nil || m.Change.Recalls == nil || *m.Change.Recalls != 1 {
		t.Fatalf("recalled: %+v", m)
	}
	if _, err := env.Dial("/api/v1/tickets/"+strings.Repeat("A", 32)+"/live", nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown token: %v", err)
	}
}

func TestOriginIsChecked(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.Public = apptest.Public(t, "https://kep.example.gr", "") })
	for origin, ok := range map[string]bool{
		"http://" + env.Addr:         true,
		"https://kep.example.gr":     true,
		"https://evil.example":       false,
		"http://kep.example.gr.evil": false,
	} {
		ws, err := env.Dial("/api/v1/branches/demo/live", http.Header{"Origin": {origin}})
		if (err == nil) != ok {
			t.Errorf("origin %s: err %v, want allowed=%v", origin, err, ok)
		}
		if ws != nil {
			ws.Close()
		}
	}
}

func TestShutdownClosesWithGoingAway(t *testing.T) {
	env := apptest.Start(t)
	r := dial(t, env, "/api/v1/branches/demo/live")
	r.next()
	env.Stop()
	r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := r.ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("after shutdown: %v, want close 1001", err)
	}
}

// dialStalled connects a client that will read nothing after its first
// message: a small receive buffer makes its socket fill after a few hundred
// messages rather than thousands. The first message (the snapshot) is read
// because the hub sends it only once the client is subscribed: the
// handshake's answer comes before that, and a test counting subscribers
// right after the dial could count too few.
func dialStalled(t *testing.T, env *apptest.Env, path string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
			})
		}}
		return nd.Dial(network, addr)
	}}
	ws, _, err := d.Dial("ws://"+env.Addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatalf("stalled client's first message: %v", err)
	}
	return ws
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestBusyConnectionIsPingedToo keeps a client busy with events for longer
// than the pong wait, by the hub's clock: it is pinged at every ping period
// all the same (only pongs extend its life), and stays connected.
func TestBusyConnectionIsPingedToo(t *testing.T) {
	clk := newFakeClock()
	env := apptest.Start(t, func(c *app.Config) {
		c.Hub.PingPeriod = time.Second
		c.Hub.PongWait = 30 * time.Second
		c.Hub.Clock = clk
	})
	admin := env.Admin()
	r := dial(t, env, "/api/v1/branches/demo/live")
	snap, _ := r.next()
	pings := 0
	r.ws.SetPingHandler(func(data string) error {
		pings++
		return r.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	want := snap.Seq + 1
	next := func() {
		t.Helper()
		issue(t, admin, "certificates")
		if m, _ := r.next(); m.Seq != want {
			t.Fatalf("seq %d, want %d", m.Seq, want)
		}
		want++
	}
	const rounds = 90 // three pong waits
	for round := 1; round <= rounds; round++ {
		clk.Tick(t, time.Second)
		// A tick that moves no time returns once the hub has acted on the
		// last one: its ping is due, and goes out with the next event
		// (one writev puts a queued event before the ping) or before it,
		// and surely before the event after. Reading both handles it.
		clk.Tick(t, 0)
		next()
		next()
		if pings != round {
			t.Fatalf("%d pings in %d ping periods", pings, round)
		}
	}
}

// TestClientPingAndClose: a client's ping gets its pong (from the writer,
// the only goroutine that writes), and a client's close gets a close back.
func TestClientPingAndClose(t *testing.T) {
	for _, goroutines := range []bool{false, true} {
		t.Run(readerName(goroutines), func(t *testing.T) {
			env := apptest.Start(t, func(c *app.Config) { c.Hub.ReaderGoroutines = goroutines })
			clientPingAndClose(t, env)
		})
	}
}

func readerName(goroutines bool) string {
	if goroutines {
		return "goroutine-readers"
	}
	return "epoll"
}

func clientPingAndClose(t *testing.T, env *apptest.Env) {
	r := dial(t, env, "/api/v1/branches/demo/live")
	r.next()
	pong := make(chan string, 1)
	r.ws.SetPongHandler(func(data string) error { pong <- data; return nil })
	if err := r.ws.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		r.ws.ReadMessage() // runs the pong handler, then waits for the close
	}()
	select {
	case got := <-pong:
		if got != "are you there" {
			t.Fatalf("pong carries %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pong")
	}
	if err := r.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the subscribers to settle", subscribers(env, 0))
	if n := env.App.Hub.Subscribers("demo"); n != 0 {
		t.Fatalf("%d subscribers after the client closed", n)
	}
}

// TestSilentClientIsDropped: a client that answers no ping (it reads
// nothing, so its pongs never come) is gone once PongWait has passed on the
// hub's clock, with either reader; one that answers stays.
func TestSilentClientIsDropped(t *testing.T) {
	for _, goroutines := range []bool{false, true} {
		t.Run(readerName(goroutines), func(t *testing.T) {
			clk := newFakeClock()
			env := apptest.Start(t, func(c *app.Config) {
				c.Hub.ReaderGoroutines = goroutines
				c.Hub.PingPeriod = time.Second
				c.Hub.PongWait = 4 * time.Second
				c.Hub.Clock = clk
			})
			silent := dial(t, env, "/api/v1/branches/demo/live")
			silent.next() // subscribed; from now on it reads nothing
			alive := dial(t, env, "/api/v1/branches/demo/live")
			alive.next()
			pinged, ponged := make(chan struct{}, 1), make(chan string, 1)
			alive.ws.SetPingHandler(func(data string) error {
				err := alive.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
				pinged <- struct{}{}
				return err
			})
			alive.ws.SetPongHandler(func(data string) error { ponged <- data; return nil })
			done := make(chan struct{})
			go func() {
				defer close(done)
				for { // reading answers the pings
					if _, _, err := alive.ws.ReadMessage(); err != nil {
						return
					}
				}
			}()
			// One ping period: the hub pings; alive answers; its own ping
			// then comes back only after the hub has read that answer.
			period := func(i int) {
				clk.Tick(t, time.Second)
				select {
				case <-pinged:
				case <-time.After(10 * time.Second):
					t.Fatalf("period %d: the alive client was not pinged", i)
				}
				alive.ws.WriteControl(websocket.PingMessage, []byte{byte(i)}, time.Now().Add(time.Second))
				select {
				case <-ponged:
				case <-time.After(10 * time.Second):
					t.Fatalf("period %d: the alive client was not answered", i)
				}
			}
			for i := range 6 {
				period(i)
			}
			waitFor(t, "the silent client to go", subscribers(env, 1))
			for i := range 8 {
				period(6 + i) // two pong waits more: alive stays
			}
			if n := env.App.Hub.Subscribers("demo"); n != 1 {
				t.Fatalf("%d subscribers, want the one that answers pings still there", n)
			}
			alive.ws.Close()
			<-done
		})
	}
}

// TestConnectionsComeAndGo opens and drops connections in crowds, as
// screens and phones do, so that socket numbers are reused while the
// reader still knows old ones; each new connection must get its own
// messages and the count of subscribers must come back to what is open.
func TestConnectionsComeAndGo(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Admin()
	for round := range 5 {
		var conns []*websocket.Conn
		for range 40 {
			ws, err := env.Dial("/api/v1/branches/demo/live", nil)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, ws)
		}
		for i, ws := range conns {
			if i%2 == 0 {
				// Half leave abruptly, half with a close frame.
				ws.UnderlyingConn().Close()
			} else {
				ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				ws.Close()
			}
		}
		r := dial(t, env, "/api/v1/branches/demo/live")
		snap, _ := r.next()
		issue(t, admin, "certificates")
		if m, _ := r.next(); m.Seq != snap.Seq+1 || m.Type != "ticket.issued" {
			t.Fatalf("round %d: got %s %d, want ticket.issued %d", round, m.Type, m.Seq, snap.Seq+1)
		}
		waitFor(t, "the subscribers to settle", subscribers(env, round+1))
		if n := env.App.Hub.Subscribers("demo"); n != round+1 {
			t.Fatalf("round %d: %d subscribers, want %d", round, n, round+1)
		}
	}
}

// waitingIn is how many wait for svc in a state.
func waitingIn(st *view.State, svc string) int {
	if st == nil {
		return -1
	}
	for _, s := range st.Services {
		if s.ID == svc {
			return s.Waiting
		}
	}
	return -1
}
