package linearize

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// Histories in these tests use a millisecond clock from t0.
var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// tk is the ticket id of daily number n in hand-written histories: distinct
// from n, to catch a mix-up of the two.
func tk(n int) uint64 { return uint64(1000 + n) }

func iss(client, call, ret, n int) Op {
	return Op{Client: client, Queue: "q", Kind: Issue, Call: at(call), Return: at(ret), Number: n, Ticket: tk(n)}
}

// cal calls ticket t (0: nobody waiting).
func cal(client, call, ret int, t uint64) Op {
	return Op{Client: client, Queue: "q", Kind: Call, Call: at(call), Return: at(ret), Ticket: t}
}

func ambIss(client, call, ret int) Op {
	return Op{Client: client, Queue: "q", Kind: Issue, Call: at(call), Return: at(ret), Ambiguous: true}
}

func ambCal(client, call, ret int) Op {
	return Op{Client: client, Queue: "q", Kind: Call, Call: at(call), Return: at(ret), Ambiguous: true}
}

func expect(t *testing.T, name string, ops []Op, ok bool) {
	t.Helper()
	res := Check(ops, 10*time.Second)
	if res.Err != nil {
		t.Fatalf("%s: %v", name, res.Err)
	}
	if res.Unknown {
		t.Fatalf("%s: timed out", name)
	}
	if res.OK != ok {
		t.Errorf("%s: linearizable = %v, want %v", name, res.OK, ok)
	}
}

func TestSequential(t *testing.T) {
	ops := []Op{
		iss(0, 0, 1, 1), iss(1, 2, 3, 2), cal(2, 4, 5, tk(1)), iss(0, 6, 7, 3),
		cal(3, 8, 9, tk(2)), cal(2, 10, 11, tk(3)), cal(3, 12, 13, 0),
	}
	res := Check(ops, 10*time.Second)
	if !res.OK || res.Ops != len(ops) || res.Partitions != 1 {
		t.Fatalf("got %+v, want OK over %d ops in 1 partition", res, len(ops))
	}
}

// TestConcurrent: the order of overlapping ops is the checker's to choose,
// and here only one order works; it is not the order of the calls.
func TestConcurrent(t *testing.T) {
	ops := []Op{
		iss(0, 0, 10, 2),      // drawn second though invoked first
		iss(1, 1, 5, 1),       // …
		cal(2, 2, 12, tk(1)),  // overlaps both issues
		cal(3, 3, 4, 0),       // empty: only before issue 1 took effect
		cal(4, 13, 14, tk(2)), // …
		cal(4, 15, 16, 0),     // the line is empty again
		iss(5, 15, 20, 3),     // concurrent with the empty call
		cal(3, 17, 25, tk(3)), // …
		iss(1, 18, 19, 4),     // …
		cal(2, 21, 22, tk(4)), // after ticket 3's call, still running
		cal(0, 30, 31, 0),
	}
	expect(t, "concurrent", ops, true)
}

