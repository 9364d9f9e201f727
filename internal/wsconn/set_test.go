package wsconn

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/seira-queue/seira/internal/clocktest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rig is a Set behind a real HTTP server on 127.0.0.1: each WebSocket it
// accepts is handed to the test on conns.
type rig struct {
	t     *testing.T
	set   *Set
	srv   *httptest.Server
	conns chan *Conn
	ended chan *Conn
}

func newRig(t *testing.T, opts Options) *rig {
	t.Helper()
	r := &rig{t: t, set: NewSet(opts), conns: make(chan *Conn, 64), ended: make(chan *Conn, 64)}
	up := websocket.Upgrader{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ws, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		var c *Conn
		c, err = r.set.Accept(ws, func() { r.ended <- c })
		if err == nil {
			r.conns <- c
		}
	}))
	t.Cleanup(func() {
		r.set.Close(context.Background())
		r.srv.Close()
	})
	return r
}

// dial connects a client and returns it with the server's side of it.
func (r *rig) dial() (*websocket.Conn, *Conn) {
	r.t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http"), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { ws.Close() })
	select {
	case c := <-r.conns:
		return ws, c
	case <-time.After(10 * time.Second):
		r.t.Fatal("the server never accepted")
	}
	return nil, nil
}

func msg(seq uint64) Msg { return Msg{Seq: seq, Frame: TextFrame([]byte(strconv.FormatUint(seq, 10)))} }

func read(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// TestBacklogThenLiveWithoutRepeats: what is enqueued before Release waits
// behind the backlog, and a message in both goes out once.
func TestBacklogThenLiveWithoutRepeats(t *testing.T) {
	r := newRig(t, Options{})
	ws, c := r.dial()
	if !c.Enqueue([]Msg{msg(5), msg(6)}) {
		t.Fatal("enqueue refused")
	}
	c.Release([]Msg{msg(3), msg(4), msg(5)})
	for _, want := range []string{"3", "4", "5", "6"} {
		if got := read(t, ws); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	c.Enqueue([]Msg{{Frame: TextFrame([]byte("no seq"))}, msg(7)})
	if got := read(t, ws); got != "no seq" {
		t.Fatalf("got %s", got)
	}
	if got := read(t, ws); got != "7" {
		t.Fatalf("got %s", got)
	}
}

// tracker counts the connections a message is done with.
type tracker struct {
	mu sync.Mutex
	n  int
}

func (tr *tracker) Sent() { tr.mu.Lock(); tr.n++; tr.mu.Unlock() }

func (tr *tracker) count() int { tr.mu.Lock(); defer tr.mu.Unlock(); return tr.n }

// TestFullQueueIsDroppedAndTold: a connection whose queue is full is
// refused more, dropped with 1013 and counted; the messages it held are
// accounted for.
func TestFullQueueIsDroppedAndTold(t *testing.T) {
	r := newRig(t, Options{SendQueue: 2})
	ws, c := r.dial()
	tr := &tracker{}
	m := Msg{Seq: 1, Frame: TextFrame([]byte("x")), Sent: tr}
	if !c.Enqueue([]Msg{m, m}) {
		t.Fatal("two fit a queue of two")
	}
	if c.Enqueue([]Msg{m}) {
		t.Fatal("a third fit a queue of two")
	}
	c.Drop()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Fatalf("after the drop: %v, want close 1013", err)
	}
	<-r.ended
	if s := r.set.Stats(); s.SlowDrops != 1 || s.Open != 0 {
		t.Errorf("stats %+v", s)
	}
	if n := tr.count(); n != 3 {
		t.Errorf("the tracker heard of %d, want 3 (two dropped with the queue, one refused)", n)
	}
}

// TestSilentIsDroppedAndPongsKeepAlive: on the Set's clock, a client that
// answers no ping is gone after PongWait; one that answers stays.
func TestSilentIsDroppedAndPongsKeepAlive(t *testing.T) {
	for _, goroutines := range []bool{false, true} {
		clk := clocktest.New(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		r := newRig(t, Options{PingPeriod: time.Second, PongWait: 4 * time.Second, Clock: clk, ReaderGoroutines: goroutines})
		_, silent := r.dial()
		alive, ac := r.dial()
		silent.Release(nil)
		ac.Release(nil)
		pinged, ponged := make(chan struct{}, 1), make(chan struct{}, 1)
		alive.SetPingHandler(func(data string) error {
			err := alive.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			pinged <- struct{}{}
			return err
		})
		alive.SetPongHandler(func(string) error { ponged <- struct{}{}; return nil })
		go func() {
			for {
				if _, _, err := alive.ReadMessage(); err != nil {
					return
				}
			}
		}()
		for i := range 10 {
			clk.Tick(t, time.Second)
			<-pinged
			// The Set answers this ping after it has read the pong above.
			alive.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second))
			<-ponged
			if i == 6 {
				select {
				case c := <-r.ended:
					if c != silent {
						t.Fatal("the alive client ended")
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("reader goroutines %v: the silent client is still there", goroutines)
				}
			}
		}
		if s := r.set.Stats(); s.Open != 1 {
			t.Errorf("reader goroutines %v: %d open, want the alive one", goroutines, s.Open)
		}
	}
}

// TestCloseSaysGoingAway: closing the Set tells every client 1001, waits
// for them to end, and refuses new ones.
func TestCloseSaysGoingAway(t *testing.T) {
	r := newRig(t, Options{})
	var clients []*websocket.Conn
	for range 3 {
		ws, c := r.dial()
		c.Release(nil)
		clients = append(clients, ws)
	}
	if err := r.set.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, ws := range clients {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("after Close: %v, want 1001", err)
		}
	}
	if s := r.set.Stats(); s.Open != 0 {
		t.Errorf("%d open after Close", s.Open)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(r.srv.URL, "http"), nil)
	if err == nil {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Errorf("a client after Close: %v, want 1001", err)
		}
		ws.Close()
	}
}

// TestFramesLargerThanTheSocketTakes: frames far larger than a socket
// buffer, sent to a client that reads slowly, are written in part at once
// and finished by the writer, whole and in order; with the direct path and
// without.
func TestFramesLargerThanTheSocketTakes(t *testing.T) {
	for _, noDirect := range []bool{false, true} {
		r := newRig(t, Options{NoDirectWrites: noDirect})
		ws, c := r.dial()
		c.Release(nil)
		var want [][]byte
		for i := range 4 {
			p := bytes.Repeat([]byte{'a' + byte(i)}, 700_000+i)
			want = append(want, p)
			if !c.Enqueue([]Msg{{Seq: uint64(i + 1), Frame: TextFrame(p)}}) {
				t.Fatal("enqueue refused")
			}
		}
		for i, w := range want {
			ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, got, err := ws.ReadMessage()
			if err != nil || !bytes.Equal(got, w) {
				t.Fatalf("no direct %v: frame %d: %d bytes, %v; want %d bytes of %q", noDirect, i, len(got), err, len(w), w[0])
			}
		}
	}
}
