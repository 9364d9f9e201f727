package engine

import (
	"context"
	"slices"
	"time"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Joining the queue from home: a remote ticket is an ordinary ticket
// issued by Issue, with the service's remote rules checked, the day's
// remote places counted and a "be there by" time set, all in the one
// transaction that issues it.

// Why a remote ticket is refused: the "reason" of a remote_closed error,
// so that the branch page can say why.
const (
	RemoteNotAllowed  = "not_allowed"  // the service does not take remote tickets
	RemoteClosed      = "closed"       // the service or the office is closed now
	RemoteClosingSoon = "closing_soon" // within the window before closing, or the turn would come after it
	RemoteCapReached  = "cap_reached"  // the day's remote places are taken
	RemoteUnstaffed   = "unstaffed"    // no counter serving it is open: no honest estimate
)

// RemoteActor is who issues remote tickets, for the audit trail.
const RemoteActor = "remote"

// RemoteRequest asks for a ticket from home.
type RemoteRequest struct {
	Service string
	Lang    string
	// Once, if set, yields at most one ticket: a retry with it returns the
	// ticket the first try issued (the proof of work's challenge).
	Once string
}

// IssueRemote issues a ticket to a citizen at home, where the service
// allows it now.
func (e *Engine) IssueRemote(ctx context.Context, branch string, req RemoteRequest) (TicketInfo, error) {
	return e.Issue(ctx, branch, IssueRequest{Service: req.Service, Lang: req.Lang, IdempotencyKey: req.Once,
		Actor: RemoteActor, remote: true})
}

// RemoteUsed reports whether once has yielded a ticket already: the
// request is then a retry (its answer was lost on the way), which
// IssueRemote answers with that ticket, so it must take no new place from
// the client's limits.
func (e *Engine) RemoteUsed(ctx context.Context, branch, once string) (bool, error) {
	var used bool
	err := e.store.View(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		_, used = b.Idempotent(once)
		return nil
	})
	return used, err
}

// remoteRefused is the remote_closed error for reason.
func remoteRefused(reason, format string, args ...any) error {
	err := queue.Errorf(queue.CodeRemoteClosed, format, args...)
	err.Detail = map[string]any{"reason": reason}
	return err
}

// remoteState is what decides whether a service takes remote tickets now.
type remoteState struct {
	svc      queue.Service
	cfg      queue.Branch
	loc      *time.Location
	now      time.Time
	counters []queue.Counter
	taken    int // remote tickets issued today
}

// refusal is why the service takes no remote ticket now (nil: it does).
func (s remoteState) refusal() error {
	rj := s.svc.RemoteJoin
	if rj == nil || !rj.Enabled {
		return remoteRefused(RemoteNotAllowed, "service %s does not take tickets from home", s.svc.ID)
	}
	if !s.svc.Open || !s.cfg.Hours.OpenAt(s.now, s.loc) {
		return remoteRefused(RemoteClosed, "service %s is closed now", s.svc.ID)
	}
	if left, ok := s.cfg.Hours.ClosingIn(s.now, s.loc); ok && left <= time.Duration(rj.CloseBeforeMin)*time.Minute {
		return remoteRefused(RemoteClosingSoon, "joining from home stops %d minutes before the office closes", rj.CloseBeforeMin)
	}
	if !slices.ContainsFunc(s.counters, func(c queue.Counter) bool {
		return c.Status == queue.CounterOpen && slices.Contains(c.Serves, s.svc.ID)
	}) {
		return remoteRefused(RemoteUnstaffed, "no counter serves %s now, so there is no estimate to travel by", s.svc.ID)
	}
	if rj.DailyCap > 0 && s.taken >= rj.DailyCap {
		return remoteRefused(RemoteCapReached, "the %d places from home for today are taken", rj.DailyCap)
	}
	return nil
}

// remoteAllowed checks the remote rules for svc at the op's moment.
func (o *op) remoteAllowed(svc queue.Service) ([]queue.Counter, error) {
	counters, err := o.b.Counters()
	if err != nil {
		return nil, err
	}
	s := remoteState{svc: svc, cfg: o.cfg, loc: o.loc, now: o.now, counters: counters, taken: o.b.RemoteTaken(o.day, svc.ID)}
	return counters, s.refusal()
}

// remoteTicket makes t, about to be stored, a remote ticket: it counts
// the day's remote place and sets when its holder should be there, from
// the wait estimated now.
func (o *op) remoteTicket(t *queue.Ticket, svc queue.Service, counters []queue.Counter) error {
	l := o.e.load(o.b, counters)
	l.now = o.now
	_, wait, afterClosing, unstaffed := l.place(t.Candidate())
	switch {
	case unstaffed:
		return remoteRefused(RemoteUnstaffed, "no counter serves %s now, so there is no estimate to travel by", svc.ID)
	case afterClosing:
		return remoteRefused(RemoteClosingSoon, "the counters close before a ticket taken now would be called")
	}
	if _, err := o.b.TakeRemote(o.day, svc.ID); err != nil {
		return err
	}
	t.Source = queue.SourceRemote
	t.BeThereBy = BeThereBy(o.now, wait, time.Duration(svc.RemoteJoin.BeThereMarginMin)*time.Minute)
	return nil
}

// BeThereBy is when the holder of a ticket issued at issued, expected to
// wait wait, should be in the office: margin before the expected call,
// rounded down to the minute (earlier is the safe side), never before the
// issue.
func BeThereBy(issued time.Time, wait, margin time.Duration) time.Time {
	at := issued.Add(wait - margin).Truncate(time.Minute)
	if at.Before(issued) {
		return issued
	}
	return at
}
