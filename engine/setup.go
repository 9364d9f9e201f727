package engine

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/storage"
)

// validID reports whether s can be a branch, service or counter id: short,
// URL-safe, lower case.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// CreateBranch creates a branch with its services and counters in one
// transaction.
func (e *Engine) CreateBranch(ctx context.Context, br queue.Branch, services []queue.Service, counters []queue.Counter) error {
	if !validID(br.ID) {
		return queue.Errorf(queue.CodeValidation, "branch id %q: use a-z, 0-9, - and _", br.ID)
	}
	if br.TimeZone == "" {
		br.TimeZone = queue.DefaultTimeZone
	}
	if _, err := e.Location(br.TimeZone); err != nil {
		return err
	}
	if br.PriorityCap == 0 {
		br.PriorityCap = queue.DefaultPriorityCap
	}
	if br.Priorities == nil {
		br.Priorities = queue.DefaultPriorities()
	}
	return e.store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.CreateBranch(br)
		if err != nil {
			return err
		}
		for _, s := range services {
			if err := putService(b, s); err != nil {
				return err
			}
		}
		for _, c := range counters {
			if err := putCounter(b, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutService creates or replaces a service of branch.
func (e *Engine) PutService(ctx context.Context, branch string, s queue.Service) error {
	return e.store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		return putService(b, s)
	})
}

func putService(b *storage.BranchTx, s queue.Service) error {
	if !validID(s.ID) {
		return queue.Errorf(queue.CodeValidation, "service id %q: use a-z, 0-9, - and _", s.ID)
	}
	s.Prefix = strings.TrimSpace(s.Prefix)
	if n := utf8.RuneCountInString(s.Prefix); n < 1 || n > 3 {
		return queue.Errorf(queue.CodeValidation, "service %s: prefix must be 1 to 3 characters", s.ID)
	}
	svcs, err := b.Services()
	if err != nil {
		return err
	}
	for _, o := range svcs {
		if o.ID != s.ID && o.Prefix == s.Prefix {
			return queue.Errorf(queue.CodeValidation, "prefix %s is already used by service %s", s.Prefix, o.ID)
		}
	}
	return b.PutService(s)
}

// PutCounter creates or replaces a counter's settings (name, services),
// keeping its live state (status, clerk, current ticket).
func (e *Engine) PutCounter(ctx context.Context, branch string, c queue.Counter) error {
	return e.store.Update(ctx, func(tx *storage.Tx) error {
		b, err := tx.Branch(branch)
		if err != nil {
			return err
		}
		return putCounter(b, c)
	})
}

func putCounter(b *storage.BranchTx, c queue.Counter) error {
	if !validID(c.ID) {
		return queue.Errorf(queue.CodeValidation, "counter id %q: use a-z, 0-9, - and _", c.ID)
	}
	if len(c.Serves) == 0 {
		return queue.Errorf(queue.CodeValidation, "counter %s serves no service", c.ID)
	}
	seen := map[string]bool{}
	for _, s := range c.Serves {
		if seen[s] {
			return queue.Errorf(queue.CodeValidation, "counter %s lists service %s twice", c.ID, s)
		}
		seen[s] = true
		if _, err := b.Service(s); err != nil {
			return queue.Errorf(queue.CodeValidation, "counter %s: %v", c.ID, err)
		}
	}
	if old, err := b.Counter(c.ID); err == nil {
		c.Status, c.Clerk, c.Current, c.PriorityStreak = old.Status, old.Clerk, old.Current, old.PriorityStreak
	} else if queue.ErrorCode(err) != queue.CodeNotFound {
		return fmt.Errorf("engine: put counter: %w", err)
	} else {
		c.Status, c.Clerk, c.Current, c.PriorityStreak = queue.CounterClosed, "", 0, 0
	}
	return b.PutCounter(c)
}
