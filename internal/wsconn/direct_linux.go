//go:build linux

package wsconn

import (
	"errors"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// direct reports whether frames can be written straight from the caller's
// goroutine, without waiting, on this system.
const direct = true

// sendFlags make a direct write never block (the writer goroutine waits on
// a full socket, not the broadcast) and never raise SIGPIPE.
const sendFlags = unix.MSG_DONTWAIT | unix.MSG_NOSIGNAL

// rawWrite writes c.wbufs to the socket as far as it takes them at once:
// RawConn.Control's callback, kept in c.writeFn so that the broadcast path
// allocates nothing per connection.
//
// A broadcast is ten thousand of these in a row, and each costs what its
// path touches: so it is send(2) (sendmsg(2) for several frames), which
// goes to the socket layer straight where write(2) goes through the file
// layer's position lock and hooks first; a raw system call, as it never
// blocks, without telling the scheduler; and under Control, which only
// holds the descriptor open, where RawConn.Write would also take the
// write lock and arm the poller for a wait that never comes. Nothing else
// writes meanwhile: a direct write happens under c.mu with no writer
// running, and the writer is the socket's only other writer.
func (c *Conn) rawWrite(fd uintptr) {
	if len(c.wbufs) != 1 {
		c.wn, c.werr = unix.SendmsgBuffers(int(fd), c.wbufs, nil, nil, sendFlags)
		return
	}
	b := c.wbufs[0]
	if len(b) == 0 {
		c.wn, c.werr = 0, nil
		return
	}
	n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), sendFlags, 0, 0)
	c.wn, c.werr = int(n), nil
	if e != 0 {
		c.wn, c.werr = -1, e
	}
}

// writeNow writes bufs without waiting; it returns the bytes written, and
// whether the socket was full (EAGAIN) before all went.
func (c *Conn) writeNow(bufs [][]byte) (n int, full bool, err error) {
	c.wbufs = bufs
	rerr := c.wrc.Control(c.writeFn)
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
