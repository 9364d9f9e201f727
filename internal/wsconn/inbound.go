package wsconn

import (
	"encoding/binary"

	"github.com/gorilla/websocket"
)

// What clients send is read by the Set itself, not by a goroutine per
// connection blocked in gorilla/websocket's reader: on Linux one epoll loop
// reads every connection (poll_linux.go). An idle connection then holds no
// goroutine at all, and its stack was the largest part of its memory.
// Clients send little: pongs, now and then a ping, a close; the pages send
// no data.

// maxInbound bounds the payload of a frame a client may send; more closes
// the connection (1009).
const maxInbound = 4096

// connReader reads what clients send and hands it to Conn.consume.
type connReader interface {
	// add starts reading c; an error means c cannot be read (the Set is
	// closing, or the socket is gone).
	add(c *Conn) error
	// remove stops reading c, before its socket is closed.
	remove(c *Conn)
	// close stops reading everyone; after the Set's connections have ended.
	close()
}

// consume handles data, bytes just read from the client; it reports
// whether the connection goes on. An incomplete frame is kept for the
// next read (c.in), which happens only when a frame straddles two reads.
// Only the connection's reader calls it.
func (c *Conn) consume(data []byte) bool {
	buf := data
	if len(c.in) > 0 {
		c.in = append(c.in, data...)
		buf = c.in
	}
	for len(buf) > 0 {
		n, op, payload, code := nextFrame(buf)
		if code != 0 {
			c.in = nil
			c.Kick(code, "")
			return false
		}
		if n == 0 {
			break // incomplete
		}
		if !c.handle(op, payload) {
			c.in = nil
			return false
		}
		buf = buf[n:]
	}
	switch {
	case len(buf) == 0:
		c.in = nil
	case len(c.in) > 0:
		c.in = append(c.in[:0], buf...) // buf is the tail of c.in
	default:
		c.in = append([]byte(nil), buf...) // data belongs to the reader
	}
	return true
}

// handle acts on one frame from the client.
func (c *Conn) handle(op byte, payload []byte) bool {
	c.mu.Lock()
	c.lastHeard = c.set.opts.Clock.Now()
	if op == opPing {
		// Only the writer writes: the pong is handed to it.
		c.pong = frame(opPong, payload)
		c.startWriter()
	}
	c.mu.Unlock()
	if op == opClose {
		c.Kick(websocket.CloseNormalClosure, "")
		return false
	}
	return true
}

// nextFrame parses the frame at the start of b, a client's frame (RFC 6455
// §5.2: masked). It returns the frame's length, opcode and unmasked payload
// (in place), n == 0 when b holds only part of a frame, or a close code for
// a frame a client must not send.
func nextFrame(b []byte) (n int, op byte, payload []byte, code int) {
	if len(b) < 2 {
		return 0, 0, nil, 0
	}
	fin, rsv, op := b[0]&0x80 != 0, b[0]&0x70, b[0]&0x0F
	masked, size, head := b[1]&0x80 != 0, uint64(b[1]&0x7F), 2
	switch size {
	case 126:
		if len(b) < 4 {
			return 0, 0, nil, 0
		}
		size, head = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, 0, nil, 0
		}
		size, head = binary.BigEndian.Uint64(b[2:]), 10
	}
	switch {
	case rsv != 0 || !masked:
		return 0, 0, nil, websocket.CloseProtocolError
	case op >= 0x8 && (!fin || size > 125):
		return 0, 0, nil, websocket.CloseProtocolError
	case op != 0x0 && op != opText && op != 0x2 && op != opClose && op != opPing && op != opPong:
		return 0, 0, nil, websocket.CloseProtocolError
	case size > maxInbound:
		return 0, 0, nil, websocket.CloseMessageTooBig
	}
	end := head + 4 + int(size)
	if len(b) < end {
		return 0, 0, nil, 0
	}
	mask, payload := b[head:head+4], b[head+4:end]
	for i := range payload {
		payload[i] ^= mask[i&3]
	}
	return end, op, payload, 0
}

// goReader reads each connection with a goroutine of its own: where there
// is no epoll, and for the tests of that path.
type goReader struct{}

func (goReader) add(c *Conn) error {
	go func() {
		conn := c.ws.UnderlyingConn()
		buf := make([]byte, 512)
		for {
			n, err := conn.Read(buf)
			if n > 0 && !c.consume(buf[:n]) {
				return
			}
			if err != nil {
				c.Kick(websocket.CloseAbnormalClosure, "")
				return
			}
		}
	}()
	return nil
}

func (goReader) remove(*Conn) {}
func (goReader) close()       {}