// TestViolations: each broken history fails; its near miss next to it, as
// close as a correct system allows, passes.
func TestViolations(t *testing.T) {
	cases := []struct {
		name      string
		bad, good []Op
	}{{
		name: "two calls return the same ticket",
		bad:  []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 5, tk(1)), cal(2, 6, 7, tk(1))},
		good: []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 5, tk(1)), cal(2, 6, 7, tk(2))},
	}, {
		name: "concurrent calls return the same ticket",
		bad:  []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 9, tk(1)), cal(2, 5, 8, tk(1))},
		good: []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 9, tk(2)), cal(2, 5, 8, tk(1))},
	}, {
		name: "an issue skips a number",
		bad:  []Op{iss(0, 0, 1, 1), iss(1, 2, 3, 3)},
		good: []Op{iss(0, 0, 1, 1), iss(1, 2, 3, 2)},
	}, {
		name: "two issues draw the same number",
		bad:  []Op{iss(0, 0, 5, 1), {Client: 1, Queue: "q", Kind: Issue, Call: at(1), Return: at(4), Number: 1, Ticket: 7}},
		good: []Op{iss(0, 0, 5, 1), iss(1, 1, 4, 2)},
	}, {
		name: "one ticket id under two numbers, called twice",
		bad: []Op{
			{Queue: "q", Kind: Issue, Call: at(0), Return: at(1), Number: 1, Ticket: 5},
			{Queue: "q", Kind: Issue, Call: at(2), Return: at(3), Number: 2, Ticket: 5},
			cal(1, 4, 5, 5), cal(1, 6, 7, 5),
		},
		good: []Op{
			{Queue: "q", Kind: Issue, Call: at(0), Return: at(1), Number: 1, Ticket: 5},
			{Queue: "q", Kind: Issue, Call: at(2), Return: at(3), Number: 2, Ticket: 6},
			cal(1, 4, 5, 5), cal(1, 6, 7, 6),
		},
	}, {
		name: "numbers do not start at 1",
		bad:  []Op{iss(0, 0, 1, 2)},
		good: []Op{iss(0, 0, 1, 1)},
	}, {
		name: "a younger ticket is called while an older waits",
		bad:  []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 5, tk(2))},
		good: []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 5, tk(1))},
	}, {
		name: "the second of two sequential calls gets the older ticket",
		bad:  []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 5, tk(2)), cal(2, 6, 7, tk(1))},
		good: []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 7, tk(2)), cal(2, 5, 6, tk(1))},
	}, {
		name: "empty while a ticket acknowledged before the call waits",
		bad:  []Op{iss(0, 0, 1, 1), cal(1, 2, 3, 0)},
		good: []Op{iss(0, 0, 3, 1), cal(1, 1, 2, 0)}, // the issue had not returned
	}, {
		name: "a ticket called before it was issued",
		bad:  []Op{cal(1, 0, 1, tk(1)), iss(0, 2, 3, 1)},
		good: []Op{cal(1, 0, 3, tk(1)), iss(0, 1, 2, 1)},
	}, {
		name: "a ticket nobody drew is called",
		bad:  []Op{iss(0, 0, 1, 1), cal(1, 2, 3, 999)},
		good: []Op{iss(0, 0, 1, 1), cal(1, 2, 3, tk(1))},
	}, {
		name: "a call of another queue's ticket",
		bad: []Op{
			{Queue: "a", Kind: Issue, Call: at(0), Return: at(1), Number: 1, Ticket: 5},
			{Queue: "b", Kind: Issue, Call: at(0), Return: at(1), Number: 1, Ticket: 6},
			{Queue: "b", Kind: Call, Call: at(2), Return: at(3), Ticket: 5},
		},
		good: []Op{
			{Queue: "a", Kind: Issue, Call: at(0), Return: at(1), Number: 1, Ticket: 5},
			{Queue: "b", Kind: Issue, Call: at(0), Return: at(1), Number: 1, Ticket: 6},
			{Queue: "b", Kind: Call, Call: at(2), Return: at(3), Ticket: 6},
		},
	}, {
		name: "a call reports the wrong number",
		bad:  []Op{iss(0, 0, 1, 1), {Queue: "q", Kind: Call, Call: at(2), Return: at(3), Ticket: tk(1), Number: 2}},
		good: []Op{iss(0, 0, 1, 1), {Queue: "q", Kind: Call, Call: at(2), Return: at(3), Ticket: tk(1), Number: 1}},
	}}
	for _, c := range cases {
		expect(t, c.name, c.bad, false)
		expect(t, c.name+" (near miss)", c.good, true)
	}
}

