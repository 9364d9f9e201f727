package storage

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/seira-queue/seira/queue"
)

// keyVersion holds a random number that changes with every write of a
// branch's settings or services. Decoded copies are cached under it: the
// hot paths (issue, call next, estimates) read them on every request and
// would otherwise spend much of their time decoding JSON. Counters are not
// cached: their live state changes with every call.
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
}

// keyCountersVersion changes, like keyVersion, with every write of a
// counter; the counters are cached apart from the settings because calls
// change them all day, issues not at all.
var keyCountersVersion = []byte("cversion")

// countersAt is a decoded copy of a branch's counters at one version.
type countersAt struct {
	version  uint64
	counters []queue.Counter
}

// settingsCache holds the latest decoded settings and counters of each
// branch.
type settingsCache struct {
	mu       sync.Mutex
	branches map[string]*settings
	counters map[string]*countersAt
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
		return queue.CompareIDs(x.ID, y.ID)
	})
	if version != 0 && b.cache != nil {
		b.cache.put(b.id, s)
	}
	return s, nil
}

// touchCounters gives the branch's counters a new version and returns it.
func (b *BranchTx) touchCounters() (uint64, error) {
	version := rand.Uint64()
	return version, wrap("counters version", b.b.Put(keyCountersVersion, u64(version)))
}

// counters returns the branch's decoded counters, from the cache when the
// version matches. Callers must not modify them.
func (b *BranchTx) counters() ([]queue.Counter, error) {
	version, list, ok := b.cachedCounters()
	if ok {
		return list, nil
	}
	list, err := all[queue.Counter](b.bucket(bktCounters))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(list, func(x, y queue.Counter) int { return queue.CompareIDs(x.ID, y.ID) })
	b.cacheCounters(version, list)
	return list, nil
}

// cachedCounters returns the counters' current version, and the cached
// counters when they are of that version.
func (b *BranchTx) cachedCounters() (version uint64, list []queue.Counter, ok bool) {
	if v := b.b.Get(keyCountersVersion); len(v) == 8 {
		version = binary.BigEndian.Uint64(v)
	}
	if version == 0 || b.cache == nil {
		return version, nil, false
	}
	b.cache.mu.Lock()
	defer b.cache.mu.Unlock()
	if c := b.cache.counters[b.id]; c != nil && c.version == version {
		return version, c.counters, true
	}
	return version, nil, false
}

func (b *BranchTx) cacheCounters(version uint64, list []queue.Counter) {
	if version == 0 || b.cache == nil {
		return
	}
	b.cache.mu.Lock()
	defer b.cache.mu.Unlock()
	if b.cache.counters == nil {
		b.cache.counters = map[string]*countersAt{}
	}
	b.cache.counters[b.id] = &countersAt{version: version, counters: list}
}

// withCounter returns a new sorted list: list with c in place of the
// counter of the same id, or added.
func withCounter(list []queue.Counter, c queue.Counter) []queue.Counter {
	i, found := slices.BinarySearchFunc(list, c.ID, func(x queue.Counter, id string) int { return queue.CompareIDs(x.ID, id) })
	if found {
		out := slices.Clone(list)
		out[i] = c
		return out
	}
	return slices.Insert(slices.Clip(slices.Clone(list)), i, c)
}
