//go:build linux

package wsconn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"syscall"

	"github.com/gorilla/websocket"
	"golang.org/x/sys/unix"
)

// epollReader reads every connection from one goroutine: the sockets are
// watched by an epoll instance of its own (level-triggered; Go's poller
// watches them too, harmlessly, as nobody waits on it) and read without
// blocking when they have something.
type epollReader struct {
	log  *slog.Logger
	epfd int
	wake int // an eventfd that ends the loop

	mu     sync.Mutex
	conns  map[int32]*Conn // by socket descriptor
	closed bool

	done chan struct{}
}

// newReader returns the epoll reader, or goroutines if epoll is refused.
func newReader(log *slog.Logger) connReader {
	r, err := newEpollReader(log)
	if err != nil {
		log.Warn("live: epoll unavailable, one reader goroutine per connection", "err", err)
		return goReader{}
	}
	return r
}

func newEpollReader(log *slog.Logger) (*epollReader, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wake)}); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	r := &epollReader{log: log, epfd: epfd, wake: wake, conns: map[int32]*Conn{}, done: make(chan struct{})}
	go r.loop()
	return r, nil
}

func (r *epollReader) add(c *Conn) error {
	sc, ok := c.ws.UnderlyingConn().(syscall.Conn)
	if !ok {
		// Not a plain socket (TLS, say): its bytes are not the frames.
		return goReader{}.add(c)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var added error
	// Inside Control the descriptor cannot be closed (and reused) under us.
	err = rc.Control(func(fd uintptr) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.closed {
			added = errors.New("live: reader closed")
			return
		}
		c.rc, c.fd = rc, int32(fd)
		r.conns[c.fd] = c
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: c.fd}
		if added = unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev); added != nil {
			delete(r.conns, c.fd)
		}
	})
	return errors.Join(err, added)
}

// remove forgets c. Its descriptor may already be closed, and its number
// then reused by a newer connection, which must stay.
func (r *epollReader) remove(c *Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.rc == nil || r.conns[c.fd] != c || r.closed {
		return // gone already; after close, epfd may be another file's number
	}
	delete(r.conns, c.fd)
	_ = c.rc.Control(func(fd uintptr) {
		_ = unix.EpollCtl(r.epfd, unix.EPOLL_CTL_DEL, int(fd), nil)
	})
}

func (r *epollReader) close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	var one [8]byte // an eventfd takes a host-order uint64
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(r.wake, one[:])
	<-r.done
	unix.Close(r.epfd)
	unix.Close(r.wake)
}

func (r *epollReader) loop() {
	defer close(r.done)
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 16<<10)
	for {
		n, err := unix.EpollWait(r.epfd, events, -1)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			r.log.Error("live: epoll_wait", "err", err)
			return
		}
		for _, ev := range events[:n] {
			if ev.Fd == int32(r.wake) {
				return
			}
			r.mu.Lock()
			c := r.conns[ev.Fd]
			r.mu.Unlock()
			if c != nil {
				r.read(c, buf)
			}
		}
	}
}

// read reads what c has, up to a buffer's worth (level-triggered epoll
// comes back for the rest), and ends c on end of stream or error.
func (r *epollReader) read(c *Conn, buf []byte) {
	var n int
	var rerr error
	err := c.rc.Read(func(fd uintptr) bool {
		n, rerr = unix.Read(int(fd), buf)
		return true // never wait: epoll said it is readable
	})
	switch {
	case err != nil:
	case errors.Is(rerr, unix.EAGAIN) || errors.Is(rerr, unix.EINTR):
		return // nothing after all
	case rerr == nil && n > 0:
		if c.consume(buf[:n]) {
			return
		}
	}
	// The end: stop watching now, as a level-triggered descriptor at end of
	// stream would be reported again and again until closed.
	r.remove(c)
	c.Kick(websocket.CloseAbnormalClosure, "")
}
