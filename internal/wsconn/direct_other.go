//go:build !linux

package wsconn

import "syscall"

// direct is false where writes go through the writer goroutine only.
const direct = false

func (c *Conn) rawWrite(uintptr) {}

func (c *Conn) writeNow([][]byte) (int, bool, error) { return 0, true, nil }

func rawConnOf(any) syscall.RawConn { return nil }
