package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Kind is the kind of a live subscriber.
type Kind int

const (
	// KindDisplay follows a traffic branch: a wall display or a console.
	KindDisplay Kind = iota
	// KindPhone follows one ticket the tool issued: a citizen's phone.
	KindPhone
	// KindOffice follows the latency branch of an office's size.
	KindOffice
	// KindBig follows the big latency branch.
	KindBig
	numKinds
)

func (k Kind) String() string {
	return [...]string{"display", "phone", "office", "big"}[k]
}

// branchChannel reports whether subscribers of kind k follow a branch.
func (k Kind) branchChannel() bool { return k != KindPhone }

// peek is how much of each message a subscriber looks at: the type and the
// seq come first in every live message (view.Live, view.TicketLive), and
// decoding no more keeps the tool from becoming the bottleneck.
const peek = 96

// sub is one live WebSocket connection with its one reader goroutine. The
// reader owns the counts; others read them after it has ended, except
// lastSeq and ready.
type sub struct {
	kind   Kind
	branch string
	ws     *websocket.Conn
	probe  *probe // the latency branch's, or nil

	ready   atomic.Bool   // the first message (the snapshot) has come
	lastSeq atomic.Uint64 // branch channels: the last seq received
	dead    atomic.Bool

	snapSeq   uint64 // branch channels: seq of the first snapshot
	msgs      int64  // every message
	events    int64  // messages with a seq after the first snapshot
	snapshots int64  // snapshots after the first (a settings change)
	gaps      int64  // branch channels: a seq that was not last+1
	closeCode int    // the close code the server sent, 0 for none
	lost      bool   // the connection ended before the tool closed it
	endedAt   time.Time
	endErr    error
}

// read is the connection's only reader: it notes what arrives until the
// connection ends. closing tells an end the tool caused from one the
// server caused.
func (s *sub) read(closing *atomic.Bool, errs *tally, slow *atomic.Int64) {
	defer s.dead.Store(true)
	defer func() {
		if s.probe != nil && s.ready.Load() {
			s.probe.alive.Add(-1)
		}
	}()
	buf := make([]byte, peek)
	for {
		_, r, err := s.ws.NextReader()
		if err != nil {
			s.ended(err, closing.Load(), errs, slow)
			return
		}
		n, err := io.ReadFull(r, buf)
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = nil // a message shorter than the peek
		}
		if err != nil {
			s.ended(err, closing.Load(), errs, slow)
			return
		}
		s.note(buf[:n], time.Now())
	}
}

func (s *sub) ended(err error, closing bool, errs *tally, slow *atomic.Int64) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		s.closeCode = ce.Code
		if ce.Code == websocket.CloseTryAgainLater {
			slow.Add(1)
		}
	}
	if closing {
		return
	}
	s.lost, s.endedAt, s.endErr = true, time.Now(), err
	if ce != nil {
		errs.add(fmt.Sprintf("live %s: close %d", s.kind, ce.Code))
		return
	}
	errs.add(fmt.Sprintf("live %s: unexpected end: %s", s.kind, errClass(err)))
}

// note handles the start of one message received at at.
func (s *sub) note(head []byte, at time.Time) {
	s.msgs++
	typ := fieldString(head, `"type":"`)
	seq, hasSeq := fieldUint(head, `"seq":`)
	if !s.ready.Load() {
		// The first message is the snapshot (a ticket's has no seq).
		s.snapSeq = seq
		s.lastSeq.Store(seq)
		s.ready.Store(true)
		if s.probe != nil {
			s.probe.alive.Add(1)
		}
		return
	}
	if !hasSeq {
		return // a phone's position update
	}
	if typ == "snapshot" {
		// Settings changed: the stream starts over from this state.
		s.snapshots++
		s.lastSeq.Store(seq)
		return
	}
	s.events++
	if s.kind.branchChannel() {
		if seq != s.lastSeq.Load()+1 {
			s.gaps++
		}
		s.lastSeq.Store(seq)
	}
	if s.probe != nil && (typ == "ticket.called" || typ == "ticket.recalled") {
		s.probe.arrive(seq, at)
	}
}

// fieldString returns the string after key in head, up to its closing
// quote ("" if absent or cut off).
func fieldString(head []byte, key string) string {
	_, rest, ok := bytes.Cut(head, []byte(key))
	if !ok {
		return ""
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return ""
	}
	return string(rest[:end])
}

// fieldUint returns the unsigned number after key in head.
func fieldUint(head []byte, key string) (uint64, bool) {
	_, rest, ok := bytes.Cut(head, []byte(key))
	if !ok {
		return 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end == 0 || end == len(rest) { // no digits, or cut off by the peek
		return 0, false
	}
	n, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	return n, err == nil
}

// probe measures call → last subscriber latency on one latency branch.
// One sample runs at a time: the prober installs it, sends the request
// and waits for every subscriber alive at the start to report the call.
type probe struct {
	t0    time.Time // arrivals are kept as time since t0 (monotonic)
	alive atomic.Int64
	cur   atomic.Pointer[sample]
}

type sample struct {
	min  uint64 // seqs below belong to earlier samples
	want int64
	seq  atomic.Uint64 // the call's seq: set by the first arrival
	got  atomic.Int64
	last atomic.Int64 // the latest arrival, in nanoseconds since probe.t0
	done chan struct{}
}

// arrive records that a subscriber received a call with seq at at. The
// latency branches carry only the prober's calls, so the first call seen
// after the sample started is the sample's.
func (p *probe) arrive(seq uint64, at time.Time) {
	s := p.cur.Load()
	if s == nil || seq < s.min {
		return
	}
	if !s.seq.CompareAndSwap(0, seq) && s.seq.Load() != seq {
		return
	}
	ns := int64(at.Sub(p.t0))
	for {
		old := s.last.Load()
		if ns <= old || s.last.CompareAndSwap(old, ns) {
			break
		}
	}
	if s.got.Add(1) == s.want {
		close(s.done)
	}
}

// subSpec is a subscriber to open.
type subSpec struct {
	kind   Kind
	branch string
	token  string // phones
	probe  *probe
}

// dialer is shared by every subscriber: small buffers keep 19,000
// connections cheap for the tool, which only reads the starts of messages.
func newDialer() *websocket.Dialer {
	return &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 256,
		WriteBufferPool: &sync.Pool{}}
}

// dialError is a failed dial, with the HTTP status when the server
// answered the handshake.
type dialError struct {
	kind   Kind
	status int
	err    error
}

func (e *dialError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("dial %s: status %d: %v", e.kind, e.status, e.err)
	}
	return fmt.Sprintf("dial %s: %v", e.kind, e.err)
}

func (e *dialError) Unwrap() error { return e.err }

// tallyKind is the error-tally kind of the failure.
func (e *dialError) tallyKind() string {
	if e.status != 0 {
		return fmt.Sprintf("dial %s: status %d", e.kind, e.status)
	}
	return fmt.Sprintf("dial %s: %s", e.kind, errClass(e.err))
}

// dial opens one live connection. wsBase is ws://host or wss://host.
func dial(ctx context.Context, d *websocket.Dialer, wsBase string, sp subSpec) (*websocket.Conn, error) {
	path := "/api/v1/branches/" + sp.branch + "/live"
	if sp.kind == KindPhone {
		path = "/api/v1/tickets/" + sp.token + "/live"
	}
	ws, resp, err := d.DialContext(ctx, wsBase+path, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		de := &dialError{kind: sp.kind, err: err}
		if resp != nil {
			de.status = resp.StatusCode
		}
		return nil, de
	}
	return ws, nil
}
