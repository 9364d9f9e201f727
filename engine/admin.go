package engine

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// Administration: every change is validated, made in one transaction with
// an event that says who made it, and published, so that pages reload.

func detail(v any) json.RawMessage {
	raw, _ := json.Marshal(v)
	return raw
}

// normaliseBranch fills a branch's defaults and checks it.
func (e *Engine) normaliseBranch(br *queue.Branch) error {
	br.TimeZone = br.Zone()
	if br.PriorityCap == 0 {
		br.PriorityCap = queue.DefaultPriorityCap
	}
	if br.Priorities == nil {
		br.Priorities = queue.DefaultPriorities()
	}
	if err := br.Validate(); err != nil {
		return err
	}
	_, err := e.Location(*br)
	return err
}

// CreateBranch creates a branch with its services and counters in one
// transaction.
func (e *Engine) CreateBranch(ctx context.Context, actor string, br queue.Branch, services []queue.Service, counters []queue.Counter) error {
	if err := e.normaliseBranch(&br); err != nil {
		return err
	}
	return e.store.Update(ctx, func(tx *storage.Tx) error {
		if _, err := tx.CreateBranch(br); err != nil {
			return err
		}
		o, err := e.begin(tx, br.ID, actor)
		if err != nil {
			return err
		}
		if err := o.rollover(); err != nil {
			return err
		}
		if err := o.emit(queue.Event{Type: queue.EvBranchCreated, Subject: br.ID, Detail: detail(br)}); err != nil {
			return err
		}
		for _, s := range services {
			if _, err := o.putService(s, createOnly); err != nil {
				return err
			}
		}
		for _, c := range counters {
			if _, _, err := o.putCounter(c, createOnly); err != nil {
				return err
			}
		}
		o.publishAfterCommit()
		return nil
	})
}

// publishAfterCommit publishes the op's events once they are durable.
func (o *op) publishAfterCommit() {
	if evs := o.events; len(evs) > 0 {
		o.tx.AfterCommit(func() { o.e.pub.Publish(evs) })
	}
}

// UpdateBranch replaces a branch's settings (not its id).
func (e *Engine) UpdateBranch(ctx context.Context, actor string, br queue.Branch) (queue.Branch, error) {
	if err := e.normaliseBranch(&br); err != nil {
		return br, err
	}
	err := e.write(ctx, br.ID, actor, func(o *op) error {
		if err := o.b.PutConfig(br); err != nil {
			return err
		}
		return o.emit(queue.Event{Type: queue.EvBranchUpdated, Subject: br.ID, Detail: detail(br)})
	})
	return br, err
}

// DeleteBranch removes a branch with all its history. Nobody may be
// waiting or at a counter.
func (e *Engine) DeleteBranch(ctx context.Context, actor, id string) error {
	return e.store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(id)
		if err != nil {
			return err
		}
		svcs, err := b.Services()
		if err != nil {
			return err
		}
		for _, s := range svcs {
			if pri, reg := b.WaitingCount(s.ID); pri+reg > 0 {
				return queue.Errorf(queue.CodeConflict, "people are waiting for %s: close the day first", s.ID)
			}
		}
		counters, err := b.Counters()
		if err != nil {
			return err
		}
		for _, c := range counters {
			if c.Status != queue.CounterClosed {
				return queue.Errorf(queue.CodeConflict, "counter %s is %s: close it first", c.ID, c.Status)
			}
		}
		return tx.DeleteBranch(id)
	})
}

// putMode says whether a put may create, replace, or do either.
type putMode int

const (
	upsert putMode = iota
	createOnly
	replaceOnly
)

// check refuses a put the mode does not allow, inside the transaction so
// that two administrators creating the same id cannot both succeed.
func (m putMode) check(what, id string, exists bool) error {
	switch {
	case m == createOnly && exists:
		return queue.Errorf(queue.CodeConflict, "%s %s exists", what, id)
	case m == replaceOnly && !exists:
		return queue.Errorf(queue.CodeNotFound, "no %s %s", what, id)
	}
	return nil
}

// PutService creates or replaces a service. It reports whether it was new.
func (e *Engine) PutService(ctx context.Context, actor, branch string, s queue.Service) (bool, error) {
	return e.putService(ctx, actor, branch, s, upsert)
}

// CreateService creates a service; a conflict error if its id is taken.
func (e *Engine) CreateService(ctx context.Context, actor, branch string, s queue.Service) error {
	_, err := e.putService(ctx, actor, branch, s, createOnly)
	return err
}

// ReplaceService replaces the settings of a service; not found if there is
// none with its id.
func (e *Engine) ReplaceService(ctx context.Context, actor, branch string, s queue.Service) error {
	_, err := e.putService(ctx, actor, branch, s, replaceOnly)
	return err
}

func (e *Engine) putService(ctx context.Context, actor, branch string, s queue.Service, mode putMode) (bool, error) {
	var created bool
	err := e.write(ctx, branch, actor, func(o *op) error {
		var err error
		created, err = o.putService(s, mode)
		return err
	})
	return created, err
}

func (o *op) putService(s queue.Service, mode putMode) (bool, error) {
	svcs, err := o.b.Services()
	if err != nil {
		return false, err
	}
	created := !slices.ContainsFunc(svcs, func(x queue.Service) bool { return x.ID == s.ID })
	if err := mode.check("service", s.ID, !created); err != nil {
		return false, err
	}
	if err := s.Validate(svcs); err != nil {
		return false, err
	}
	if err := o.b.PutService(s); err != nil {
		return false, err
	}
	typ := queue.EvServiceUpdated
	if created {
		typ = queue.EvServiceCreated
	}
	return created, o.emit(queue.Event{Type: typ, Service: s.ID, Subject: s.ID, Detail: detail(s)})
}

