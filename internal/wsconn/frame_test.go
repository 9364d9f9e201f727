package wsconn

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestFramesReadBack writes frames of every length class and reads them
// back with gorilla's client side, which checks framing strictly.
func TestFramesReadBack(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 200_000} {
		payload := bytes.Repeat([]byte("α"), n/2)
		if n%2 == 1 {
			payload = append(payload, 'x')
		}
		raw := frame(opText, payload)
		typ, got, err := readOne(raw)
		if err != nil || typ != websocket.TextMessage || !bytes.Equal(got, payload) {
			t.Fatalf("%d bytes: type %d, %d bytes back, %v", len(payload), typ, len(got), err)
		}
	}
	if _, _, err := readOne(CloseFrame(websocket.CloseTryAgainLater, "too slow")); !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Fatalf("close frame read as %v", err)
	}
	long := CloseFrame(websocket.CloseGoingAway, string(bytes.Repeat([]byte("x"), 300)))
	if len(long) != 2+125 {
		t.Fatalf("a close frame of %d bytes: control frames carry at most 125", len(long))
	}
}

// readOne serves raw after a WebSocket handshake on 127.0.0.1 and reads
// one message from it with gorilla's client, as a browser would.
func readOne(raw []byte) (int, []byte, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			base64.StdEncoding.EncodeToString(h[:]))
		c.Write(raw)
	}()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/", nil)
	if err != nil {
		return 0, nil, err
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	return ws.ReadMessage()
}
