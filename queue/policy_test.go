package queue

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPickPrefersPriorityUpToTheCap(t *testing.T) {
	c := Counter{ID: "1", Serves: []string{"a", "b"}}
	reg := Candidate{ID: 1, Service: "a", IssuedAt: 10, Seq: 1}
	pri := Candidate{ID: 2, Service: "b", Priority: true, IssuedAt: 20, Seq: 1}
	for streak := range 5 {
		c.PriorityStreak = streak
		got, next, ok := Pick(c, 3, []Candidate{reg, pri})
		if !ok {
			t.Fatal("nobody picked")
		}
		if streak < 3 && (got != pri || next != streak+1) {
			t.Errorf("streak %d: got %+v next %d, want the priority ticket", streak, got, next)
		}
		if streak >= 3 && (got != reg || next != 0) {
			t.Errorf("streak %d: got %+v next %d, want the regular ticket", streak, got, next)
		}
	}
	// With no regular ticket waiting, the cap does not apply and the streak
	// does not grow.
	c.PriorityStreak = 3
	if got, next, _ := Pick(c, 3, []Candidate{pri}); got != pri || next != 0 {
		t.Errorf("only priority waiting: got %+v next %d", got, next)
	}
}

func TestPickOrder(t *testing.T) {
	c := Counter{ID: "1", Serves: []string{"b", "a"}}
	older := Candidate{ID: 5, Service: "a", IssuedAt: 10, Seq: 7}
	newer := Candidate{ID: 1, Service: "b", IssuedAt: 11, Seq: 1}
	if got, _, _ := Pick(c, 3, []Candidate{newer, older}); got != older {
		t.Errorf("longest wait should win across services, got %+v", got)
	}
	tieA := Candidate{ID: 1, Service: "a", IssuedAt: 10, Seq: 1}
	tieB := Candidate{ID: 2, Service: "b", IssuedAt: 10, Seq: 9}
	if got, _, _ := Pick(c, 3, []Candidate{tieA, tieB}); got != tieB {
		t.Errorf("a tie should go to the counter's first service, got %+v", got)
	}
	tie1 := Candidate{ID: 4, Service: "a", IssuedAt: 10, Seq: 2}
	if got, _, _ := Pick(c, 3, []Candidate{tie1, tieA}); got != tieA {
		t.Errorf("a tie within a service should go to the lower number, got %+v", got)
	}
	other := Candidate{ID: 9, Service: "z", IssuedAt: 1, Priority: true}
	if _, _, ok := Pick(c, 3, []Candidate{other}); ok {
		t.Error("picked a ticket of a service the counter does not serve")
	}
}

// model plays random days against the policy the way the engine does: the
// policy sees only the head of each (service, class) list, as storage gives
// it, and the test checks the properties DESIGN.md promises against the full
// list.
type model struct {
	t        *testing.T
	rng      *rand.Rand
	k        int
	services []string
	counters []Counter
	waiting  map[uint64]Candidate
	called   map[uint64]int // calls per ticket
	moved    map[uint64]int // transfers per ticket
	// regularRun counts priority calls in a row at a counter while a
	// regular ticket of its services waited.
	regularRun map[string]int
	nextID     uint64
	clock      int64
	seqs       map[string]int
}

func newModel(t *testing.T, seed uint64) *model {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	m := &model{t: t, rng: rng, k: 1 + rng.IntN(4), services: []string{"a", "b", "c", "d"},
		waiting: map[uint64]Candidate{}, called: map[uint64]int{}, moved: map[uint64]int{},
		regularRun: map[string]int{}, seqs: map[string]int{}}
	for i := range 1 + rng.IntN(5) {
		serves := slices.Clone(m.services)
		rng.Shuffle(len(serves), func(a, b int) { serves[a], serves[b] = serves[b], serves[a] })
		serves = serves[:1+rng.IntN(len(serves))]
		m.counters = append(m.counters, Counter{ID: fmt.Sprint(i + 1), Serves: serves, Status: CounterOpen})
	}
	return m
}

func (m *model) issue() {
	m.nextID++
	m.clock += int64(m.rng.IntN(3)) // equal issue times happen and must tie-break
	svc := m.services[m.rng.IntN(len(m.services))]
	m.seqs[svc]++
	m.waiting[m.nextID] = Candidate{ID: m.nextID, Service: svc, Priority: m.rng.IntN(4) == 0, IssuedAt: m.clock, Seq: m.seqs[svc]}
}

// heads returns the first of each (service, class) list in storage order.
func (m *model) heads() []Candidate {
	first := map[string]Candidate{}
	for _, w := range m.waiting {
		key := fmt.Sprint(w.Service, w.Priority)
		if h, ok := first[key]; !ok || storageOrder(w, h) < 0 {
			first[key] = w
		}
	}
	var hs []Candidate
	for _, h := range first {
		hs = append(hs, h)
	}
	m.rng.Shuffle(len(hs), func(a, b int) { hs[a], hs[b] = hs[b], hs[a] })
	return hs
}

