package storage

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/seira-queue/seira/queue"
)

// keyVersion holds a random number that changes with every write of a
// branch's settings, services or counters. Decoded copies are cached under
// it: the hot paths (issue, call next, estimates) read settings on every
// request and would otherwise spend most of their time decoding JSON.
//
// The version is random rather than counted so that a transaction that
// writes settings, caches them and then rolls back leaves behind a version
// that no committed state will ever carry.
var keyVersion = []byte("version")

// settings is a decoded copy of a branch's settings at one version. It is
// shared between transactions: callers get copies of its slices.
type settings struct {
	version  uint64
	config   queue.Branch
	services []queue.Service
	counters []queue.Counter
}

// settingsCache holds the latest decoded settings of each branch.
type settingsCache struct {
	mu       sync.Mutex
	branches map[string]*settings
}

func (c *settingsCache) get(branch string, version uint64) *settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.branches[branch]; s != nil && s.version == version {
		return s
	}
	return nil
}

func (c *settingsCache) put(branch string, s *settings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.branches == nil {
		c.branches = map[string]*settings{}
	}
	c.branches[branch] = s
}

// touch gives the branch's settings a new version.
func (b *BranchTx) touch() error {
	return wrap("settings version", b.b.Put(keyVersion, u64(rand.Uint64())))
}

// settings returns the branch's decoded settings, from the cache when the
// version matches.
func (b *BranchTx) settings() (*settings, error) {
	var version uint64
	if v := b.b.Get(keyVersion); len(v) == 8 {
		version = binary.BigEndian.Uint64(v)
	}
	if version != 0 && b.cache != nil {
		if s := b.cache.get(b.id, version); s != nil {
			return s, nil
		}
	}
	s := &settings{version: version}
	if err := getJSON(b.b, keyConfig, &s.config, "branch config"); err != nil {
		return nil, err
	}
	var err error
	if s.services, err = all[queue.Service](b.bucket(bktServices)); err != nil {
		return nil, err
	}
	slices.SortStableFunc(s.services, func(x, y queue.Service) int {
		if x.Order != y.Order {
			return x.Order - y.Order
		}
		return compareStrings(x.ID, y.ID)
	})
	if s.counters, err = all[queue.Counter](b.bucket(bktCounters)); err != nil {
		return nil, err
	}
	slices.SortStableFunc(s.counters, func(x, y queue.Counter) int { return compareStrings(x.ID, y.ID) })
	if version != 0 && b.cache != nil {
		b.cache.put(b.id, s)
	}
	return s, nil
}
