package display

import "github.com/seira-queue/seira/internal/wsconn"

// subSet is a branch's subscribers as a list: a broadcast copies their
// connections in one pass over one array, where walking a map of ten
// thousand clients, and each client's struct for its connection, cost it a
// cache miss or two per subscriber. Order means nothing: a removal moves
// the last one into the gap.
type subSet struct {
	clients []*client
	conns   []*wsconn.Conn // conns[i] is clients[i].conn
	at      map[*client]int
}

func (s *subSet) add(c *client) {
	if s.at == nil {
		s.at = map[*client]int{}
	}
	if _, ok := s.at[c]; ok {
		return
	}
	s.at[c] = len(s.clients)
	s.clients = append(s.clients, c)
	s.conns = append(s.conns, c.conn)
}

// remove forgets c, and reports whether it was there.
func (s *subSet) remove(c *client) bool {
	i, ok := s.at[c]
	if !ok {
		return false
	}
	last := len(s.clients) - 1
	if i != last {
		moved := s.clients[last]
		s.clients[i], s.conns[i] = moved, s.conns[last]
		s.at[moved] = i
	}
	s.clients[last], s.conns[last] = nil, nil // let them go
	s.clients, s.conns = s.clients[:last], s.conns[:last]
	delete(s.at, c)
	return true
}

func (s *subSet) len() int { return len(s.clients) }
