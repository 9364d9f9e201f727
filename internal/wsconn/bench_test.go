package wsconn

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// BenchmarkFanOut measures one message of 300 bytes (a call's size) to
// every connection of a branch: from the first Enqueue to the last client
// having read it, with light clients that count bytes and decode nothing.
// The time per op is the broadcast's; allocs/op is the server's and the
// clients' together (the clients allocate nothing per message).
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		for _, via := range []string{"direct", "writer"} {
			b.Run(strconv.Itoa(n)+"/"+via, func(b *testing.B) { benchFanOut(b, n, via == "writer") })
		}
	}
}

// benchFanOut broadcasts to n connections; noDirect sends through each
// connection's writer goroutine, as before the direct path.
func benchFanOut(b *testing.B, n int, noDirect bool) {
	set := NewSet(Options{SendQueue: 1024, NoDirectWrites: noDirect})
	conns := make(chan *Conn, n)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		if c, err := set.Accept(ws, nil); err == nil {
			conns <- c
		}
	}))
	defer srv.Close()
	defer set.Close(context.Background())

	frame := TextFrame(bytes.Repeat([]byte("x"), 300))
	var received atomic.Int64
	done := make(chan struct{}, 1)
	var target atomic.Int64
	var wg sync.WaitGroup
	var clients []*websocket.Conn
	for range n {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, ws)
		raw := ws.UnderlyingConn()
		wg.Go(func() {
			buf := make([]byte, 4096)
			got := 0
			for {
				k, err := raw.Read(buf)
				if err != nil {
					return
				}
				got += k
				for got >= len(frame) {
					got -= len(frame)
					if received.Add(1) == target.Load() {
						done <- struct{}{}
					}
				}
			}
		})
	}
	var all []*Conn
	for range n {
		c := <-conns
		c.Release(nil)
		all = append(all, c)
	}
	msg := []Msg{{Frame: frame}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		target.Store(int64(n) * int64(i+1))
		Fan(all, msg)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatalf("broadcast %d: %d of %d received", i, received.Load(), target.Load())
		}
	}
	b.StopTimer()
	for _, ws := range clients {
		ws.Close()
	}
	wg.Wait()
}
