// Package linearize checks a client history of seira's queues for
// linearizability with porcupine, the way etcd's robustness tests check
// etcd. The fault tests record what clients saw while servers were killed
// and etcd elected leaders; counting lost or doubled tickets catches only
// some bugs, while a linearizability check also catches answers that no
// single FIFO queue could have given in that real-time order (a younger
// ticket called while an older one waited, "nobody waiting" while someone
// did), without the test having to know the servers' internal order.
//
// The model: one queue is one service of one branch on one day. Issue hands
// out the next daily number (1, 2, 3, … gap-free) and puts the ticket at the
// end of the line; call removes the oldest waiting ticket and returns it, or
// returns "empty". Operations on different queues do not interact, so the
// history is partitioned by Op.Queue and each queue is checked on its own.
package linearize

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Kind is what an operation did.
type Kind int

const (
	// Issue draws a ticket: Op.Number and Op.Ticket are what it returned.
	Issue Kind = iota + 1
	// Call calls next at some counter: Op.Ticket is the ticket called, 0 if
	// nobody was waiting.
	Call
)

func (k Kind) String() string {
	switch k {
	case Issue:
		return "issue"
	case Call:
		return "call"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Op is one client operation as the client saw it. Call must be taken before
// the request is sent and Return after the answer (or error) arrived, both
// from the same process's clock (time.Now carries a monotonic reading).
type Op struct {
	Client int    // who did it; only for the visualisation
	Queue  string // partition key, e.g. branch/service/day
	Kind   Kind
	Call   time.Time
	Return time.Time // zero if no answer came: the op is then ambiguous
	// Ambiguous: the client got an error or no answer, so the op may or may
	// not have taken effect, and Number and Ticket are not known.
	Ambiguous bool
	// Number is the daily number an issue returned. On a call it is the
	// called ticket's number if the answer carries it; 0 leaves it unchecked.
	Number int
	// Ticket is the ticket's id: what an issue returned, or what a call
	// called (0 = nobody waiting). Ids need be unique only within a queue,
	// so the daily number will do.
	Ticket uint64
}

// Result is the verdict of Check.
type Result struct {
	OK         bool // linearizable
	Unknown    bool // the timeout struck first: neither proven nor refuted
	Err        error
	Ops        int
	Partitions int
	Elapsed    time.Duration
	Info       porcupine.LinearizationInfo // for Visualize
}

// Check checks that ops, as a whole, are linearizable against the queue
// model. Each queue must be empty, with no number drawn, when its history
// begins (a fresh day). A timeout of 0 means no limit; Unknown is then
// never set.
func Check(ops []Op, timeout time.Duration) Result {
	start := time.Now()
	res := Result{Ops: len(ops)}
	hist, parts, err := build(ops)
	if err != nil {
		res.Err = err
		return res
	}
	res.Partitions = parts
	// Verbose from the start: a failure is then ready to visualise without
	// a second search, and on passing histories the extra cost is small.
	verdict, info := porcupine.CheckOperationsVerbose(model, hist, timeout)
	res.OK = verdict == porcupine.Ok
	res.Unknown = verdict == porcupine.Unknown
	res.Info = info
	res.Elapsed = time.Since(start)
	return res
}

// Visualize writes porcupine's HTML view of the history and the longest
// linearizations found to path. If res holds no check information (it is
// zero, or came from a history that did not build), ops are checked again.
func Visualize(ops []Op, res Result, path string) error {
	info := res.Info
	if info.PartialLinearizations() == nil {
		hist, _, err := build(ops)
		if err != nil {
			return err
		}
		_, info = porcupine.CheckOperationsVerbose(model, hist, time.Minute)
	}
	return porcupine.VisualizePath(model, info, path)
}

// partition is what is known of one queue before the search: facts fixed by
// the acknowledged operations, which let the state be a few counters.
type partition struct {
	key string
	// ticketAt: number → ticket of the acknowledged issues. A number not in
	// it can be held only by an ambiguous issue, whose ticket is unknown.
	ticketAt map[int]uint64
	// taken: numbers whose ticket an acknowledged call returned, so no
	// ambiguous call can have removed it.
	taken map[int]bool
	// seen is the highest number any acknowledged answer showed.
	seen int
	// spare counts acknowledged calls that returned a ticket of unknown
	// origin and no number: each needs one ambiguous issue above seen.
	spare int
	acked int // acknowledged operations
}

// input is the porcupine input of one operation: the op plus what build
// worked out about it.
type input struct {
	op    Op
	index int // in the slice given to Check
	part  *partition
	// want: the number of the ticket an acknowledged call returned when an
	// acknowledged issue of this queue handed it out; 0 if that ticket's
	// origin is unknown (an ambiguous issue, or a bug).
	want int
	// rank of an ambiguous op among its queue's ambiguous ops of its kind,
	// by call time.
	rank int
	// bad says why the op is impossible in any queue, found before the
	// search (a ticket id handed out or called twice).
	bad string
}

// state of one queue. Tickets join in number order and leave from the head,
// so the waiting line is exactly the numbers called+1 … issued, and which
// ticket holds a number is fixed by partition.ticketAt: two counters are the
// whole queue, and stepping and comparing them is O(1).
type state struct {
	issued int // last number handed out
	called int // numbers that have left the line
	// The rest only prunes the search (see step); each is a function of the
	// set of linearized ops, so it does not multiply porcupine's cache.
	acked     int // acknowledged ops linearized
	ambIssues int // ambiguous issues linearized
	ambCalls  int // ambiguous calls linearized
	part      *partition
}

// Ambiguous operations. An op that got an error or no answer is given a
// return time after every other event of the history ("never returned", as
// porcupine suggests for crashed clients; the last time + 1 orders the same
// as math.MaxInt64 and draws better) and a plain "it took effect" step.
// That covers both outcomes: "it never took effect" is the linearization
// that puts it after everything else, where its effect can no longer be
// observed. The open return time is required, not a convenience: the effect
// can land after the client saw the error (the request was still inside a
// killed server, or in an etcd proposal that commits after the election), so
// a NondeterministicModel "took effect or not" step with the error time as
// return would report a correct system as broken. Nondeterminism on top of
// the open return would only add a power-set state. What the open return
// costs — the op may be linearized at any point after its call, so the
// search may branch on it everywhere — is cut by the pruning in step, which
// only drops linearizations for which an equivalent one is kept
// (TestAgainstReference compares verdicts with the model unpruned).

func step(s0, in0, _ any) (bool, any) {
	s := s0.(state)
	in := in0.(*input)
	if in.bad != "" {
		return false, s
	}
	p := in.part
	s.part = p
	mid := s.acked < p.acked // acknowledged ops remain to be linearized
	op := &in.op
	switch {
	case op.Kind == Issue && !op.Ambiguous:
		if op.Number != s.issued+1 {
			return false, s
		}
		s.issued++
		s.acked++
	case op.Kind == Call && !op.Ambiguous:
		if op.Ticket == 0 {
			if s.called != s.issued {
				return false, s
			}
			s.acked++
			return true, s
		}
		head := s.called + 1
		if s.called == s.issued || op.Number != 0 && op.Number != head {
			return false, s
		}
		if in.want != 0 {
			if in.want != head {
				return false, s
			}
		} else if _, ok := p.ticketAt[head]; ok {
			// A ticket of unknown origin can only be one an ambiguous
			// issue drew, and the head was drawn by an acknowledged one.
			return false, s
		}
		s.called++
		s.acked++
	case op.Kind == Issue:
		// Ambiguous issues all have the same effect, so any linearization
		// can swap them into call order: only that order is tried.
		if in.rank != s.ambIssues {
			return false, s
		}
		n := s.issued + 1
		if _, ok := p.ticketAt[n]; ok {
			return false, s // an acknowledged issue holds that number
		}
		// A number above every one seen is observable mid-history only as
		// the head for an acknowledged call of an unknown ticket. Other such
		// draws (and the ambiguous calls that removed them) can move to the
		// end unchanged, so allow at most spare of them before the end.
		if mid && n > p.seen && n-p.seen > p.spare {
			return false, s
		}
		s.issued++
		s.ambIssues++
	default: // ambiguous call
		// In call order, as ambiguous issues.
		if in.rank != s.ambCalls {
			return false, s
		}
		if s.called == s.issued {
			// Calling an empty line changes nothing: the same as never
			// happening, which is the linearization at the end. Trying it
			// mid-history too would double the search for every such op.
			if mid {
				return false, s
			}
		} else {
			if p.taken[s.called+1] {
				return false, s // an acknowledged call returned that ticket
			}
			s.called++
		}
		s.ambCalls++
	}
	return true, s
}

var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		var parts [][]porcupine.Operation
		index := map[*partition]int{}
		for _, o := range history {
			p := o.Input.(*input).part
			i, ok := index[p]
			if !ok {
				i = len(parts)
				index[p] = i
				parts = append(parts, nil)
			}
			parts[i] = append(parts[i], o)
		}
		return parts
	},
	Init: func() any { return state{} },
	Step: step,
	Equal: func(a, b any) bool {
		x, y := a.(state), b.(state)
		return x.issued == y.issued && x.called == y.called && x.acked == y.acked &&
			x.ambIssues == y.ambIssues && x.ambCalls == y.ambCalls
	},
	Hash: func(a any) uint64 {
		s := a.(state)
		h := uint64(14695981039346656037)
		for _, v := range [...]int{s.issued, s.called, s.acked, s.ambIssues, s.ambCalls} {
			h = (h ^ uint64(v)) * 1099511628211
		}
		return h
	},
	DescribeOperation: func(in0, _ any) string {
		in := in0.(*input)
		op := &in.op
		var b strings.Builder
		b.WriteString(op.Kind.String())
		switch {
		case op.Ambiguous:
			b.WriteString(" → ? (no answer)")
		case op.Kind == Issue:
			fmt.Fprintf(&b, " → #%d (ticket %d)", op.Number, op.Ticket)
		case op.Ticket == 0:
			b.WriteString(" → empty")
		case op.Number != 0:
			fmt.Fprintf(&b, " → ticket %d #%d", op.Ticket, op.Number)
		default:
			fmt.Fprintf(&b, " → ticket %d", op.Ticket)
		}
		if in.bad != "" {
			b.WriteString(" [" + in.bad + "]")
		}
		return b.String()
	},
	DescribeState: func(s0 any) string {
		s := s0.(state)
		if s.part == nil {
			return "nothing issued"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s: issued %d, waiting %d:", s.part.key, s.issued, s.issued-s.called)
		for n := s.called + 1; n <= s.issued; n++ {
			if n > s.called+10 {
				fmt.Fprintf(&b, " … #%d", s.issued)
				break
			}
			if t, ok := s.part.ticketAt[n]; ok {
				fmt.Fprintf(&b, " #%d(%d)", n, t)
			} else {
				fmt.Fprintf(&b, " #%d(?)", n)
			}
		}
		return b.String()
	},
	DescribeOperationMetadata: func(m any) string {
		in := m.(*input)
		return fmt.Sprintf("op %d of client %d, queue %s", in.index, in.op.Client, in.op.Queue)
	},
}

// build turns ops into porcupine operations, one partition per queue, and
// works out the facts the model relies on.
func build(ops []Op) ([]porcupine.Operation, int, error) {
	if len(ops) == 0 {
		return nil, 0, nil
	}
	base, last := ops[0].Call, ops[0].Call
	for i, op := range ops {
		if op.Kind != Issue && op.Kind != Call {
			return nil, 0, fmt.Errorf("op %d: unknown kind %d", i, op.Kind)
		}
		if op.Call.IsZero() {
			return nil, 0, fmt.Errorf("op %d: no call time", i)
		}
		if !op.Return.IsZero() && op.Return.Before(op.Call) {
			return nil, 0, fmt.Errorf("op %d: returned before it was called", i)
		}
		if op.Call.Before(base) {
			base = op.Call
		}
		last = latest(last, op.Call, op.Return)
	}
	never := last.Sub(base).Nanoseconds() + 1

	ins := make([]*input, len(ops))
	byQueue := map[string][]int{}
	for i, op := range ops {
		if op.Return.IsZero() {
			op.Ambiguous = true // no answer: may or may not have happened
		}
		if op.Ambiguous {
			op.Number, op.Ticket = 0, 0
		}
		ins[i] = &input{op: op, index: i}
		byQueue[op.Queue] = append(byQueue[op.Queue], i)
	}
	keys := make([]string, 0, len(byQueue))
	for k := range byQueue {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		analyse(k, byQueue[k], ins)
	}

	// Visualisation lanes: porcupine draws one row per client id, so a
	// client's ops that overlap (the ones after an ambiguous op, which never
	// returns) go to another row, as etcd gives such a client a new stream.
	order := make([]int, len(ops))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return ops[a].Call.Compare(ops[b].Call) })
	type lane struct {
		id  int
		end int64
	}
	lanes := map[int][]lane{}
	next := 0
	hist := make([]porcupine.Operation, len(ops))
	for _, i := range order {
		in := ins[i]
		call := in.op.Call.Sub(base).Nanoseconds()
		ret := never
		if !in.op.Ambiguous {
			ret = in.op.Return.Sub(base).Nanoseconds()
		}
		id := -1
		ls := lanes[in.op.Client]
		for j := range ls {
			if ls[j].end < call {
				id = ls[j].id
				ls[j].end = ret
				break
			}
		}
		if id < 0 {
			id = next
			next++
			lanes[in.op.Client] = append(ls, lane{id, ret})
		}
		hist[i] = porcupine.Operation{ClientId: id, Input: in, Call: call, Return: ret, Metadata: in}
	}
	return hist, len(keys), nil
}

