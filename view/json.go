package view

import (
	"slices"
	"strconv"

	"github.com/seira-queue/seira/internal/jsonw"
	"github.com/seira-queue/seira/queue"
)

// AppendJSON writes the ticket as encoding/json would (json_test.go holds
// them equal), without reflection: every kiosk press answers with one.
func (t Ticket) AppendJSON(b []byte) []byte {
	b = append(b, `{"number":`...)
	b = jsonw.String(b, t.Number)
	b = jsonw.Field(b, "service", t.Service)
	b = append(b, `,"service_name":`...)
	b = appendText(b, t.ServiceName)
	b = jsonw.Field(b, "branch", t.Branch)
	b = jsonw.Field(b, "state", t.State)
	b = jsonw.Field(b, "priority", t.Priority)
	b = jsonw.Field(b, "lang", t.Lang)
	b = jsonw.Time(b, "issued_at", t.IssuedAt)
	if t.CalledAt != nil {
		b = jsonw.Time(b, "called_at", *t.CalledAt)
	} else {
		b = append(b, `,"called_at":null`...)
	}
	if t.Counter != nil {
		b = jsonw.Field(b, "counter", *t.Counter)
	} else {
		b = append(b, `,"counter":null`...)
	}
	if len(t.CounterName) > 0 {
		b = append(b, `,"counter_name":`...)
		b = appendText(b, t.CounterName)
	}
	b = append(b, `,"recalls":`...)
	b = strconv.AppendInt(b, int64(t.Recalls), 10)
	b = append(b, `,"position":`...)
	b = strconv.AppendInt(b, int64(t.Position), 10)
	b = append(b, `,"estimated_wait_s":`...)
	if t.EstimatedWaitS != nil {
		b = strconv.AppendInt(b, int64(*t.EstimatedWaitS), 10)
	} else {
		b = append(b, "null"...)
	}
	if t.AfterClosing {
		b = append(b, `,"after_closing":true`...)
	}
	b = jsonw.Field(b, "source", t.Source)
	if a := t.Appointment; a != nil {
		b = append(b, `,"appointment":{"code":`...)
		b = jsonw.String(b, a.Code)
		b = jsonw.Time(b, "start", a.Start)
		b = jsonw.FieldOmit(b, "reference", a.Reference)
		b = append(b, '}')
	}
	if t.BeThereBy != nil {
		b = jsonw.Time(b, "be_there_by", *t.BeThereBy)
	}
	b = jsonw.FieldOmit(b, "token", t.Token)
	b = jsonw.FieldOmit(b, "track_url", t.TrackURL)
	return append(b, '}')
}

// appendText writes a Text as encoding/json writes a map: keys sorted.
func appendText(b []byte, t queue.Text) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.String(b, k)
		b = append(b, ':')
		b = jsonw.String(b, t[k])
	}
	return append(b, '}')
}
