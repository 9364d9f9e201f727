package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/seira-queue/seira/queue"
)

// An appointment is stored by id (appts) and found by its code
// (apptcodes), its outside system's id (apptext), its start (apptstarts:
// start ‖ id, for a day's list, reminders and retention) and its token
// (the store-wide appttokens: token → id ‖ branch). apptslots counts the
// places taken in each slot of a service (service ‖ 0 ‖ start), so that
// a booking reads and raises one count in its transaction: two citizens
// booking the last place are two transactions, one after the other.

// NewAppointmentID allocates the next appointment id of the branch.
func (b *BranchTx) NewAppointmentID() (uint64, error) {
	id, err := b.bucket(bktAppts).NextSequence()
	return id, wrap("new appointment id", err)
}

// Appointment returns appointment id or not_found.
func (b *BranchTx) Appointment(id uint64) (queue.Appointment, error) {
	var a queue.Appointment
	return a, getJSON(b.bucket(bktAppts), u64(id), &a, "appointment")
}

// AppointmentByCode returns the appointment with code, or not_found.
func (b *BranchTx) AppointmentByCode(code string) (queue.Appointment, error) {
	v := b.bucket(bktApptCodes).Get([]byte(code))
	if len(v) != 8 {
		return queue.Appointment{}, queue.Errorf(queue.CodeNotFound, "no appointment with code %s here", code)
	}
	return b.Appointment(binary.BigEndian.Uint64(v))
}

// AppointmentByExternalID returns the appointment imported with ext.
func (b *BranchTx) AppointmentByExternalID(ext string) (queue.Appointment, bool, error) {
	v := b.bucket(bktApptExt).Get([]byte(ext))
	if len(v) != 8 {
		return queue.Appointment{}, false, nil
	}
	a, err := b.Appointment(binary.BigEndian.Uint64(v))
	return a, err == nil, err
}

// CodeTaken reports whether an appointment of this branch has code.
func (b *BranchTx) CodeTaken(code string) bool {
	return b.bucket(bktApptCodes).Get([]byte(code)) != nil
}

// PutAppointment stores an appointment and its indexes. prev is the
// stored version it replaces (nil for a new one), whose start index it
// moves.
func (b *BranchTx) PutAppointment(a queue.Appointment, prev *queue.Appointment) error {
	if err := putJSON(b.bucket(bktAppts), u64(a.ID), a); err != nil {
		return err
	}
	if prev != nil && !prev.Start.Equal(a.Start) {
		if err := b.bucket(bktApptStarts).Delete(startKey(prev.Start, prev.ID)); err != nil {
			return wrap("move appointment", err)
		}
	}
	if err := b.bucket(bktApptStarts).Put(startKey(a.Start, a.ID), nil); err != nil {
		return wrap("index appointment", err)
	}
	if err := b.bucket(bktApptCodes).Put([]byte(a.Code), u64(a.ID)); err != nil {
		return wrap("index appointment code", err)
	}
	if a.ExternalID != "" {
		if err := b.bucket(bktApptExt).Put([]byte(a.ExternalID), u64(a.ID)); err != nil {
			return wrap("index appointment external id", err)
		}
	}
	return nil
}

func startKey(start time.Time, id uint64) []byte {
	return append(u64(uint64(start.UnixNano())), u64(id)...)
}

// ForEachAppointment calls f for each appointment starting in [from, to),
// in start order, until f returns false.
func (b *BranchTx) ForEachAppointment(from, to time.Time, f func(queue.Appointment) (bool, error)) error {
	c := b.bucket(bktApptStarts).Cursor()
	limit := u64(uint64(to.UnixNano()))
	for k, _ := c.Seek(u64(uint64(from.UnixNano()))); k != nil && bytes.Compare(k[:8], limit) < 0; k, _ = c.Next() {
		if len(k) != 16 {
			continue
		}
		a, err := b.Appointment(binary.BigEndian.Uint64(k[8:]))
		if err != nil {
			return err
		}
		if more, err := f(a); err != nil || !more {
			return err
		}
	}
	return nil
}

func slotKey(service string, start time.Time) []byte {
	return append(append([]byte(service), 0), u64(uint64(start.UnixNano()))...)
}

