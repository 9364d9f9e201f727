package wsconn

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/gorilla/websocket"
)

// clientFrame is a frame as a client sends it: masked.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b := []byte{op, 0x80}
	if fin {
		b[0] |= 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b[1] |= byte(n)
	case n <= 0xFFFF:
		b[1] |= 126
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b[1] |= 127
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	mask := []byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, mask...)
	for i, c := range payload {
		b = append(b, c^mask[i&3])
	}
	return b
}

func TestNextFrame(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 300)
	for _, tc := range []struct {
		name    string
		in      []byte
		op      byte
		payload []byte
		code    int
	}{
		{"ping", clientFrame(true, opPing, []byte("hi")), opPing, []byte("hi"), 0},
		{"empty pong", clientFrame(true, opPong, nil), opPong, []byte{}, 0},
		{"text with 16-bit length", clientFrame(true, opText, long), opText, long, 0},
		{"continuation", clientFrame(false, 0x0, []byte("ab")), 0x0, []byte("ab"), 0},
		{"unmasked", []byte{0x80 | opPing, 0}, 0, nil, websocket.CloseProtocolError},
		{"reserved bit", append([]byte{0xC0 | opText}, clientFrame(true, opText, nil)[1:]...), 0, nil, websocket.CloseProtocolError},
		{"fragmented control", clientFrame(false, opPing, nil), 0, nil, websocket.CloseProtocolError},
		{"control over 125", clientFrame(true, opPing, long), 0, nil, websocket.CloseProtocolError},
		{"unknown opcode", clientFrame(true, 0x3, nil), 0, nil, websocket.CloseProtocolError},
		{"too big", clientFrame(true, opText, make([]byte, maxInbound+1))[:8], 0, nil, websocket.CloseMessageTooBig},
		{"64-bit length, too big", append([]byte{0x80 | opText, 0x80 | 127}, binary.BigEndian.AppendUint64(nil, 1<<40)...), 0, nil, websocket.CloseMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Clone(tc.in)
			n, op, payload, code := nextFrame(in)
			if code != tc.code {
				t.Fatalf("code %d, want %d", code, tc.code)
			}
			if code != 0 {
				return
			}
			if n != len(tc.in) || op != tc.op || !bytes.Equal(payload, tc.payload) {
				t.Fatalf("n %d op %x payload %q; want %d %x %q", n, op, payload, len(tc.in), tc.op, tc.payload)
			}
			// Every proper prefix is incomplete, not an error.
			for i := range len(tc.in) {
				if n, _, _, code := nextFrame(bytes.Clone(tc.in[:i])); n != 0 || code != 0 {
					t.Fatalf("prefix of %d bytes: n %d, code %d", i, n, code)
				}
			}
		})
	}
}

// TestConsumeAcrossReads feeds a ping, a pong and a close one byte at a
// time and all at once: the ping's pong is owed, the close ends it.
func TestConsumeAcrossReads(t *testing.T) {
	stream := append(append(clientFrame(true, opPing, []byte("are you there")), clientFrame(true, opPong, nil)...),
		clientFrame(true, opText, []byte("ignored"))...)
	for _, step := range []int{1, 3, len(stream)} {
		s := &Set{opts: Options{SendQueue: 8, Clock: realClock{}}}
		c := &Conn{set: s, holding: true, closed: true} // closed: no writer starts
		for i := 0; i < len(stream); i += step {
			chunk := bytes.Clone(stream[i:min(i+step, len(stream))])
			if !c.consume(chunk) {
				t.Fatalf("step %d: ended at byte %d", step, i)
			}
		}
		if len(c.in) != 0 {
			t.Fatalf("step %d: %d bytes left over", step, len(c.in))
		}
		if want := frame(opPong, []byte("are you there")); !bytes.Equal(c.pong, want) {
			t.Fatalf("step %d: pong %q, want %q", step, c.pong, want)
		}
		if c.consume(clientFrame(true, opClose, nil)) {
			t.Fatalf("step %d: a close did not end the connection", step)
		}
		if !c.closing || c.code != websocket.CloseNormalClosure {
			t.Fatalf("step %d: closing %v code %d, want a normal close", step, c.closing, c.code)
		}
	}
}
