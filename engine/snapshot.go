package engine

import (
	"context"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// ServiceState is one service with its queue now.
type ServiceState struct {
	Service         queue.Service
	Waiting         int
	WaitingPriority int
	// Wait is the expected wait of a regular ticket issued now, and
	// AfterClosing whether the counters' plans reach it only after they
	// have all closed. Unstaffed says no counter serving it is open or
	// paused: there is no estimate (Wait is 0).
	Wait         time.Duration
	AfterClosing bool
	Unstaffed    bool
	// Oldest is the issue time of the ticket that has waited longest (zero
	// when nobody waits).
	Oldest time.Time
	// OpenNow is whether tickets can be taken now: the service is open and
	// so is the office (its opening hours).
	OpenNow bool
	// RemoteJoin is whether a ticket can be taken from home now (the
	// forecast may still refuse one whose turn comes after closing).
	RemoteJoin bool
}

// CounterState is one counter with its current ticket (ID 0 for none).
type CounterState struct {
	Counter queue.Counter
	Ticket  queue.Ticket
}

// Snapshot is a branch at one sequence number.
type Snapshot struct {
	Seq         uint64
	Branch      queue.Branch
	Loc         *time.Location
	Services    []ServiceState
	Counters    []CounterState
	RecentCalls []queue.Event
	// Announcements are the messages to the waiting shown now.
	Announcements []queue.Announcement
}

// RecentCallsKept is how many recent calls a snapshot carries.
const RecentCallsKept = 10

// recentScan bounds how far back a snapshot looks for recent calls.
const recentScan = 5000

// Snapshot returns branch as of its latest event.
func (e *Engine) Snapshot(ctx context.Context, branch string) (Snapshot, error) {
	return e.snapshot(ctx, branch, true)
}

// Summary is Snapshot without the recent calls: the live hub needs the
// queues and counters after each batch of events, not the history.
func (e *Engine) Summary(ctx context.Context, branch string) (Snapshot, error) {
	return e.snapshot(ctx, branch, false)
}

func (e *Engine) snapshot(ctx context.Context, branch string, recent bool) (Snapshot, error) {
	var s Snapshot
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		s, err = e.snapshotIn(b, recent)
		return err
	})
	return s, err
}

func (e *Engine) snapshotIn(b *storage.BranchTx, recent bool) (Snapshot, error) {
	var s Snapshot
	var err error
	s.Seq = b.LastSeq()
	if s.Branch, s.Loc, err = e.settingsOf(b); err != nil {
		return s, err
	}
	counters, err := b.Counters()
	if err != nil {
		return s, err
	}
	l := e.load(b, counters)
	svcs, err := b.Services()
	if err != nil {
		return s, err
	}
	// Outside opening hours every service shows closed: the kiosk then
	// offers none.
	openNow := s.Branch.Hours.OpenAt(l.now, s.Loc)
	for _, svc := range svcs {
		pri, reg := b.WaitingCount(svc.ID)
		st := ServiceState{Service: svc, Waiting: pri + reg, WaitingPriority: pri, OpenNow: svc.Open && openNow}
		for _, h := range b.Heads([]string{svc.ID}, 0) {
			if at := time.Unix(0, h.IssuedAt); st.Oldest.IsZero() || at.Before(st.Oldest) {
				st.Oldest = at
			}
		}
		// A ticket issued now is behind everyone of its class.
		_, st.Wait, st.AfterClosing, st.Unstaffed = l.place(queue.Candidate{Service: svc.ID, IssuedAt: l.now.UnixNano() + 1, Seq: 1 << 30, ID: 1<<64 - 1})
		st.RemoteJoin = !st.AfterClosing && remoteState{svc: svc, cfg: s.Branch, loc: s.Loc, now: l.now, counters: counters,
			taken: b.RemoteTaken(queue.ServiceDay(l.now, s.Loc), svc.ID)}.refusal() == nil
		s.Services = append(s.Services, st)
	}
	for _, c := range counters {
		cs := CounterState{Counter: c}
		if c.Current != 0 {
			if t, err := b.Ticket(c.Current); err == nil {
				cs.Ticket = t
			}
		}
		s.Counters = append(s.Counters, cs)
	}
	if s.Announcements, err = b.Announcements(l.now); err != nil {
		return s, err
	}
	if !recent {
		return s, nil
	}
	scanned := 0
	err = b.EventsBackward(func(ev queue.Event) bool {
		if ev.Type == queue.EvCalled || ev.Type == queue.EvRecalled {
			s.RecentCalls = append(s.RecentCalls, ev)
		}
		scanned++
		return len(s.RecentCalls) < RecentCallsKept && scanned < recentScan
	})
	return s, err
}
