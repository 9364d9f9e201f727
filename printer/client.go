package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Defaults for a zero Client.
const (
	DefaultDialTimeout  = 3 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Client sends jobs to network printers. The zero Client is ready to use.
type Client struct {
	// DialTimeout bounds connecting, name lookup included
	// (DefaultDialTimeout when 0).
	DialTimeout time.Duration
	// WriteTimeout bounds sending the whole job (DefaultWriteTimeout when
	// 0). A printer that stops reading, out of paper with a full buffer
	// say, fails the print when it passes.
	WriteTimeout time.Duration
	// StatusTimeout, when positive, makes Print first ask the printer for
	// its status (DLE EOT 1 and 4) and wait this long for the answer; a
	// printer that reports being offline or out of paper fails with a
	// *StatusError and the job is not sent. A printer that does not answer
	// in time, or answers nonsense, is printed to as usual. 0 skips the
	// question; 500ms suits a LAN.
	StatusTimeout time.Duration
}

// StatusError is a printer's report that it cannot print now.
type StatusError struct {
	Addr     string
	Offline  bool // the printer is offline: cover open, paper out, or an error
	PaperOut bool // the paper roll sensor reports the paper end
}

func (e *StatusError) Error() string {
	var what []string
	if e.PaperOut {
		what = append(what, "out of paper")
	}
	if e.Offline {
		what = append(what, "offline")
	}
	return fmt.Sprintf("printer %s is %s", e.Addr, strings.Join(what, " and "))
}

// statusQuery asks, in real time even while the printer is busy or offline,
// for the printer status (DLE EOT 1) and the roll paper status (DLE EOT 4).
const statusQuery = "\x10\x04\x01\x10\x04\x04"

// Print sends job to the printer at addr (host:port; a bare host gets port
// 9100) and returns once the job is handed to the network, or with an error
// when the printer cannot be reached, reports a problem, or does not take
// the job in time. It never blocks past ctx, DialTimeout and WriteTimeout
// (plus StatusTimeout).
func (c Client) Print(ctx context.Context, addr string, job []byte) error {
	addr, err := normalizeAddr(addr)
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: positive(c.DialTimeout, DefaultDialTimeout)}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("printer %s unreachable: %w", addr, err)
	}
	defer conn.Close()
	// Cancelling ctx unblocks any read or write in progress.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	drain := false
	if c.StatusTimeout > 0 {
		st, unread, err := c.status(ctx, conn, addr)
		if err != nil {
			return err
		}
		if st != nil {
			return st
		}
		drain = unread
	}

	writeTimeout := positive(c.WriteTimeout, DefaultWriteTimeout)
	if err := c.setDeadline(ctx, conn, writeTimeout); err != nil {
		return fmt.Errorf("printer %s: %w", addr, err)
	}
	if _, err := conn.Write(job); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("printer %s: sending ticket: %w", addr, context.Cause(ctx))
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("printer %s did not take the ticket within %s: %w", addr, writeTimeout, err)
		}
		return fmt.Errorf("printer %s: sending ticket: %w", addr, err)
	}
	// Half-close so that the printer sees the end of the job.
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		if drain {
			// More bytes may be on their way; closing with unread
			// data would reset the connection and could drop the
			// job, so read until the printer closes, briefly.
			_ = conn.SetReadDeadline(time.Now().Add(c.StatusTimeout))
			_, _ = io.Copy(io.Discard, conn)
		}
	}
	return nil
}

// status asks for the printer's status. It returns a *StatusError when the
// printer reports a problem, and whether more unread bytes may follow: the
// printer was slow, or said something other than two status bytes.
// A silent printer or one answering bytes that are not status bytes is no
// error: many network printers do not implement DLE EOT.
func (c Client) status(ctx context.Context, conn net.Conn, addr string) (*StatusError, bool, error) {
	if err := c.setDeadline(ctx, conn, c.StatusTimeout); err != nil {
		return nil, false, fmt.Errorf("printer %s: %w", addr, err)
	}
	if _, err := conn.Write([]byte(statusQuery)); err != nil {
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("printer %s: asking status: %w", addr, context.Cause(ctx))
		}
		return nil, false, fmt.Errorf("printer %s: asking status: %w", addr, err)
	}
	var ans [2]byte
	n, err := io.ReadFull(conn, ans[:])
	if ctx.Err() != nil {
		return nil, false, fmt.Errorf("printer %s: asking status: %w", addr, context.Cause(ctx))
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, io.ErrUnexpectedEOF) {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, false, fmt.Errorf("printer %s closed the connection: %w", addr, err)
		}
		return nil, false, fmt.Errorf("printer %s: asking status: %w", addr, err)
	}
	// Status bytes have bits 1 and 4 set and bits 0 and 7 clear; anything
	// else is not an answer to our question, and is ignored.
	unread := n < 2 || !isStatusByte(ans[0]) || !isStatusByte(ans[1])
	st := &StatusError{Addr: addr}
	if n >= 1 && isStatusByte(ans[0]) {
		st.Offline = ans[0]&0x08 != 0
		if n >= 2 && isStatusByte(ans[1]) {
			st.PaperOut = ans[1]&0x60 == 0x60
		}
	}
	if st.Offline || st.PaperOut {
		return st, unread, nil
	}
	return nil, unread, nil
}

func isStatusByte(b byte) bool { return b&0x93 == 0x12 }

// setDeadline sets the connection's deadline to timeout from now, or ctx's
// deadline if that is sooner.
func (c Client) setDeadline(ctx context.Context, conn net.Conn, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	dl := time.Now().Add(timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	return conn.SetDeadline(dl)
}

func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