// TestAmbiguous: an op without an answer may have taken effect or not, even
// after the client gave up, and neither outcome is reported; yet it does not
// excuse what it cannot explain.
func TestAmbiguous(t *testing.T) {
	cases := []struct {
		name string
		ops  []Op
		ok   bool
	}{
		{"issue took effect: number gap, its unknown ticket called", []Op{
			iss(0, 0, 1, 1), ambIss(0, 2, 3), iss(0, 4, 5, 3),
			cal(1, 6, 7, tk(1)), cal(1, 8, 9, 77), cal(1, 10, 11, tk(3)), cal(1, 12, 13, 0),
		}, true},
		{"issue took effect, its ticket removed by an ambiguous call", []Op{
			iss(0, 0, 1, 1), ambIss(0, 2, 3), iss(0, 4, 5, 3),
			cal(1, 6, 7, tk(1)), ambCal(1, 8, 9), cal(1, 10, 11, tk(3)),
		}, true},
		{"issue did not take effect", []Op{
			iss(0, 0, 1, 1), ambIss(0, 2, 3), iss(0, 4, 5, 2),
			cal(1, 6, 7, tk(1)), cal(1, 8, 9, tk(2)), cal(1, 10, 11, 0),
		}, true},
		{"issue took effect after the client gave up", []Op{
			ambIss(0, 0, 1), iss(1, 2, 3, 1), iss(1, 4, 5, 3), cal(2, 6, 7, tk(1)), cal(2, 8, 9, 77),
		}, true},
		{"trailing issues that did not take effect", []Op{
			iss(0, 0, 1, 1), ambIss(0, 2, 3), ambIss(1, 2, 4), cal(2, 5, 6, tk(1)), cal(2, 7, 8, 0),
		}, true},
		{"trailing issues of which one took effect", []Op{
			iss(0, 0, 1, 1), ambIss(0, 2, 3), ambIss(1, 2, 4), cal(2, 5, 6, tk(1)), cal(2, 7, 8, 77), cal(2, 9, 10, 0),
		}, true},
		{"call took effect", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), ambCal(1, 4, 5), cal(2, 6, 7, tk(2)), cal(2, 8, 9, 0),
		}, true},
		{"call did not take effect", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), ambCal(1, 4, 5), cal(2, 6, 7, tk(1)), cal(2, 8, 9, tk(2)), cal(2, 10, 11, 0),
		}, true},
		{"call found the line empty", []Op{
			ambCal(1, 0, 1), iss(0, 2, 3, 1), cal(2, 4, 5, tk(1)),
		}, true},
		{"call took effect after the client gave up", []Op{
			// Ticket 2 leaves between 7 and 8; only the call that failed
			// at 5 can have removed it, so its effect came late.
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), iss(0, 2, 3, 3), ambCal(1, 4, 5),
			cal(2, 6, 7, tk(1)), cal(2, 8, 9, tk(3)),
		}, true},
		{"no answer at all (zero return)", []Op{
			iss(0, 0, 1, 1), {Queue: "q", Kind: Call, Call: at(2)}, cal(2, 6, 7, 0),
		}, true},

		{"a double call beside ambiguous ops", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), ambIss(0, 4, 5), ambCal(1, 4, 5),
			cal(1, 6, 7, tk(1)), cal(2, 8, 9, tk(1)),
		}, false},
		{"a double call of an ambiguously issued ticket", []Op{
			ambIss(0, 0, 1), ambIss(0, 2, 3), cal(1, 4, 5, 77), cal(2, 6, 7, 77),
		}, false},
		{"its near miss: two ambiguously issued tickets", []Op{
			ambIss(0, 0, 1), ambIss(0, 2, 3), cal(1, 4, 5, 77), cal(2, 6, 7, 78),
		}, true},
		{"an issue invoked after a skip cannot fill it", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 3), ambIss(1, 4, 5),
		}, false},
		{"a call invoked after a younger ticket was called cannot excuse it", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), cal(1, 4, 5, tk(2)), ambCal(2, 6, 7),
		}, false},
		{"an ambiguous call cannot remove a ticket that is called later", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), ambCal(1, 4, 5), cal(2, 6, 7, tk(2)), cal(2, 8, 9, tk(1)),
		}, false},
		{"an ambiguous call cannot excuse empty while two wait", []Op{
			iss(0, 0, 1, 1), iss(0, 2, 3, 2), ambCal(1, 4, 5), cal(2, 6, 7, 0),
		}, false},
		{"an unknown ticket's number is checked", []Op{
			ambIss(0, 0, 1), ambIss(0, 2, 3), {Queue: "q", Kind: Call, Call: at(4), Return: at(5), Ticket: 77, Number: 2},
		}, false},
		{"its near miss: the head's number", []Op{
			ambIss(0, 0, 1), ambIss(0, 2, 3), {Queue: "q", Kind: Call, Call: at(4), Return: at(5), Ticket: 77, Number: 1},
		}, true},
	}
	for _, c := range cases {
		expect(t, c.name, c.ops, c.ok)
	}
}

