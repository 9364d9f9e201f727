package wsconn

import (
	"encoding/binary"
)

// The server writes its WebSocket frames itself (RFC 6455 §5.2): a server
// sends unmasked frames, and seira only ever sends whole text messages,
// pings, pongs and a close. A frame made once per broadcast is then one
// write(2) per subscriber, with none of the per-write locking and
// deadline-setting of a general WebSocket writer. gorilla/websocket does the
// handshake; what clients send is read by the Set's reader (inbound.go).

// Opcodes.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// TextFrame returns a whole text message as one frame, to be written as it
// is to every connection it goes to.
func TextFrame(payload []byte) []byte { return frame(opText, payload) }

// frame returns a final frame of opcode op carrying payload.
func frame(op byte, payload []byte) []byte {
	n := len(payload)
	var b []byte
	switch {
	case n < 126:
		b = make([]byte, 2, 2+n)
		b[1] = byte(n)
	case n <= 0xFFFF:
		b = make([]byte, 4, 4+n)
		b[1] = 126
		binary.BigEndian.PutUint16(b[2:], uint16(n))
	default:
		b = make([]byte, 10, 10+n)
		b[1] = 127
		binary.BigEndian.PutUint64(b[2:], uint64(n))
	}
	b[0] = 0x80 | op // FIN
	return append(b, payload...)
}

// CloseFrame is a close frame with code and reason (cut to fit the 125
// bytes a control frame may carry).
func CloseFrame(code int, reason string) []byte {
	p := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(p, uint16(code))
	p = append(p, reason...)
	if len(p) > 125 {
		p = p[:125]
	}
	return frame(opClose, p)
}
