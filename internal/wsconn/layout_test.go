package wsconn

import (
	"testing"
	"unsafe"
)

// TestBroadcastFieldsShareThreeCacheLines keeps the fields a broadcast
// touches at the head of Conn: a field added among them, or one of them
// moved away, costs every connection of every broadcast a cache miss.
func TestBroadcastFieldsShareThreeCacheLines(t *testing.T) {
	var c Conn
	end := unsafe.Offsetof(c.partial) + unsafe.Sizeof(c.partial)
	if end > 3*64 {
		t.Fatalf("the broadcast's fields end at byte %d of Conn, past its third cache line", end)
	}
	for name, off := range map[string]uintptr{
		"set": unsafe.Offsetof(c.set), "mu": unsafe.Offsetof(c.mu), "queue": unsafe.Offsetof(c.queue),
		"wrc": unsafe.Offsetof(c.wrc), "writeFn": unsafe.Offsetof(c.writeFn), "wbufs": unsafe.Offsetof(c.wbufs),
		"werr": unsafe.Offsetof(c.werr), "lastSeq": unsafe.Offsetof(c.lastSeq),
	} {
		if off >= end {
			t.Errorf("%s is at byte %d, after partial: outside the broadcast's lines", name, off)
		}
	}
}