func TestPartitions(t *testing.T) {
	var ops []Op
	for q := range 3 {
		for i := range 20 {
			key := fmt.Sprintf("demo/s%d/2025-03-01", q)
			ops = append(ops,
				Op{Client: q, Queue: key, Kind: Issue, Call: at(4 * i), Return: at(4*i + 1), Number: i + 1, Ticket: uint64(i + 1)},
				Op{Client: q, Queue: key, Kind: Call, Call: at(4*i + 2), Return: at(4*i + 3), Ticket: uint64(i + 1)})
		}
	}
	res := Check(ops, 10*time.Second)
	if !res.OK || res.Partitions != 3 {
		t.Fatalf("got OK=%v over %d partitions, want OK over 3", res.OK, res.Partitions)
	}
	// The same numbers in each queue are fine; a queue broken is not.
	ops[len(ops)-1].Ticket = 19
	if res := Check(ops, 10*time.Second); res.OK || res.Unknown {
		t.Fatalf("a double call in one of three queues passed: %+v", res)
	}
}

func TestBadInput(t *testing.T) {
	for name, op := range map[string]Op{
		"kind":    {Queue: "q", Call: at(0), Return: at(1)},
		"call":    {Queue: "q", Kind: Issue, Return: at(1), Number: 1},
		"reverse": {Queue: "q", Kind: Issue, Call: at(2), Return: at(1), Number: 1},
	} {
		if res := Check([]Op{op}, time.Second); res.Err == nil || res.OK {
			t.Errorf("%s: got %+v, want an error", name, res)
		}
	}
	if res := Check(nil, time.Second); !res.OK {
		t.Errorf("empty history: got %+v, want OK", res)
	}
}

func TestVisualize(t *testing.T) {
	ops := []Op{iss(0, 0, 1, 1), iss(0, 2, 3, 2), ambCal(1, 2, 3), cal(1, 4, 5, tk(2)), cal(2, 6, 7, tk(2))}
	res := Check(ops, 10*time.Second)
	if res.OK {
		t.Fatal("a double call passed")
	}
	path := filepath.Join(t.TempDir(), "history.html")
	if err := Visualize(ops, res, path); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"call → ticket 1002", "issue → #1 (ticket 1001)", "call → ? (no answer)", "waiting"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the visualisation lacks %q", want)
		}
	}
	// Without the check's information, Visualize checks again.
	if err := Visualize(ops, Result{}, path); err != nil {
		t.Fatal(err)
	}
}

// sim is a generated history: what a correct FIFO queue answered to clients
// whose operations overlap at random.
type sim struct {
	ops []Op
	lin []time.Time // when each op took effect (zero: it did not)
}

// simulate runs clients against a real FIFO queue. Each op takes effect at a
// random instant inside its interval; a fraction amb of them get no answer
// and then take effect only half of the time, possibly after the client gave
// up (up to a second interval later), as a request stuck in a killed server.
func simulate(rng *rand.Rand, clients, total int, amb float64) sim {
	type pending struct {
		i   int
		lin time.Duration
	}
	clock := make([]time.Duration, clients)
	var ops []Op
	var ps []pending
	for len(ops) < total {
		c := 0
		for i := range clock {
			if clock[i] < clock[c] {
				c = i
			}
		}
		call := clock[c] + time.Duration(rng.IntN(300))*time.Microsecond
		d := time.Duration(200+rng.IntN(2000)) * time.Microsecond
		if rng.IntN(50) == 0 {
			d *= 10 // a slow one, overlapping many
		}
		op := Op{Client: c, Queue: "demo/s/2025-03-01", Kind: Issue, Call: t0.Add(call), Return: t0.Add(call + d)}
		// Slightly more calls than issues keeps the line short and
		// often empty, where "empty" answers are tested.
		if rng.IntN(100) < 52 {
			op.Kind = Call
		}
		lin := call + time.Duration(rng.Int64N(int64(d)+1))
		if rng.Float64() < amb {
			op.Ambiguous = true
			switch rng.IntN(4) {
			case 0, 1:
				lin = -1 // never took effect
			case 2:
				lin = call + d + time.Duration(rng.Int64N(int64(d)+1))
			}
		}
		clock[c] = call + d
		if lin >= 0 {
			ps = append(ps, pending{len(ops), lin})
		}
		ops = append(ops, op)
	}
	slices.SortStableFunc(ps, func(a, b pending) int { return int(a.lin - b.lin) })
	s := sim{ops: ops, lin: make([]time.Time, len(ops))}
	var line []Op
	issued := 0
	for _, p := range ps {
		op := &ops[p.i]
		s.lin[p.i] = t0.Add(p.lin)
		if op.Kind == Issue {
			issued++
			t := Op{Number: issued, Ticket: uint64(500000 + issued)}
			line = append(line, t)
			if !op.Ambiguous {
				op.Number, op.Ticket = t.Number, t.Ticket
			}
			continue
		}
		if len(line) == 0 {
			continue
		}
		if !op.Ambiguous {
			op.Ticket = line[0].Ticket
		}
		line = line[1:]
	}
	return s
}