// analyse fills in the partition facts of one queue's ops (indexes into ins).
func analyse(key string, idx []int, ins []*input) {
	p := &partition{key: key, ticketAt: map[int]uint64{}, taken: map[int]bool{}}
	numberOf := map[uint64]int{}
	issuedBy := map[uint64][]*input{}
	for _, i := range idx {
		in := ins[i]
		in.part = p
		op := &in.op
		if op.Ambiguous {
			continue
		}
		p.acked++
		if op.Kind == Issue {
			p.ticketAt[op.Number] = op.Ticket
			numberOf[op.Ticket] = op.Number
			issuedBy[op.Ticket] = append(issuedBy[op.Ticket], in)
			p.seen = max(p.seen, op.Number)
		}
	}
	for _, ins := range issuedBy {
		// Issues sharing a number already fail in the model; different
		// numbers under one id would let two calls of that id pass.
		if slices.ContainsFunc(ins, func(in *input) bool { return in.op.Number != ins[0].op.Number }) {
			for _, in := range ins {
				in.bad = "ticket id issued twice"
			}
		}
	}
	calledBy := map[uint64][]*input{}
	var ambIssues, ambCalls []*input
	for _, i := range idx {
		in := ins[i]
		op := &in.op
		switch {
		case op.Ambiguous && op.Kind == Issue:
			ambIssues = append(ambIssues, in)
		case op.Ambiguous:
			ambCalls = append(ambCalls, in)
		case op.Kind == Call && op.Ticket != 0:
			in.want = numberOf[op.Ticket]
			if in.want != 0 {
				p.taken[in.want] = true
			}
			if op.Number != 0 {
				p.taken[op.Number] = true
				p.seen = max(p.seen, op.Number)
			}
			if in.want == 0 {
				calledBy[op.Ticket] = append(calledBy[op.Ticket], in)
				if op.Number == 0 {
					p.spare++
				}
			}
		}
	}
	for _, ins := range calledBy {
		if len(ins) > 1 {
			// A ticket is drawn once, so it can be called once; for an id
			// no acknowledged issue returned, the line cannot tell (any
			// ambiguous issue may have drawn it), so it is caught here.
			for _, in := range ins {
				in.bad = "ticket called twice"
			}
		}
	}
	for _, amb := range [][]*input{ambIssues, ambCalls} {
		slices.SortStableFunc(amb, func(a, b *input) int { return a.op.Call.Compare(b.op.Call) })
		for r, in := range amb {
			in.rank = r
		}
	}
}

func latest(t time.Time, more ...time.Time) time.Time {
	for _, u := range more {
		if u.After(t) {
			t = u
		}
	}
	return t
}
