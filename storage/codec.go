package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/seira-queue/seira/internal/jsonw"
	"github.com/seira-queue/seira/queue"
)

// The codec is how the domain's values are stored: JSON for settings,
// tickets and events, a compact binary form for outcomes. It belongs to
// storage, not to the domain, and it is the one place that knows it: a
// second store (etcd) writes the same bytes.
//
// Tickets and events are written on every change, in the store's one
// committer: they are encoded by hand, several times cheaper than by
// reflection. The output is what encoding/json writes for the same struct
// tags (codec_test.go holds the two equal), so either decodes it. Records
// an earlier version wrote are kept in testdata/golden and must go on
// decoding.

// encodeRecord returns the stored form of a value.
func encodeRecord(v any) ([]byte, error) {
	switch x := v.(type) {
	case queue.Ticket:
		return appendTicket(make([]byte, 0, 384), x), nil
	case *queue.Ticket:
		return appendTicket(make([]byte, 0, 384), *x), nil
	case queue.Event:
		return appendEvent(make([]byte, 0, 256), x), nil
	case *queue.Event:
		return appendEvent(make([]byte, 0, 256), *x), nil
	case queue.Outcome:
		return appendOutcome(make([]byte, 0, 64), x), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("storage: encode %T: %w", v, err)
	}
	return raw, nil
}

// decodeRecord reads a stored value into v (a pointer).
func decodeRecord(raw []byte, v any) error {
	if o, ok := v.(*queue.Outcome); ok {
		return decodeOutcome(raw, o, func(b []byte) string { return string(b) })
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("storage: decode %T: %w", v, err)
	}
	return nil
}