// mutation breaks one result of a correct history in a way no queue can
// explain, or says it found no place to.
type mutation func(s sim, rng *rand.Rand) ([]Op, string)

func cloneOps(s sim) []Op { return slices.Clone(s.ops) }

// late picks indexes in the last fifth first: breaking the end of a long
// history makes the checker search everything before it.
func late(n int) []int {
	var idx []int
	for i := n * 4 / 5; i < n; i++ {
		idx = append(idx, i)
	}
	for i := range n * 4 / 5 {
		idx = append(idx, i)
	}
	return idx
}

func knownTickets(ops []Op) map[uint64]int {
	m := map[uint64]int{}
	for _, op := range ops {
		if op.Kind == Issue && !op.Ambiguous {
			m[op.Ticket] = op.Number
		}
	}
	return m
}

// doubleCall: a later call returns what an earlier one returned.
func doubleCall(s sim, _ *rand.Rand) ([]Op, string) {
	ops := cloneOps(s)
	for _, y := range late(len(ops)) {
		if ops[y].Kind != Call || ops[y].Ambiguous || ops[y].Ticket == 0 {
			continue
		}
		for x := range ops {
			if x != y && ops[x].Kind == Call && !ops[x].Ambiguous && ops[x].Ticket != 0 && ops[x].Return.Before(ops[y].Call) {
				ops[y].Ticket = ops[x].Ticket
				return ops, fmt.Sprintf("op %d calls op %d's ticket again", y, x)
			}
		}
	}
	return nil, ""
}

// swapCalls: of two calls one after the other, the first gets the younger
// ticket: the older must have been waiting then, since the second got it.
func swapCalls(s sim, _ *rand.Rand) ([]Op, string) {
	ops := cloneOps(s)
	known := knownTickets(ops)
	for _, y := range late(len(ops)) {
		if ops[y].Kind != Call || ops[y].Ambiguous || known[ops[y].Ticket] == 0 {
			continue
		}
		for x := y - 1; x >= 0; x-- {
			if ops[x].Kind == Call && !ops[x].Ambiguous && known[ops[x].Ticket] != 0 &&
				ops[x].Return.Before(ops[y].Call) && known[ops[x].Ticket] < known[ops[y].Ticket] {
				ops[x].Ticket, ops[y].Ticket = ops[y].Ticket, ops[x].Ticket
				return ops, fmt.Sprintf("ops %d and %d swap tickets", x, y)
			}
		}
	}
	return nil, ""
}

// skipNumber: from one issue on, every number is one higher. Sound only
// without ambiguous issues, which could have drawn the missing number.
func skipNumber(s sim, _ *rand.Rand) ([]Op, string) {
	ops := cloneOps(s)
	for _, y := range late(len(ops)) {
		if ops[y].Kind == Issue && !ops[y].Ambiguous {
			k := ops[y].Number
			for i := range ops {
				if ops[i].Kind == Issue && ops[i].Number >= k {
					ops[i].Number++
				}
			}
			return ops, fmt.Sprintf("numbers from op %d's %d on skip one", y, k)
		}
	}
	return nil, ""
}