// DeleteService removes a service that no counter serves and nobody waits
// for. (Its tickets stay in the history.)
func (e *Engine) DeleteService(ctx context.Context, actor, branch, id string) error {
	return e.write(ctx, branch, actor, func(o *op) error {
		if _, err := o.b.Service(id); err != nil {
			return err
		}
		counters, err := o.b.Counters()
		if err != nil {
			return err
		}
		for _, c := range counters {
			if c.ServesService(id) {
				return queue.Errorf(queue.CodeConflict, "counter %s serves %s: change the counter first", c.ID, id)
			}
		}
		if pri, reg := o.b.WaitingCount(id); pri+reg > 0 {
			return queue.Errorf(queue.CodeConflict, "%d people are waiting for %s", pri+reg, id)
		}
		if err := o.b.DeleteService(id); err != nil {
			return err
		}
		return o.emit(queue.Event{Type: queue.EvServiceDeleted, Service: id, Subject: id})
	})
}

// PutCounter creates a counter or replaces its settings (name, services,
// schedule),
// keeping its live state. It reports whether it was new.
func (e *Engine) PutCounter(ctx context.Context, actor, branch string, c queue.Counter) (bool, error) {
	_, created, err := e.putCounter(ctx, actor, branch, c, upsert)
	return created, err
}

// CreateCounter creates a closed counter with c's settings and returns it;
// a conflict error if its id is taken.
func (e *Engine) CreateCounter(ctx context.Context, actor, branch string, c queue.Counter) (queue.Counter, error) {
	stored, _, err := e.putCounter(ctx, actor, branch, c, createOnly)
	return stored, err
}

// ReplaceCounter replaces the settings of a counter, keeping its live state,
// and returns it; not found if there is none with c's id.
func (e *Engine) ReplaceCounter(ctx context.Context, actor, branch string, c queue.Counter) (queue.Counter, error) {
	stored, _, err := e.putCounter(ctx, actor, branch, c, replaceOnly)
	return stored, err
}

func (e *Engine) putCounter(ctx context.Context, actor, branch string, c queue.Counter, mode putMode) (queue.Counter, bool, error) {
	var created bool
	err := e.write(ctx, branch, actor, func(o *op) error {
		var err error
		c, created, err = o.putCounter(c, mode)
		return err
	})
	return c, created, err
}

func (o *op) putCounter(c queue.Counter, mode putMode) (queue.Counter, bool, error) {
	// Only the settings come from the request; the live state is the
	// stored counter's, or a closed counter's for a new one.
	stored, err := o.b.Counter(c.ID)
	created := queue.ErrorCode(err) == queue.CodeNotFound
	switch {
	case created:
		stored = queue.Counter{ID: c.ID, Status: queue.CounterClosed}
	case err != nil:
		return c, false, err
	}
	if err := mode.check("counter", c.ID, !created); err != nil {
		return c, false, err
	}
	svcs, err := o.b.Services()
	if err != nil {
		return c, false, err
	}
	if err := c.Validate(svcs); err != nil {
		return c, false, err
	}
	if len(c.Name) == 0 {
		c.Name = queue.Text{"el": "Γκισέ " + c.ID, "en": "Counter " + c.ID}
	}
	stored.Name, stored.Serves = c.Name, c.Serves
	c = stored.WithPlans(c.Plans())
	if err := o.b.PutCounter(c); err != nil {
		return c, false, err
	}
	typ := queue.EvCounterUpdated
	if created {
		typ = queue.EvCounterCreated
	}
	settings := struct {
		Name      queue.Text       `json:"name"`
		Serves    []string         `json:"serves"`
		Schedule  queue.Schedule   `json:"schedule,omitzero"`
		Schedules []queue.Schedule `json:"schedules,omitempty"`
	}{c.Name, c.Serves, c.Schedule, c.Schedules}
	return c, created, o.emit(queue.Event{Type: typ, Counter: c.ID, Subject: c.ID, Detail: detail(settings)})
}

// DeleteCounter removes a closed counter.
func (e *Engine) DeleteCounter(ctx context.Context, actor, branch, id string) error {
	return e.write(ctx, branch, actor, func(o *op) error {
		c, err := o.b.Counter(id)
		if err != nil {
			return err
		}
		if c.Status != queue.CounterClosed || c.Current != 0 {
			return queue.Errorf(queue.CodeConflict, "counter %s is %s: close it first", id, c.Status)
		}
		if err := o.b.DeleteCounter(id); err != nil {
			return err
		}
		return o.emit(queue.Event{Type: queue.EvCounterDeleted, Counter: id, Subject: id})
	})
}

// Record appends an administrative event to branch's log inside another
// package's transaction (sign-in's users and devices), to be published
// after that transaction commits.
func (e *Engine) Record(tx *storage.Tx, branch, actor string, ev queue.Event) error {
	o, err := e.begin(tx, branch, actor)
	if err != nil {
		return err
	}
	if err := o.rollover(); err != nil {
		return err
	}
	if err := o.emit(ev); err != nil {
		return err
	}
	o.publishAfterCommit()
	return nil
}
