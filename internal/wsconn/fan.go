package wsconn

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// fanShard is the least number of connections worth a shard of their own:
// below it, starting a goroutine costs more than the writes it shares.
const fanShard = 256

// Fan sends ms to every connection in conns, spread over the machine's
// cores: each shard goes through its connections in turn, writing to each
// without waiting (Enqueue), and drops the ones that cannot keep up. It
// returns once every connection has had ms (written, or queued for its
// writer), and how many messages went to connections.
func Fan(conns []*Conn, ms []Msg) int {
	if len(ms) == 0 || len(conns) == 0 {
		return 0
	}
	shards := min(runtime.GOMAXPROCS(0), (len(conns)+fanShard-1)/fanShard)
	if shards <= 1 {
		return fanSome(conns, ms)
	}
	var sent atomic.Int64
	var wg sync.WaitGroup
	per := (len(conns) + shards - 1) / shards
	for lo := 0; lo < len(conns); lo += per {
		part := conns[lo:min(lo+per, len(conns))]
		wg.Go(func() { sent.Add(int64(fanSome(part, ms))) })
	}
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
