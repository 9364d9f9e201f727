// Package jsonw writes JSON by hand for the few objects written often
// enough that encoding/json's reflection shows in profiles (tickets and
// events in the store, the ticket a kiosk gets). Its output is what
// encoding/json writes for the same values.
package jsonw

import (
	"time"
	"unicode/utf8"
)

// Field writes ,"name":"v".
func Field(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return String(b, v)
}

// FieldOmit writes Field unless v is empty (omitempty).
func FieldOmit(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return Field(b, name, v)
}

// Time writes ,"name":"RFC 3339 with nanoseconds".
func Time(b []byte, name string, t time.Time) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// TimeOmit writes Time unless t is zero (omitzero).
func TimeOmit(b []byte, name string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return Time(b, name, t)
}

const hexDigits = "0123456789abcdef"

// String writes s as a JSON string the way encoding/json does:
// quotes, backslashes and control characters escaped, <, > and & as \u00XX,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func String(b []byte, s string) []byte {
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
