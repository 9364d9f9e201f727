package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/seira-queue/seira/queue"
)

// Tx is a read or write transaction over the store. It is valid only inside
// the function given to Update or View; byte slices it hands out are copies.
type Tx struct {
	tx    *bolt.Tx
	cache *settingsCache
	after []func()
	// log collects the writes for a replicated store (nil on bbolt).
	log *writeLog
}

// AfterCommit registers f to run once the transaction is durable. Hooks run
// on the committer goroutine in commit order, so they must not block.
func (t *Tx) AfterCommit(f func()) { t.after = append(t.after, f) }

// Branch opens the buckets of branch id, or returns not_found.
func (t *Tx) Branch(id string) (*BranchTx, error) {
	b := t.root(bktBranches).Bucket([]byte(id))
	if b == nil {
		return nil, queue.Errorf(queue.CodeNotFound, "no branch %q", id)
	}
	return &BranchTx{b: b, id: id, cache: t.cache}, nil
}

// CreateBranch creates branch br with its buckets, or returns conflict if it
// exists.
func (t *Tx) CreateBranch(br queue.Branch) (*BranchTx, error) {
	b, err := t.root(bktBranches).CreateBucket([]byte(br.ID))
	if errors.Is(err, berrors.ErrBucketExists) {
		return nil, queue.Errorf(queue.CodeConflict, "branch %q exists", br.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: create branch: %w", err)
	}
	for _, name := range branchBuckets() {
		if _, err := b.CreateBucket(name); err != nil {
			return nil, fmt.Errorf("storage: create branch: %w", err)
		}
	}
	bt := &BranchTx{b: b, id: br.ID, cache: t.cache}
	return bt, bt.PutConfig(br)
}

// BranchIDs lists the branches in id order.
func (t *Tx) BranchIDs() []string {
	var ids []string
	_ = t.root(bktBranches).ForEachBucket(func(k []byte) error {
		ids = append(ids, string(k))
		return nil
	})
	return ids
}

// NewRef allocates a store-wide reference to ticket id of branch. Refs
// grow in order, so indexing one touches only the last page of the
// bucket, unlike a random token.
func (t *Tx) NewRef(branch string, id uint64) (uint64, error) {
	refs := t.root(bktRefs)
	refs.fill(appendFill) // references only grow
	ref, err := refs.NextSequence()
	if err != nil {
		return 0, wrap("new ref", err)
	}
	return ref, wrap("put ref", refs.Put(u64(ref), append(u64(id), branch...)))
}

// Ref returns the branch and id of the ticket a reference points to.
func (t *Tx) Ref(ref uint64) (branch string, id uint64, err error) {
	v := t.root(bktRefs).Get(u64(ref))
	if len(v) < 8 {
		return "", 0, queue.Errorf(queue.CodeNotFound, "no such ticket")
	}
	return string(v[8:]), binary.BigEndian.Uint64(v[:8]), nil
}

// DeleteRef removes a reference (retention of personal links).
func (t *Tx) DeleteRef(ref uint64) error {
	return wrap("delete ref", t.root(bktRefs).Delete(u64(ref)))
}

// BranchTx is one branch's buckets within a transaction.
type BranchTx struct {
	b     *bucket
	id    string
	cache *settingsCache
	open  map[string]*bucket
}

// ID is the branch id.
func (b *BranchTx) ID() string { return b.id }

// Writable reports whether the transaction may write (and so may yet roll
// back what it reads).
func (b *BranchTx) Writable() bool { return b.b.Writable() }

// bucket returns one of the branch's buckets. bbolt opens a bucket anew on
// every lookup in a read transaction; an estimate looks some up hundreds
// of times, so they are kept for the transaction.
func (b *BranchTx) bucket(name []byte) *bucket {
	if bk, ok := b.open[string(name)]; ok {
		return bk
	}
	bk := b.b.Bucket(name)
	if bk != nil && appendOnly(name) {
		// Keys only grow here: full pages are never split again, so
		// packing them full means fewer pages to write and to read.
		bk.fill(appendFill)
	}
	if b.open == nil {
		b.open = map[string]*bucket{}
	}
	b.open[string(name)] = bk
	return bk
}

// appendFill is the page fill of buckets whose keys only grow.
const appendFill = 0.95

func appendOnly(name []byte) bool {
	switch string(name) {
	case string(bktTickets), string(bktEvents), string(bktOutcomes):
		return true
	}
	return false
}

// waitList returns service svc's waiting list (nil when it has none yet).
func (b *BranchTx) waitList(svc string) *bucket {
	key := "waiting/" + svc
	if bk, ok := b.open[key]; ok && bk != nil {
		return bk
	}
	bk := b.bucket(bktWaiting).Bucket([]byte(svc))
	if bk != nil {
		// Regular tickets join at the end: pack the pages full, so that
		// the last page, rewritten by every commit, stays short.
		bk.fill(appendFill)
		b.open[key] = bk
	}
	return bk
}

// Config returns the branch's settings.
func (b *BranchTx) Config() (queue.Branch, error) {
	s, err := b.settings()
	if err != nil {
		return queue.Branch{}, err
	}
	return s.config, nil
}

// PutConfig stores the branch's settings.
func (b *BranchTx) PutConfig(br queue.Branch) error {
	if err := putJSON(b.b, keyConfig, br); err != nil {
		return err
	}
	return b.touch()
}

// Day returns the service day the branch last acted in ("" for never).
func (b *BranchTx) Day() string { return string(b.b.Get(keyDay)) }

// PutDay records the branch's current service day.
func (b *BranchTx) PutDay(day string) error { return wrap("put day", b.b.Put(keyDay, []byte(day))) }

// Service returns service id or not_found.
//
// Settings are shared, decoded copies: callers get their own structs and
// slices of structs but must not modify the slices and maps inside them
// (Name, Serves, Priorities).
func (b *BranchTx) Service(id string) (queue.Service, error) {
	s, err := b.settings()
	if err != nil {
		return queue.Service{}, err
	}
	for _, svc := range s.services {
		if svc.ID == id {
			return svc, nil
		}
	}
	return queue.Service{}, queue.Errorf(queue.CodeNotFound, "no service %s", id)
}

// Services returns every service, in display order.
func (b *BranchTx) Services() ([]queue.Service, error) {
	s, err := b.settings()
	if err != nil {
		return nil, err
	}
	return slices.Clone(s.services), nil
}

// PutService stores a service.
func (b *BranchTx) PutService(s queue.Service) error {
	if err := putJSON(b.bucket(bktServices), []byte(s.ID), s); err != nil {
		return err
	}
	return b.touch()
}

// DeleteService removes a service.
func (b *BranchTx) DeleteService(id string) error {
	if err := b.bucket(bktServices).Delete([]byte(id)); err != nil {
		return wrap("delete service", err)
	}
	return b.touch()
}

// Counter returns counter id or not_found.
func (b *BranchTx) Counter(id string) (queue.Counter, error) {
	list, err := b.counters()
	if err != nil {
		return queue.Counter{}, err
	}
	for _, c := range list {
		if c.ID == id {
			return c, nil
		}
	}
	return queue.Counter{}, queue.Errorf(queue.CodeNotFound, "no counter %s", id)
}

// Counters returns every counter in id order (numeric ids in numeric order).
func (b *BranchTx) Counters() ([]queue.Counter, error) {
	list, err := b.counters()
	return slices.Clone(list), err
}

// PutCounter stores a counter.
func (b *BranchTx) PutCounter(c queue.Counter) error {
	raw, err := encodeRecord(c)
	if err != nil {
		return err
	}
	_, before, cached := b.cachedCounters()
	if err := b.bucket(bktCounters).Put([]byte(c.ID), raw); err != nil {
		return wrap("put counter", err)
	}
	version, err := b.touchCounters()
	if err != nil {
		return err
	}
	if cached {
		// Every call writes a counter: carry the cached list over to the
		// new version rather than have the next read decode them all. The
		// copy is decoded from what was stored, so it is what a read would
		// give.
		var stored queue.Counter
		if err := decodeRecord(raw, &stored); err != nil {
			return err
		}
		b.cacheCounters(version, withCounter(before, stored))
	}
	return nil
}

// DeleteCounter removes a counter.
func (b *BranchTx) DeleteCounter(id string) error {
	if err := b.bucket(bktCounters).Delete([]byte(id)); err != nil {
		return wrap("delete counter", err)
	}
	_, err := b.touchCounters()
	return err
}

// NewTicketID allocates the next ticket id of the branch.
func (b *BranchTx) NewTicketID() (uint64, error) {
	id, err := b.bucket(bktTickets).NextSequence()
	return id, wrap("new ticket id", err)
}

// Ticket returns ticket id or not_found.
func (b *BranchTx) Ticket(id uint64) (queue.Ticket, error) {
	var t queue.Ticket
	return t, getJSON(b.bucket(bktTickets), u64(id), &t, "ticket")
}

// PutTicket stores a ticket.
func (b *BranchTx) PutTicket(t queue.Ticket) error {
	return putJSON(b.bucket(bktTickets), u64(t.ID), t)
}

// ForEachTicket calls f for every ticket with id ≥ from, in id order, until f
// returns false.
func (b *BranchTx) ForEachTicket(from uint64, f func(queue.Ticket) (bool, error)) error {
	c := b.bucket(bktTickets).Cursor()
	return scan(func() ([]byte, []byte) { return c.Seek(u64(from)) }, c.Next, "ticket", f)
}

// NextNumber allocates the next daily sequence of a service on a service day.
func (b *BranchTx) NextNumber(day, service string) (int, error) {
	nb := b.bucket(bktNumbers)
	k := []byte(day + "/" + service)
	var n uint32
	if v := nb.Get(k); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	n++
	v := make([]byte, 4)
	binary.BigEndian.PutUint32(v, n)
	return int(n), wrap("next number", nb.Put(k, v))
}

// PruneNumbers drops the number counters of days before day.
func (b *BranchTx) PruneNumbers(day string) error {
	return deleteBefore(b.bucket(bktNumbers), []byte(day))
}

// ServiceEstimate returns the learned service time of a service, and
// whether it has samples (else the zero estimate: the caller starts from
// the service's default, queue.NewServiceEstimate).
func (b *BranchTx) ServiceEstimate(service string) (queue.ServiceEstimate, bool) {
	v := b.bucket(bktServiceTimes).Get([]byte(service))
	var e queue.ServiceEstimate
	switch len(v) {
	case 8: // written before the count was kept
		e.Recent, e.N = time.Duration(binary.BigEndian.Uint64(v)), 100
	case 16, 32: // before the long-run mean was kept: it starts there
		e.Recent, e.N = time.Duration(binary.BigEndian.Uint64(v)), int(binary.BigEndian.Uint64(v[8:]))
	default:
		return e, false
	}
	e.Long = e.Recent
	if len(v) == 32 {
		e.Long, e.Var = time.Duration(binary.BigEndian.Uint64(v[16:])), math.Float64frombits(binary.BigEndian.Uint64(v[24:]))
	}
	return e, e.N > 0
}

// PutServiceEstimate stores the learned service time of a service.
func (b *BranchTx) PutServiceEstimate(service string, e queue.ServiceEstimate) error {
	v := append(append(append(u64(uint64(e.Recent)), u64(uint64(e.N))...), u64(uint64(e.Long))...), u64(math.Float64bits(e.Var))...)
	return wrap("put service time", b.bucket(bktServiceTimes).Put([]byte(service), v))
}

// Idempotent returns the ticket issued earlier under key, if any.
func (b *BranchTx) Idempotent(key string) (uint64, bool) {
	v := b.bucket(bktIdempotency).Get([]byte(key))
	if len(v) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v[:8]), true
}