// emptyWhileWaiting: a call answers "empty" although the ticket it got had
// been acknowledged before the call began (and no other call took it).
// Sound only without ambiguous calls, which could have taken it.
func emptyWhileWaiting(s sim, _ *rand.Rand) ([]Op, string) {
	ops := cloneOps(s)
	issuedAt := map[uint64]time.Time{}
	for _, op := range ops {
		if op.Kind == Issue && !op.Ambiguous {
			issuedAt[op.Ticket] = op.Return
		}
	}
	for _, y := range late(len(ops)) {
		r, ok := issuedAt[ops[y].Ticket]
		if ops[y].Kind == Call && !ops[y].Ambiguous && ok && r.Before(ops[y].Call) {
			ops[y].Ticket = 0
			return ops, fmt.Sprintf("op %d answers empty", y)
		}
	}
	return nil, ""
}

func TestRandomHistories(t *testing.T) {
	for _, c := range []struct {
		name      string
		amb       float64
		mutations map[string]mutation
	}{
		{"acknowledged", 0, map[string]mutation{
			"double call": doubleCall, "younger first": swapCalls, "skipped number": skipNumber, "empty while waiting": emptyWhileWaiting,
		}},
		{"5% ambiguous", 0.05, map[string]mutation{"double call": doubleCall, "younger first": swapCalls}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(c.name))))
			s := simulate(rng, 8, 2000, c.amb)
			res := Check(s.ops, time.Minute)
			t.Logf("correct: %d ops, ok=%v unknown=%v in %v", len(s.ops), res.OK, res.Unknown, res.Elapsed)
			if !res.OK {
				t.Fatalf("a correct history failed (unknown: %v)", res.Unknown)
			}
			names := make([]string, 0, len(c.mutations))
			for name := range c.mutations {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				ops, what := c.mutations[name](s, rng)
				if ops == nil {
					t.Fatalf("%s: nothing to mutate", name)
				}
				res := Check(ops, time.Minute)
				t.Logf("%s (%s): ok=%v unknown=%v in %v", name, what, res.OK, res.Unknown, res.Elapsed)
				if res.OK || res.Unknown {
					t.Errorf("%s (%s): not refuted", name, what)
				}
			}
		})
	}
}

// TestSeeds: many smaller random histories, correct ones pass.
func TestSeeds(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := simulate(rng, 2+int(seed%7), 150, float64(seed%4)*0.05)
		if res := Check(s.ops, 30*time.Second); !res.OK {
			t.Errorf("seed %d: a correct history failed (unknown: %v)", seed, res.Unknown)
		}
	}
}

// reference is the model written the obvious way, without the counters and
// pruning of step: the line is spelt out, an ambiguous op never returns and
// takes effect wherever porcupine places it. On small histories Check must
// agree with it exactly, which tests that the pruning is sound (it never
// rejects what the plain model accepts) and loses nothing.
func reference(ops []Op) bool {
	known := knownTickets(ops)
	var last time.Time
	for _, op := range ops {
		last = latest(last, op.Call, op.Return)
	}
	never := last.Sub(t0).Nanoseconds() + 1
	type st struct {
		issued int
		line   string // "number:ticket," oldest first; ticket 0: not known
		unk    string // unknown tickets called, ",t,"
	}
	hist := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		ret := never
		if !op.Ambiguous && !op.Return.IsZero() {
			ret = op.Return.Sub(t0).Nanoseconds()
		} else {
			op.Ambiguous = true
		}
		hist[i] = porcupine.Operation{Input: op, Call: op.Call.Sub(t0).Nanoseconds(), Return: ret}
	}
	m := porcupine.Model{
		Init: func() any { return st{} },
		Step: func(s0, in, _ any) (bool, any) {
			s, op := s0.(st), in.(Op)
			pop := func() (n int, t uint64, ok bool) {
				if s.line == "" {
					return 0, 0, false
				}
				head, rest, _ := strings.Cut(s.line, ",")
				s.line = rest
				fmt.Sscanf(head, "%d:%d", &n, &t)
				return n, t, true
			}
			switch {
			case op.Kind == Issue:
				if !op.Ambiguous && op.Number != s.issued+1 {
					return false, s
				}
				s.issued++
				t := op.Ticket
				if op.Ambiguous {
					t = 0
				}
				s.line += fmt.Sprintf("%d:%d,", s.issued, t)
			case op.Ambiguous:
				pop()
			case op.Ticket == 0:
				return s.line == "", s
			default:
				n, t, ok := pop()
				if !ok || op.Number != 0 && op.Number != n {
					return false, s
				}
				if _, k := known[op.Ticket]; k {
					return t == op.Ticket, s
				}
				if t != 0 || strings.Contains(s.unk, fmt.Sprintf(",%d,", op.Ticket)) {
					return false, s
				}
				s.unk += fmt.Sprintf(",%d,", op.Ticket)
			}
			return true, s
		},
	}
	return porcupine.CheckOperations(m, hist)
}

