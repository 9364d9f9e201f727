package queue

import (
	"strconv"
	"time"
	"unicode/utf8"
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
	b = appendField(b, "token", t.Token)
	b = appendField(b, "branch", t.Branch)
	b = appendField(b, "service", t.Service)
	b = appendField(b, "number", t.Number)
	b = appendField(b, "day", t.Day)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, int64(t.Seq), 10)
	b = appendField(b, "priority", t.Priority)
	b = appendField(b, "lang", t.Lang)
	b = appendField(b, "state", string(t.State))
	b = appendTime(b, "issued_at", t.IssuedAt)
	b = appendTimeOmit(b, "called_at", t.CalledAt)
	b = appendTimeOmit(b, "started_at", t.StartedAt)
	b = appendTimeOmit(b, "finished_at", t.FinishedAt)
	b = appendFieldOmit(b, "counter", t.Counter)
	b = appendFieldOmit(b, "clerk", t.Clerk)
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
			b = appendString(b, tr.From)
			b = appendField(b, "to", tr.To)
			b = appendTime(b, "at", tr.At)
			b = appendFieldOmit(b, "counter", tr.Counter)
			b = appendFieldOmit(b, "clerk", tr.Clerk)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendFieldOmit(b, "device", t.Device)
	b = appendTimeOmit(b, "first_called_at", t.FirstCalledAt)
	return append(b, '}'), nil
}

// MarshalJSON encodes the event.
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = appendField(b, "type", string(e.Type))
	b = appendTime(b, "at", e.At)
	b = appendField(b, "branch", e.Branch)
	if e.Ticket != 0 {
		b = append(b, `,"ticket":`...)
		b = strconv.AppendUint(b, e.Ticket, 10)
	}
	b = appendFieldOmit(b, "number", e.Number)
	b = appendFieldOmit(b, "service", e.Service)
	b = appendFieldOmit(b, "priority", e.Priority)
	b = appendFieldOmit(b, "from", e.From)
	b = appendTimeOmit(b, "issued_at", e.IssuedAt)
	b = appendFieldOmit(b, "counter", e.Counter)
	b = appendFieldOmit(b, "actor", e.Actor)
	b = appendFieldOmit(b, "subject", e.Subject)
	if len(e.Detail) > 0 {
		b = append(b, `,"detail":`...)
		b = append(b, e.Detail...)
	}
	return append(b, '}'), nil
}

func appendField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

func appendFieldOmit(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendField(b, name, v)
}

func appendTime(b []byte, name string, t time.Time) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendTimeOmit(b []byte, name string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return appendTime(b, name, t)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does:
// quotes, backslashes and control characters escaped, <, > and & as \u00XX,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
