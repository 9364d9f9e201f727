package display

import (
	"math/rand/v2"
	"testing"

	"github.com/seira-queue/seira/internal/wsconn"
)

// TestSubSetKeepsClientsAndConnsTogether adds and removes clients at random
// and checks the list against a plain set after every step: each client
// once, its own connection beside it, and its index right.
func TestSubSetKeepsClientsAndConnsTogether(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var pool []*client
	for range 50 {
		pool = append(pool, &client{conn: &wsconn.Conn{}})
	}
	var s subSet
	want := map[*client]bool{}
	for step := range 2000 {
		c := pool[rng.IntN(len(pool))]
		if rng.IntN(2) == 0 {
			s.add(c)
			want[c] = true
		} else if got := s.remove(c); got != want[c] {
			t.Fatalf("step %d: remove reported %v for a client present: %v", step, got, want[c])
		} else {
			delete(want, c)
		}
		if s.len() != len(want) || len(s.conns) != len(want) || len(s.at) != len(want) {
			t.Fatalf("step %d: %d clients, %d conns, %d indexed; want %d", step, s.len(), len(s.conns), len(s.at), len(want))
		}
		for i, c := range s.clients {
			if !want[c] || s.conns[i] != c.conn || s.at[c] != i {
				t.Fatalf("step %d: entry %d out of step (wanted %v, conn matches %v, index %d)", step, i, want[c], s.conns[i] == c.conn, s.at[c])
			}
		}
	}
}
