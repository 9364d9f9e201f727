package queue

import (
	"strconv"

	"github.com/seira-queue/seira/internal/jsonw"
)

// Tickets and events are written on every change, in the store's one
// committer: encoding them by hand is several times cheaper than by
// reflection. The output is what encoding/json writes for the same
// struct tags (json_test.go holds the two equal), so either decodes it.

// MarshalJSON encodes the ticket.
func (t Ticket) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 384)
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
	return append(b, '}'), nil
}

// MarshalJSON encodes the event.
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
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
	return append(b, '}'), nil
}
