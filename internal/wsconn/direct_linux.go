//go:build linux

package wsconn

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// direct reports whether frames can be written straight from the caller's
// goroutine, without waiting, on this system.
const direct = true

// rawWrite writes c.wbufs to the socket as far as it takes them at once:
// RawConn.Write's callback, kept in c.writeFn so that the broadcast path
// allocates nothing per connection.
func (c *Conn) rawWrite(fd uintptr) bool {
	if len(c.wbufs) == 1 {
		c.wn, c.werr = unix.Write(int(fd), c.wbufs[0])
	} else {
		c.wn, c.werr = unix.Writev(int(fd), c.wbufs)
	}
	return true // never wait: a full socket is the writer goroutine's to wait on
}

// writeNow writes bufs without waiting; it returns the bytes written, and
// whether the socket was full (EAGAIN) before all went.
func (c *Conn) writeNow(bufs [][]byte) (n int, full bool, err error) {
	c.wbufs = bufs
	rerr := c.rc.Write(c.writeFn)
	n, err = c.wn, c.werr
	c.wbufs = nil
	switch {
	case rerr != nil:
		return 0, false, rerr
	case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
		return 0, true, nil
	case err != nil:
		return 0, false, err
	}
	return max(n, 0), false, nil
}

// rawConn returns the socket under ws, or nil when it is not a plain one
// (TLS in the process): such a connection is written by its goroutine.
func rawConnOf(conn any) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