// SlotTaken returns how many places of service's slot at start are taken.
func (b *BranchTx) SlotTaken(service string, start time.Time) int {
	v := b.bucket(bktApptSlots).Get(slotKey(service, start))
	if len(v) != 4 {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

// AddSlotTaken changes the places taken in a slot by delta.
func (b *BranchTx) AddSlotTaken(service string, start time.Time, delta int) error {
	n := b.SlotTaken(service, start) + delta
	if n < 0 {
		return fmt.Errorf("storage: slot %s %s below zero", service, start)
	}
	k := slotKey(service, start)
	if n == 0 {
		return wrap("free slot", b.bucket(bktApptSlots).Delete(k))
	}
	v := make([]byte, 4)
	binary.BigEndian.PutUint32(v, uint32(n))
	return wrap("take slot", b.bucket(bktApptSlots).Put(k, v))
}

// SlotsTaken returns the places taken in service's slots starting in
// [from, to), by start.
func (b *BranchTx) SlotsTaken(service string, from, to time.Time) map[int64]int {
	out := map[int64]int{}
	c := b.bucket(bktApptSlots).Cursor()
	prefix := append([]byte(service), 0)
	limit := slotKey(service, to)
	for k, v := c.Seek(slotKey(service, from)); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, limit) < 0; k, v = c.Next() {
		if len(v) == 4 && len(k) == len(prefix)+8 {
			out[int64(binary.BigEndian.Uint64(k[len(prefix):]))] = int(binary.BigEndian.Uint32(v))
		}
	}
	return out
}

// apptWaitKey is an appointment ticket's key in apptwait: its service,
// then its slot start, then its check-in, number and id: the policy's
// order among appointments of one service (queue.PickAt).
func apptWaitKey(c queue.Candidate) []byte {
	k := append([]byte(c.Service), 0)
	k = binary.BigEndian.AppendUint64(k, uint64(c.Due))
	k = binary.BigEndian.AppendUint64(k, uint64(c.IssuedAt))
	k = binary.BigEndian.AppendUint32(k, uint32(c.Seq))
	return binary.BigEndian.AppendUint64(k, c.ID)
}

// DueHead returns the waiting appointment ticket of service svc with the
// earliest slot (the call-next policy's third head).
func (b *BranchTx) DueHead(svc string) (queue.Candidate, bool) {
	prefix := append([]byte(svc), 0)
	k, _ := b.bucket(bktApptWait).Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+28 {
		return queue.Candidate{}, false
	}
	r := k[len(prefix):]
	return queue.Candidate{
		Service:  svc,
		Due:      int64(binary.BigEndian.Uint64(r)),
		IssuedAt: int64(binary.BigEndian.Uint64(r[8:])),
		Seq:      int(binary.BigEndian.Uint32(r[16:])),
		ID:       binary.BigEndian.Uint64(r[20:]),
	}, true
}

// PutApptToken indexes an appointment's token store-wide.
func (t *Tx) PutApptToken(token, branch string, id uint64) error {
	return wrap("put appointment token", t.root(bktApptTokens).Put([]byte(token), append(u64(id), branch...)))
}

// ApptToken returns the branch and id an appointment token leads to.
func (t *Tx) ApptToken(token string) (branch string, id uint64, err error) {
	v := t.root(bktApptTokens).Get([]byte(token))
	if len(v) < 8 {
		return "", 0, queue.Errorf(queue.CodeNotFound, "no such appointment")
	}
	return string(v[8:]), binary.BigEndian.Uint64(v[:8]), nil
}

// DeleteApptToken removes an appointment's token (retention).
func (t *Tx) DeleteApptToken(token string) error {
	return wrap("delete appointment token", t.root(bktApptTokens).Delete([]byte(token)))
}

// ApptSwept is the time up to which the day's turn has swept the
// appointments (no-shows, contact data); zero for never.
func (b *BranchTx) ApptSwept() time.Time {
	if v := b.b.Get(keyApptSwept); len(v) == 8 {
		return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
	}
	return time.Unix(0, 0)
}

// PutApptSwept records ApptSwept.
func (b *BranchTx) PutApptSwept(t time.Time) error {
	return wrap("put appointments swept", b.b.Put(keyApptSwept, u64(uint64(t.UnixNano()))))
}
