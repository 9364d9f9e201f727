package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/seira-queue/seira/queue"
)

// AddWaiting puts a candidate into its service's waiting list.
func (b *BranchTx) AddWaiting(c queue.Candidate) error {
	wb := b.waitList(c.Service)
	if wb == nil {
		var err error
		if wb, err = b.bucket(bktWaiting).CreateBucket([]byte(c.Service)); err != nil {
			return wrap("add waiting", err)
		}
		wb.fill(appendFill)
		b.open["waiting/"+c.Service] = wb
	}
	if err := wb.Put(waitKey(c), nil); err != nil {
		return wrap("add waiting", err)
	}
	if c.Due != 0 {
		if err := b.bucket(bktApptWait).Put(apptWaitKey(c), nil); err != nil {
			return wrap("add waiting appointment", err)
		}
	}
	return b.addCount(c.Service, c.Priority, 1)
}

// RemoveWaiting takes a candidate out of its service's waiting list.
func (b *BranchTx) RemoveWaiting(c queue.Candidate) error {
	wb := b.waitList(c.Service)
	k := waitKey(c)
	if wb == nil || !hasKey(wb, k) {
		return fmt.Errorf("storage: ticket %d is not in the waiting list of %s", c.ID, c.Service)
	}
	if err := wb.Delete(k); err != nil {
		return wrap("remove waiting", err)
	}
	if c.Due != 0 {
		if err := b.bucket(bktApptWait).Delete(apptWaitKey(c)); err != nil {
			return wrap("remove waiting appointment", err)
		}
	}
	return b.addCount(c.Service, c.Priority, -1)
}

// Heads returns, of each service, the first priority and the first
// regular candidate, and the appointment ticket with the earliest slot:
// all the call-next policy needs, in three seeks per service. An
// appointment ticket is in its class's list by check-in time too; one
// whose slot has begun by now (Unix ns) is passed over there, as the
// policy takes it by its slot, so that the regular head is the oldest of
// those who compete as walk-ins. (Appointments are few: the walk past
// them is short.)
func (b *BranchTx) Heads(services []string, now int64) []queue.Candidate {
	var heads []queue.Candidate
	for _, svc := range services {
		wb := b.waitList(svc)
		if wb == nil {
			continue
		}
		c := wb.Cursor()
		for _, class := range []byte{classPriority, classRegular} {
			for k, _ := c.Seek([]byte{class}); k != nil && k[0] == class; k, _ = c.Next() {
				cand, ok := parseWaitKey(svc, k)
				if !ok {
					continue
				}
				if cand.Due != 0 && cand.Due <= now {
					continue
				}
				heads = append(heads, cand)
				break
			}
		}
		if d, ok := b.DueHead(svc); ok {
			heads = append(heads, d)
		}
	}
	return heads
}

// Waiting calls f for each waiting candidate of service svc in call order
// (priority first) until f returns false.
func (b *BranchTx) Waiting(svc string, f func(queue.Candidate) bool) {
	wb := b.waitList(svc)
	if wb == nil {
		return
	}
	c := wb.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if cand, ok := parseWaitKey(svc, k); ok && !f(cand) {
			return
		}
	}
}

// WaitingCount returns how many priority and regular tickets wait for svc.
func (b *BranchTx) WaitingCount(svc string) (priority, regular int) {
	v := b.bucket(bktWaitCount).Get([]byte(svc))
	if len(v) != 8 {
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(v)), int(binary.BigEndian.Uint32(v[4:]))
}

// CountBefore counts the tickets of service svc that wait ahead of t in call
// order (queue.Before). It reads the stored counts where a whole class is
// ahead or behind and walks the list only within t's class.
func (b *BranchTx) CountBefore(svc string, t queue.Candidate) int {
	pri, reg := b.WaitingCount(svc)
	if !t.Priority {
		// Every priority ticket is ahead; regular ones ahead by issue order.
		return pri + b.countClassBefore(svc, classRegular, reg, t)
	}
	return b.countClassBefore(svc, classPriority, pri, t)
}

func (b *BranchTx) countClassBefore(svc string, class byte, total int, t queue.Candidate) int {
	if total == 0 {
		return 0
	}
	wb := b.waitList(svc)
	if wb == nil {
		return 0
	}
	limit := waitKey(t)
	limit[0] = class
	// Walk from both ends at once and stop at the first to reach t's place:
	// O(min(ahead, behind)) keys. A ticket just issued is near the back, one
	// about to be called near the front; both are cheap.
	fwd, bwd := wb.Cursor(), wb.Cursor()
	fk, _ := fwd.Seek([]byte{class})
	var bk []byte
	if k, _ := bwd.Seek([]byte{class + 1}); k != nil {
		bk, _ = bwd.Prev()
	} else {
		bk, _ = bwd.Last()
	}
	before, behind := 0, 0
	for {
		if fk == nil || fk[0] != class || bytes.Compare(fk, limit) >= 0 {
			return before
		}
		before++
		fk, _ = fwd.Next()
		if bk == nil || bk[0] != class || bytes.Compare(bk, limit) < 0 {
			return total - behind
		}
		behind++
		bk, _ = bwd.Prev()
	}
}

func (b *BranchTx) addCount(svc string, priority bool, delta int) error {
	pri, reg := b.WaitingCount(svc)
	if priority {
		pri += delta
	} else {
		reg += delta
	}
	if pri < 0 || reg < 0 {
		return fmt.Errorf("storage: waiting count of %s below zero", svc)
	}
	v := make([]byte, 8)
	binary.BigEndian.PutUint32(v, uint32(pri))
	binary.BigEndian.PutUint32(v[4:], uint32(reg))
	return wrap("waiting count", b.bucket(bktWaitCount).Put([]byte(svc), v))
}