func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var agree, ok, bad int
	for range 3000 {
		s := simulate(rng, 2+rng.IntN(3), 5+rng.IntN(8), 0.3)
		ops := s.ops
		// Most get a random change or two of a result, which may or may
		// not make the history impossible: the two checkers must agree.
		for range rng.IntN(3) {
			i := rng.IntN(len(ops))
			op := &ops[i]
			switch rng.IntN(6) {
			case 0:
				op.Ambiguous = !op.Ambiguous
				if !op.Ambiguous && op.Kind == Issue {
					op.Number, op.Ticket = 1+rng.IntN(4), uint64(900+rng.IntN(3))
				}
			case 1:
				if op.Kind == Issue {
					op.Number += rng.IntN(3) - 1
				} else {
					op.Number = rng.IntN(4)
				}
			default:
				if op.Kind == Call {
					pick := ops[rng.IntN(len(ops))].Ticket
					op.Ticket = []uint64{0, pick, uint64(900 + rng.IntN(3))}[rng.IntN(3)]
				}
			}
			if op.Kind == Issue && !op.Ambiguous {
				// Ticket ids must be unique within a queue: keep them so,
				// as the reference does not check it.
				for j := range ops {
					if j != i && ops[j].Kind == Issue && !ops[j].Ambiguous && ops[j].Ticket == op.Ticket {
						op.Ticket = uint64(800 + i)
					}
				}
			}
		}
		want := reference(ops)
		res := Check(ops, 10*time.Second)
		if res.OK != want || res.Unknown {
			var b strings.Builder
			for i, op := range ops {
				fmt.Fprintf(&b, "\n%2d %+v", i, op)
			}
			t.Fatalf("Check says %v (unknown %v), the plain model %v:%s", res.OK, res.Unknown, want, b.String())
		}
		agree++
		if want {
			ok++
		} else {
			bad++
		}
	}
	t.Logf("%d histories agree: %d linearizable, %d not", agree, ok, bad)
	if ok < 500 || bad < 500 {
		t.Errorf("too one-sided to tell: %d linearizable, %d not", ok, bad)
	}
}

// TestScale is the size the fault test produces: 3,000 ops in one queue
// from 10 clients, with a few percent ambiguous. It must check in seconds.
func TestScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 3000))
	s := simulate(rng, 10, 3000, 0.03)
	res := Check(s.ops, time.Minute)
	t.Logf("%d ops, 10 clients: ok=%v in %v", len(s.ops), res.OK, res.Elapsed)
	if !res.OK {
		t.Fatalf("a correct history failed (unknown: %v)", res.Unknown)
	}
	broken, what := swapCalls(s, rng)
	res = Check(broken, time.Minute)
	t.Logf("broken (%s): ok=%v unknown=%v in %v", what, res.OK, res.Unknown, res.Elapsed)
	if res.OK || res.Unknown {
		t.Fatalf("%s: not refuted", what)
	}
}

func BenchmarkCheck3000(b *testing.B) {
	rng := rand.New(rand.NewPCG(10, 3000))
	s := simulate(rng, 10, 3000, 0.03)
	broken, _ := swapCalls(s, rng)
	for _, c := range []struct {
		name string
		ops  []Op
		ok   bool
	}{{"correct", s.ops, true}, {"broken", broken, false}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if res := Check(c.ops, time.Minute); res.OK != c.ok || res.Unknown {
					b.Fatalf("got %+v", res)
				}
			}
		})
	}
}
