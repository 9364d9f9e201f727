package queue

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestForecastAtMatchesThePlayOfPickAt: with appointments (checked in,
// due or not, and booked ones still to come) and walk-ins, ForecastAt's
// heads and lists give the calls that playing PickAt over everyone who
// has arrived gives, call for call, with each service's time fixed.
func TestForecastAtMatchesThePlayOfPickAt(t *testing.T) {
	base := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).UnixNano()
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 17))
		svcs := []string{"a", "b", "c"}[:1+rng.IntN(3)]
		times := map[string]time.Duration{}
		for _, s := range svcs {
			times[s] = time.Duration(2+rng.IntN(8)) * time.Minute
		}
		var desks []Desk
		for i := range 1 + rng.IntN(3) {
			serves := slices.Clone(svcs)
			rng.Shuffle(len(serves), func(a, b int) { serves[a], serves[b] = serves[b], serves[a] })
			serves = serves[:1+rng.IntN(len(serves))]
			desks = append(desks, Desk{Counter: Counter{ID: string(rune('1' + i)), Serves: serves, Status: CounterOpen},
				Busy: time.Duration(rng.IntN(5)) * time.Minute})
		}
		var all []Candidate
		for id := uint64(1); id <= uint64(5+rng.IntN(25)); id++ {
			c := Candidate{ID: id, Service: svcs[rng.IntN(len(svcs))], Seq: int(id),
				IssuedAt: base - int64(rng.IntN(40))*int64(time.Minute)}
			switch rng.IntN(5) {
			case 0:
				c.Priority = true
			case 1: // checked in, its slot past or to come
				c.Due = base + int64(rng.IntN(9)-3)*int64(5*time.Minute)
			case 2: // booked, to arrive at its slot
				c.Arrive = time.Duration(1+rng.IntN(12)) * 5 * time.Minute
				c.Due = base + int64(c.Arrive)
				c.IssuedAt = c.Due
				c.ID += 1 << 40
			}
			all = append(all, c)
		}
		p := Policy{K: 1 + rng.IntN(3), N: 1 + rng.IntN(3), Now: base, Target: func(string) time.Duration { return 10 * time.Minute }}
		st := func(s string) time.Duration { return times[s] }
		got := ForecastAt(all, desks, p, st)

		// The play: the desk that frees first calls, from everyone
		// arrived; with nobody for it, it waits for the next arrival.
		type desk struct {
			c    Counter
			free time.Duration
		}
		var ds []*desk
		for _, d := range desks {
			ds = append(ds, &desk{c: d.Counter, free: d.Busy})
		}
		left := slices.Clone(all)
		want := map[uint64]time.Duration{}
		for len(ds) > 0 {
			i := 0
			for j, d := range ds {
				if d.free < ds[i].free {
					i = j
				}
			}
			d := ds[i]
			var here []Candidate
			next, later := time.Duration(0), false
			for _, c := range left {
				if !d.c.ServesService(c.Service) {
					continue
				}
				if c.Arrive <= d.free {
					here = append(here, c)
				} else if !later || c.Arrive < next {
					next, later = c.Arrive, true
				}
			}
			pol := p
			pol.Now = base + int64(d.free)
			pick, s, ok := PickAt(d.c, pol, here)
			if !ok {
				if !later {
					ds = slices.Delete(ds, i, i+1)
				} else {
					d.free = next
				}
				continue
			}
			left = slices.DeleteFunc(left, func(c Candidate) bool { return c.ID == pick.ID })
			if pick.Arrive == 0 {
				want[pick.ID] = d.free
			}
			d.c.PriorityStreak, d.c.ApptStreak = s.Priority, s.Appt
			d.free += st(pick.Service)
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d forecast, %d played", seed, len(got), len(want))
		}
		for id, w := range want {
			if got[id] != w {
				t.Fatalf("seed %d: ticket %d called at +%v in the play, forecast +%v", seed, id, w, got[id])
			}
		}
	}
}
