// Package nettest has network helpers for tests.
package nettest

import (
	"net"
	"testing"
)

// ClosedAddr returns an address on 127.0.0.1 where nothing listens: a port
// that was free a moment ago and has just been closed again.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
