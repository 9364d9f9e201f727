package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// lightCount is what the light clients of one comparison share: two
// atomics, as the issue that asked for the comparison put it.
type lightCount struct {
	// got counts text messages received since the last reset, by all.
	got atomic.Int64
	// lastAt is when the last of them came (UnixNano).
	lastAt atomic.Int64
	// closed counts the connections that ended while counted; reason is
	// the last close frame's payload, for the report of a failed run.
	closed atomic.Int64
	reason atomic.Value
}

// lightClient is a WebSocket client that does as little as a client can:
// its own handshake, then frames read raw, counted and never decoded. The
// same client subscribes to seira and to Centrifugo, so that the servers,
// not the clients, make the difference.
type lightClient struct {
	conn net.Conn
	// centrifugo: answer the protocol's application pings ("{}").
	centrifugo bool
	// ready is closed at the first text message (seira's snapshot, or
	// Centrifugo's reply to subscribe).
	ready   chan struct{}
	isReady bool        // ready is closed; the reader's alone
	counted atomic.Bool // counting has begun (after ready)
}

// dialLight connects to a ws:// URL and performs the handshake, reading
// the answer byte by byte so that nothing after it is buffered away.
func dialLight(ctx context.Context, rawURL string, centrifugo bool) (*lightClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 16)
	rand.Read(key)
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		u.RequestURI(), u.Host, base64.StdEncoding.EncodeToString(key))
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write([]byte(req)); err != nil {
		conn.Close()
		return nil, err
	}
	// One byte at a time up to the blank line: the frames after the answer
	// are the reader's.
	var head bytes.Buffer
	one := make([]byte, 1)
	for !bytes.HasSuffix(head.Bytes(), []byte("\r\n\r\n")) {
		if _, err := conn.Read(one); err != nil {
			conn.Close()
			return nil, fmt.Errorf("handshake: %w", err)
		}
		if head.WriteByte(one[0]); head.Len() > 8192 {
			conn.Close()
			return nil, fmt.Errorf("handshake: answer too long")
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(&head), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("handshake: %v %v", err, resp)
	}
	conn.SetDeadline(time.Time{})
	return &lightClient{conn: conn, centrifugo: centrifugo, ready: make(chan struct{})}, nil
}

// send writes one masked text frame (clients mask, RFC 6455 §5.3).
func (c *lightClient) send(op byte, payload []byte) error {
	f := make([]byte, 0, 14+len(payload))
	f = append(f, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	default:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	}
	mask := []byte{1, 2, 3, 4}
	f = append(f, mask...)
	for i, b := range payload {
		f = append(f, b^mask[i&3])
	}
	_, err := c.conn.Write(f)
	return err
}

// read counts the text messages that come, into count, until the
// connection ends; it answers pings (WebSocket's, and Centrifugo's "{}").
func (c *lightClient) read(count *lightCount) {
	buf := make([]byte, 8<<10) // messages are small; larger frames are passed over
	have := 0
	// skip is what is left of a frame larger than buf, passed over
	// unread; skipped says it is a text message, counted at its end.
	skip, skipped := 0, false
	for {
		n, err := c.conn.Read(buf[have:])
		if err != nil {
			if c.counted.Load() {
				count.closed.Add(1)
				count.reason.CompareAndSwap(nil, err.Error())
			}
			return
		}
		have += n
		at := time.Now().UnixNano()
		off := 0
		if skip > 0 {
			k := min(skip, have)
			skip -= k
			off = k
			if skip == 0 && skipped {
				c.message(count, nil, at)
			}
		}
	frames:
		for skip == 0 {
			b := buf[off:have]
			if len(b) < 2 {
				break
			}
			op, size, hl := b[0]&0x0F, int(b[1]&0x7F), 2
			switch size {
			case 126:
				if len(b) < 4 {
					break frames
				}
				size, hl = int(binary.BigEndian.Uint16(b[2:])), 4
			case 127:
				if len(b) < 10 {
					break frames
				}
				size, hl = int(binary.BigEndian.Uint64(b[2:])), 10
			}
			if hl+size > len(buf) {
				// Too large to hold: passed over, as a message
				// without a payload to look at.
				k := min(hl+size, len(b))
				skip, skipped = hl+size-k, op == 0x1
				off += k
				if skip == 0 && skipped {
					c.message(count, nil, at)
				}
				break
			}
			if len(b) < hl+size {
				break
			}
			payload := b[hl : hl+size]
			switch op {
			case 0x9: // ping
				c.send(0xA, payload)
			case 0x8: // close: its status and reason
				count.reason.Store(fmt.Sprintf("close %q", payload))
			case 0x1:
				c.message(count, payload, at)
			}
			off += hl + size
		}
		// Keep an incomplete frame for the next read.
		copy(buf, buf[off:have])
		have -= off
	}
}

// message handles one text message that came at at. Centrifugo's JSON
// protocol puts several replies in one frame, a line each, when they are
// queued together: each line counts, and a ping ("{}") among them is
// answered.
func (c *lightClient) message(count *lightCount, payload []byte, at int64) {
	n := int64(1)
	if c.centrifugo {
		n = 0
		for line := range bytes.SplitSeq(payload, []byte("\n")) {
			if bytes.Equal(line, []byte("{}")) {
				c.send(0x1, line) // Centrifugo's ping: its pong
			} else if len(line) > 0 || payload == nil {
				n++
			}
		}
		if n == 0 {
			return
		}
	}
	switch {
	case !c.isReady:
		// Subscribed: seira's snapshot, or Centrifugo's answer to
		// subscribe (looked at until then only).
		if !c.centrifugo || bytes.Contains(payload, []byte(`"subscribe"`)) {
			c.isReady = true
			close(c.ready)
		}
	case c.counted.Load():
		count.got.Add(n)
		count.lastAt.Store(at)
	}
}