func appendTicket(b []byte, t queue.Ticket) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, t.ID, 10)
	b = jsonw.Field(b, "token", t.Token)
	b = jsonw.Field(b, "branch", t.Branch)
	b = jsonw.Field(b, "service", t.Service)
	b = jsonw.Field(b, "number", t.Number)
	b = jsonw.Field(b, "day", t.Day)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, int64(t.Seq), 10)
	b = jsonw.Field(b, "priority", t.Priority)
	b = jsonw.Field(b, "lang", t.Lang)
	b = jsonw.Field(b, "state", string(t.State))
	b = jsonw.Time(b, "issued_at", t.IssuedAt)
	b = jsonw.TimeOmit(b, "called_at", t.CalledAt)
	b = jsonw.TimeOmit(b, "started_at", t.StartedAt)
	b = jsonw.TimeOmit(b, "finished_at", t.FinishedAt)
	b = jsonw.FieldOmit(b, "counter", t.Counter)
	b = jsonw.FieldOmit(b, "clerk", t.Clerk)
	if t.Recalls != 0 {
		b = append(b, `,"recalls":`...)
		b = strconv.AppendInt(b, int64(t.Recalls), 10)
	}
	if len(t.Transfers) > 0 {
		b = append(b, `,"transfers":[`...)
		for i, tr := range t.Transfers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"from":`...)
			b = jsonw.String(b, tr.From)
			b = jsonw.Field(b, "to", tr.To)
			b = jsonw.Time(b, "at", tr.At)
			b = jsonw.FieldOmit(b, "counter", tr.Counter)
			b = jsonw.FieldOmit(b, "clerk", tr.Clerk)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = jsonw.FieldOmit(b, "device", t.Device)
	b = jsonw.TimeOmit(b, "first_called_at", t.FirstCalledAt)
	b = jsonw.FieldOmit(b, "source", t.Source)
	if a := t.Appointment; a != nil {
		b = append(b, `,"appointment":{"code":`...)
		b = jsonw.String(b, a.Code)
		b = jsonw.Time(b, "start", a.Start)
		b = jsonw.FieldOmit(b, "reference", a.Reference)
		b = append(b, '}')
	}
	b = jsonw.TimeOmit(b, "be_there_by", t.BeThereBy)
	return append(b, '}')
}

func appendEvent(b []byte, e queue.Event) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = jsonw.Field(b, "type", string(e.Type))
	b = jsonw.Time(b, "at", e.At)
	b = jsonw.Field(b, "branch", e.Branch)
	if e.Ticket != 0 {
		b = append(b, `,"ticket":`...)
		b = strconv.AppendUint(b, e.Ticket, 10)
	}
	b = jsonw.FieldOmit(b, "number", e.Number)
	b = jsonw.FieldOmit(b, "service", e.Service)
	b = jsonw.FieldOmit(b, "priority", e.Priority)
	b = jsonw.FieldOmit(b, "from", e.From)
	b = jsonw.TimeOmit(b, "issued_at", e.IssuedAt)
	b = jsonw.FieldOmit(b, "counter", e.Counter)
	b = jsonw.FieldOmit(b, "actor", e.Actor)
	b = jsonw.FieldOmit(b, "subject", e.Subject)
	if len(e.Detail) > 0 {
		b = append(b, `,"detail":`...)
		b = append(b, e.Detail...)
	}
	return append(b, '}')
}

// outcomeVersion is the first byte of an outcome record.
const outcomeVersion = 1

// outcomeRemote is the flag of a ticket from home in an outcome record.
const outcomeRemote = 2

// appendOutcome encodes an outcome compactly: statistics over millions of
// tickets decode it millions of times. Day and ID are in the key; times
// are kept to the millisecond.
func appendOutcome(b []byte, o queue.Outcome) []byte {
	// The third byte holds flags: priority, and since the remote tickets'
	// schema a ticket from home (older records have 0 or 1 there).
	flags := boolByte(o.Priority)
	if o.Remote {
		flags |= outcomeRemote
	}
	b = append(b, outcomeVersion, stateCode(o.State), flags)
	for _, t := range []time.Time{o.Issued, o.FirstCalled, o.Called, o.Started, o.Finished} {
		b = binary.AppendVarint(b, unixMilli(t))
	}
	for _, s := range []string{o.Service, o.FirstService, o.Counter, o.Clerk} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	if !o.Slot.IsZero() {
		// Since schema 6: an appointment's slot, after what every
		// outcome has (a walk-in's record is as before).
		b = binary.AppendVarint(b, unixMilli(o.Slot))
	}
	return b
}

var errOutcome = errors.New("storage: malformed outcome record")

// decodeOutcome reads appendOutcome's form into o (ID and Day stay as
// set), with its strings made by str, so that a reader of millions of
// outcomes can share the few distinct service, counter and clerk names.
func decodeOutcome(b []byte, o *queue.Outcome, str func([]byte) string) error {
	if len(b) < 3 || b[0] != outcomeVersion {
		return errOutcome
	}
	o.State, o.Priority, o.Remote = stateOfCode(b[1]), b[2]&1 == 1, b[2]&outcomeRemote != 0
	b = b[3:]
	for _, t := range []*time.Time{&o.Issued, &o.FirstCalled, &o.Called, &o.Started, &o.Finished} {
		v, n := binary.Varint(b)
		if n <= 0 {
			return errOutcome
		}
		*t = fromUnixMilli(v)
		b = b[n:]
	}
	for _, s := range []*string{&o.Service, &o.FirstService, &o.Counter, &o.Clerk} {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return errOutcome
		}
		*s = str(b[n : n+int(l)])
		b = b[n+int(l):]
	}
	o.Slot = time.Time{} // readers reuse one Outcome for many records
	if len(b) > 0 {
		v, n := binary.Varint(b)
		if n <= 0 {
			return errOutcome
		}
		o.Slot = fromUnixMilli(v)
	}
	return nil
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUnixMilli(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func stateCode(s queue.State) byte {
	switch s {
	case queue.StateDone:
		return 1
	case queue.StateNoShow:
		return 2
	case queue.StateCancelled:
		return 3
	case queue.StateExpired:
		return 4
	}
	return 0
}

func stateOfCode(c byte) queue.State {
	switch c {
	case 1:
		return queue.StateDone
	case 2:
		return queue.StateNoShow
	case 3:
		return queue.StateCancelled
	case 4:
		return queue.StateExpired
	}
	return ""
}