// storageOrder is the order of storage's waiting keys within one list.
func storageOrder(a, b Candidate) int {
	return cmp.Or(cmp.Compare(a.IssuedAt, b.IssuedAt), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
}

func (m *model) all() []Candidate {
	var list []Candidate
	for _, w := range m.waiting {
		list = append(list, w)
	}
	return list
}

// call runs call-next at counter i and checks every property of the pick.
func (m *model) call(i int) (Candidate, bool) {
	c := &m.counters[i]
	got, streak, ok := Pick(*c, m.k, m.heads())
	full, fullStreak, fullOK := Pick(*c, m.k, m.all())
	if got != full || streak != fullStreak || ok != fullOK {
		m.t.Fatalf("heads-only pick %+v/%d/%v differs from the full-list pick %+v/%d/%v", got, streak, ok, full, fullStreak, fullOK)
	}
	regularWaits, priorityWaits := false, false
	for _, w := range m.waiting {
		if c.ServesService(w.Service) {
			regularWaits = regularWaits || !w.Priority
			priorityWaits = priorityWaits || w.Priority
		}
	}
	if !ok {
		if regularWaits || priorityWaits {
			m.t.Fatalf("counter %s called nobody while its services had tickets waiting", c.ID)
		}
		return got, false
	}
	if _, waiting := m.waiting[got.ID]; !waiting {
		m.t.Fatalf("picked ticket %d that is not waiting", got.ID)
	}
	if !c.ServesService(got.Service) {
		m.t.Fatalf("counter %s picked a ticket of %s", c.ID, got.Service)
	}
	// FIFO within the class, across the counter's services.
	for _, w := range m.waiting {
		if w.Priority == got.Priority && c.ServesService(w.Service) && c.Compare(w, got) < 0 {
			m.t.Fatalf("counter %s picked %+v before the longer-waiting %+v", c.ID, got, w)
		}
	}
	// Priority first, within the cap.
	switch {
	case got.Priority && regularWaits:
		m.regularRun[c.ID]++
		if m.regularRun[c.ID] > m.k {
			m.t.Fatalf("counter %s made %d priority calls in a row while regular tickets waited (K=%d)", c.ID, m.regularRun[c.ID], m.k)
		}
	case got.Priority:
		m.regularRun[c.ID] = 0
	default:
		if priorityWaits && c.PriorityStreak < m.k {
			m.t.Fatalf("counter %s called a regular ticket with priority waiting and streak %d < K", c.ID, c.PriorityStreak)
		}
		m.regularRun[c.ID] = 0
	}
	c.PriorityStreak = streak
	delete(m.waiting, got.ID)
	m.called[got.ID]++
	if m.called[got.ID] > m.moved[got.ID]+1 {
		m.t.Fatalf("ticket %d called %d times with %d transfers", got.ID, m.called[got.ID], m.moved[got.ID])
	}
	return got, true
}

func (m *model) step() {
	switch r := m.rng.IntN(10); {
	case r < 5:
		m.issue()
	case r < 9:
		got, ok := m.call(m.rng.IntN(len(m.counters)))
		if ok && m.rng.IntN(10) == 0 {
			// Transfer: back to waiting in another service, same number and
			// issue time.
			got.Service = m.services[m.rng.IntN(len(m.services))]
			m.moved[got.ID]++
			m.waiting[got.ID] = got
		}
	default:
		for id := range m.waiting {
			delete(m.waiting, id) // cancel
			break
		}
	}
}

func TestPolicyProperties(t *testing.T) {
	for seed := range uint64(300) {
		m := newModel(t, seed)
		for range 400 {
			m.step()
		}
		// No one starves: with arrivals stopped, the counters empty every
		// queue they serve.
		for progress := true; progress; {
			progress = false
			for i := range m.counters {
				if _, ok := m.call(i); ok {
					progress = true
				}
			}
		}
		served := map[string]bool{}
		for _, c := range m.counters {
			for _, s := range c.Serves {
				served[s] = true
			}
		}
		for _, w := range m.waiting {
			if served[w.Service] {
				t.Fatalf("seed %d: ticket %+v was never called", seed, w)
			}
		}
	}
}

// TestRegularTicketsAreNotStarvedByPriority floods a counter with priority
// tickets: a regular ticket is still called within K+1 calls per regular
// ticket ahead of it.
func TestRegularTicketsAreNotStarvedByPriority(t *testing.T) {
	for k := 1; k <= 4; k++ {
		m := newModel(t, uint64(k))
		m.k = k
		m.counters = []Counter{{ID: "1", Serves: []string{"a"}, Status: CounterOpen}}
		m.services = []string{"a"}
		var regular []uint64
		for range 5 {
			m.issue()
			w := m.waiting[m.nextID]
			w.Priority, w.Service = false, "a"
			m.waiting[w.ID] = w
			regular = append(regular, w.ID)
		}
		calls := 0
		for len(regular) > 0 {
			// Two new priority tickets arrive before every call.
			for range 2 {
				m.issue()
				w := m.waiting[m.nextID]
				w.Priority, w.Service = true, "a"
				m.waiting[w.ID] = w
			}
			got, ok := m.call(0)
			if !ok {
				t.Fatal("nobody called")
			}
			calls++
			if !got.Priority {
				if got.ID != regular[0] {
					t.Fatalf("regular tickets out of order: %d before %d", got.ID, regular[0])
				}
				regular = regular[1:]
			}
			if limit := (k + 1) * (5 - len(regular) + 1); len(regular) > 0 && calls > limit {
				t.Fatalf("K=%d: %d calls and regular ticket %d still waits", k, calls, regular[0])
			}
		}
	}
}