// PutIdempotent records that key issued ticket id on service day day.
func (b *BranchTx) PutIdempotent(key string, id uint64, day string) error {
	return wrap("put idempotency key", b.bucket(bktIdempotency).Put([]byte(key), append(u64(id), day...)))
}

// PruneIdempotent forgets keys recorded on service days before day: a retry
// comes within seconds, not days.
func (b *BranchTx) PruneIdempotent(day string) error {
	ib := b.bucket(bktIdempotency)
	var old [][]byte
	_ = ib.ForEach(func(k, v []byte) error {
		if len(v) >= 8 && string(v[8:]) < day {
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range old {
		if err := ib.Delete(k); err != nil {
			return wrap("prune idempotency keys", err)
		}
	}
	return nil
}

func getJSON(b *bucket, key []byte, v any, what string) error {
	raw := b.Get(key)
	if raw == nil {
		return queue.Errorf(queue.CodeNotFound, "no %s", what)
	}
	if err := decodeRecord(raw, v); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

func putJSON(b *bucket, key []byte, v any) error {
	raw, err := encodeRecord(v)
	if err != nil {
		return err
	}
	return wrap("put", b.Put(key, raw))
}

// scan decodes the JSON records of a bucket keyed by uint64, from the one
// first finds on with next, until f returns false or an error.
func scan[T any](first, next func() ([]byte, []byte), what string, f func(T) (bool, error)) error {
	for k, v := first(); k != nil; k, v = next() {
		var x T
		if err := decodeRecord(v, &x); err != nil {
			return fmt.Errorf("storage: %s %d: %w", what, binary.BigEndian.Uint64(k), err)
		}
		if more, err := f(x); err != nil || !more {
			return err
		}
	}
	return nil
}

// stopOnly adapts a callback that cannot fail to scan.
func stopOnly[T any](f func(T) bool) func(T) (bool, error) {
	return func(x T) (bool, error) { return f(x), nil }
}

func all[T any](b *bucket) ([]T, error) {
	var list []T
	err := b.ForEach(func(k, v []byte) error {
		var x T
		if err := decodeRecord(v, &x); err != nil {
			return fmt.Errorf("storage: %s: %w", k, err)
		}
		list = append(list, x)
		return nil
	})
	return list, err
}

func deleteBefore(b *bucket, limit []byte) error {
	var drop [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.Next() {
		drop = append(drop, bytes.Clone(k))
	}
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return wrap("prune", err)
		}
	}
	return nil
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("storage: %s: %w", what, err)
}

// DeleteBranch removes a branch and everything in it, with the refs of its
// tickets.
func (t *Tx) DeleteBranch(id string) error {
	refs := t.root(bktRefs)
	var drop [][]byte
	_ = refs.ForEach(func(k, v []byte) error {
		if len(v) >= 8 && string(v[8:]) == id {
			drop = append(drop, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range drop {
		if err := refs.Delete(k); err != nil {
			return wrap("delete branch", err)
		}
	}
	if err := t.root(bktBranches).DeleteBucket([]byte(id)); err != nil {
		return wrap("delete branch", err)
	}
	return nil
}

// Purged is the id up to which tickets have had their tokens removed.
func (b *BranchTx) Purged() uint64 {
	if v := b.b.Get(keyPurged); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// PutPurged records the retention watermark.
func (b *BranchTx) PutPurged(id uint64) error { return wrap("put purged", b.b.Put(keyPurged, u64(id))) }

// PriorityRate returns when the last priority ticket of service svc was
// issued and the arrival rate estimated then (per hour; zeros when none).
func (b *BranchTx) PriorityRate(svc string) (last time.Time, perHour float64) {
	v := b.bucket(bktArrivals).Get([]byte(svc))
	if len(v) != 16 {
		return time.Time{}, 0
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))), math.Float64frombits(binary.BigEndian.Uint64(v[8:]))
}

// PutPriorityRate stores PriorityRate's values.
func (b *BranchTx) PutPriorityRate(svc string, last time.Time, perHour float64) error {
	v := append(u64(uint64(last.UnixNano())), u64(math.Float64bits(perHour))...)
	return wrap("put priority rate", b.bucket(bktArrivals).Put([]byte(svc), v))
}

// arrivalHistoryKey is the key of service svc's arrival history in the
// arrivals bucket (svc "": the branch's): a zero byte first, which no
// service id (queue.ValidID) has, so it is never a priority rate's key.
func arrivalHistoryKey(svc string) []byte { return append([]byte{0}, svc...) }

// arrivalHistoryLen is an encoded queue.ArrivalHistory: the priority
// share's two counts, the profile's day and days, and its two rows of 24
// hours, each 8 bytes big-endian (floats by their bits).
const arrivalHistoryLen = 8 * (2 + 2 + 24 + 24)

// ArrivalHistory returns what service svc's walk-in arrivals have taught
// (svc "": the branch's, all services together); zero when nothing yet.
func (b *BranchTx) ArrivalHistory(svc string) queue.ArrivalHistory {
	var h queue.ArrivalHistory
	v := b.bucket(bktArrivals).Get(arrivalHistoryKey(svc))
	if len(v) != arrivalHistoryLen {
		return h // none, or unreadable: learned again
	}
	f := func(i int) float64 { return math.Float64frombits(binary.BigEndian.Uint64(v[8*i:])) }
	h.Priority.Yes, h.Priority.All = f(0), f(1)
	h.Profile.Day, h.Profile.Days = int64(binary.BigEndian.Uint64(v[16:])), f(3)
	for k := range 24 {
		h.Profile.Past[k], h.Profile.Today[k] = f(4+k), f(28+k)
	}
	return h
}

// PutArrivalHistory stores ArrivalHistory's value.
func (b *BranchTx) PutArrivalHistory(svc string, h queue.ArrivalHistory) error {
	v := make([]byte, 0, arrivalHistoryLen)
	f := func(x float64) { v = binary.BigEndian.AppendUint64(v, math.Float64bits(x)) }
	f(h.Priority.Yes)
	f(h.Priority.All)
	v = binary.BigEndian.AppendUint64(v, uint64(h.Profile.Day))
	f(h.Profile.Days)
	for _, x := range h.Profile.Past {
		f(x)
	}
	for _, x := range h.Profile.Today {
		f(x)
	}
	return wrap("put arrival history", b.bucket(bktArrivals).Put(arrivalHistoryKey(svc), v))
}

// PauseTime returns the branch's moving mean pause length (0: none seen).
func (b *BranchTx) PauseTime() time.Duration {
	if v := b.b.Get(keyPause); len(v) == 8 {
		return time.Duration(binary.BigEndian.Uint64(v))
	}
	return 0
}

// PutPauseTime stores the moving mean pause length.
func (b *BranchTx) PutPauseTime(d time.Duration) error {
	return wrap("put pause time", b.b.Put(keyPause, u64(uint64(d))))
}
