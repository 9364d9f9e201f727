package wsconn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// fanShard is the least number of connections worth a shard of their own:
// below it, starting a goroutine costs more than the writes it shares.
const fanShard = 256

// fanChunk is how many connections a shard takes from the list at a time.
// Shards that each took a fixed part finished apart: the clients' and the
// other processes' threads preempt one core more than the other, and the
// last subscriber waited for the slower part while the other core idled.
// Taking small chunks in turn keeps both busy to the end; a chunk is large
// enough that the shared counter costs nothing beside its writes.
const fanChunk = 64

// Fan sends ms to every connection in conns, spread over the machine's
// cores: each shard takes the next chunk of connections in turn, writes to
// each without waiting (Enqueue), and drops the ones that cannot keep up.
// It returns once every connection has had ms (written, or queued for its
// writer), and how many messages went to connections.
func Fan(conns []*Conn, ms []Msg) int {
	if len(ms) == 0 || len(conns) == 0 {
		return 0
	}
	shards := min(runtime.GOMAXPROCS(0), (len(conns)+fanShard-1)/fanShard)
	if shards <= 1 {
		return fanSome(conns, ms)
	}
	var next, sent atomic.Int64
	share := func() {
		n := 0
		for {
			hi := int(next.Add(fanChunk))
			lo := hi - fanChunk
			if lo >= len(conns) {
				break
			}
			n += fanSome(conns[lo:min(hi, len(conns))], ms)
		}
		sent.Add(int64(n))
	}
	var wg sync.WaitGroup
	for range shards - 1 {
		wg.Go(share)
	}
	share() // the caller is one of the shards
	wg.Wait()
	return int(sent.Load())
}

func fanSome(conns []*Conn, ms []Msg) int {
	sent := 0
	for _, c := range conns {
		if c.Enqueue(ms) {
			sent += len(ms)
		} else {
			c.Drop()
		}
	}
	return sent
}
