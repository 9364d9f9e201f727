package printer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ticket is what a printed ticket shows. Every label is already translated
// by the caller; empty optional fields leave their line out.
type Ticket struct {
	Branch  string // office name, at the top; optional
	Number  string // ticket number, e.g. "A001"; required, printed very large
	Service string // service name; optional

	// IssuedAt is printed as 02/01/2006 15:04 in its own location, so pass
	// it in the branch's time zone. The zero time leaves the line out.
	IssuedAt time.Time

	AheadLabel string // e.g. "Άτομα μπροστά σας"; empty leaves the line out
	Ahead      int    // people ahead, printed after AheadLabel

	WaitLabel string // e.g. "Εκτιμώμενη αναμονή"; empty leaves the line out
	Wait      string // the formatted wait, e.g. "~15 λεπτά"
	// Note is a warning printed after the wait, e.g. that the counters
	// close before this ticket's turn; optional.
	Note string

	URL    string // the ticket's tracking page, printed as a QR code; optional
	Footer string // closing lines, "\n" separates lines; optional
}

// ESC/POS bytes, from Epson's ESC/POS command reference.
const (
	lf  = 0x0a
	esc = 0x1b
	gs  = 0x1d
)

// qrMaxBytes is the capacity of the largest QR code (version 40) in byte
// mode at error correction M.
const qrMaxBytes = 2331

// qrModule is the QR module size in dots: 0.75 mm at 203 dpi scans easily,
// and a ticket URL (QR version 4–6) stays under 30 mm wide on any paper.
const qrModule = 6

// Encode returns the ESC/POS job printing t on a printer configured as cfg.
// Only cfg.CodePage and cfg.Width matter here; cfg.Addr is for Print.
func Encode(cfg Config, t Ticket) ([]byte, error) {
	cp, err := lookupCodePage(cfg.CodePage)
	if err != nil {
		return nil, err
	}
	width, err := lineWidth(cfg.Width)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(t.Number) == "" {
		return nil, errors.New("ticket has no number")
	}
	if len(t.URL) > qrMaxBytes {
		return nil, fmt.Errorf("ticket URL is %d bytes, more than a QR code holds (%d)", len(t.URL), qrMaxBytes)
	}

	j := &job{cp: cp, width: width}
	j.cmd(esc, '@')          // initialise: clears styles left by an earlier job
	j.cmd(esc, 't', cp.escT) // after ESC @, which resets the code page
	j.cmd(esc, 'a', 1)       // centre

	if t.Branch != "" {
		j.cmd(esc, 'E', 1)
		j.text(t.Branch, 1)
		j.cmd(esc, 'E', 0)
		j.cmd(lf)
	}

	mag := numberMagnification(len(cp.encode(t.Number)), width)
	j.cmd(gs, '!', byte((mag-1)<<4|(mag-1)))
	j.cmd(esc, 'E', 1)
	j.text(t.Number, mag)
	j.cmd(esc, 'E', 0)
	j.cmd(gs, '!', 0)

	if t.Service != "" {
		j.cmd(gs, '!', 0x01) // double height: stands out, wraps as normal text
		j.text(t.Service, 1)
		j.cmd(gs, '!', 0)
	}
	if !t.IssuedAt.IsZero() {
		j.text(t.IssuedAt.Format("02/01/2006 15:04"), 1)
	}

	if t.AheadLabel != "" || t.WaitLabel != "" {
		j.cmd(lf)
		j.cmd(esc, 'a', 0) // label left, value right
		if t.AheadLabel != "" {
			j.columns(t.AheadLabel, strconv.Itoa(t.Ahead))
		}
		if t.WaitLabel != "" {
			j.columns(t.WaitLabel, t.Wait)
		}
		j.cmd(esc, 'a', 1)
	}
	if t.Note != "" {
		j.cmd(esc, 'E', 1) // bold: a warning, not a fact
		j.text(t.Note, 1)
		j.cmd(esc, 'E', 0)
	}

	if t.URL != "" {
		j.cmd(lf)
		j.qr([]byte(t.URL))
	}
	if t.Footer != "" {
		j.cmd(lf)
		j.text(t.Footer, 1)
	}

	j.cmd(esc, 'd', 3)         // feed past the tear bar
	j.cmd(gs, 'V', 0x42, 0x00) // feed to the cutter and cut, leaving a hinge
	return j.buf.Bytes(), nil
}

// numberMagnification is the largest character size, up to quadruple, at
// which a number of n characters fits on one line.
func numberMagnification(n, width int) int {
	mag := 4
	for mag > 1 && n*mag > width {
		mag--
	}
	return mag
}

// job accumulates an ESC/POS byte stream.
type job struct {
	buf   bytes.Buffer
	cp    codePage
	width int
}

func (j *job) cmd(b ...byte) { j.buf.Write(b) }

// text prints s in the code page, wrapped at word boundaries for characters
// mag times as wide as normal, one line per "\n"-separated paragraph.
func (j *job) text(s string, mag int) {
	for _, para := range strings.Split(s, "\n") {
		for _, line := range wrap(j.cp.encode(para), j.width/mag) {
			j.buf.Write(line)
			j.buf.WriteByte(lf)
		}
	}
}

// columns prints label on the left and value on the right of one line, or
// value right-aligned under the label when both do not fit.
func (j *job) columns(label, value string) {
	l, v := j.cp.encode(label), j.cp.encode(value)
	if len(l)+1+len(v) <= j.width {
		j.buf.Write(l)
		j.buf.Write(bytes.Repeat([]byte{' '}, j.width-len(l)-len(v)))
		j.buf.Write(v)
		j.buf.WriteByte(lf)
		return
	}
	for _, line := range wrap(l, j.width) {
		j.buf.Write(line)
		j.buf.WriteByte(lf)
	}
	for _, line := range wrap(v, j.width) {
		j.buf.Write(bytes.Repeat([]byte{' '}, j.width-len(line)))
		j.buf.Write(line)
		j.buf.WriteByte(lf)
	}
}

// qr prints data as a QR code with the printer's own QR command (GS ( k,
// function 165–181): model 2, error correction M, stored then printed.
func (j *job) qr(data []byte) {
	j.cmd(gs, '(', 'k', 4, 0, 49, 65, 50, 0)    // model 2
	j.cmd(gs, '(', 'k', 3, 0, 49, 67, qrModule) // module size
	j.cmd(gs, '(', 'k', 3, 0, 49, 69, 49)       // error correction M (~15 %)
	n := len(data) + 3                          // pL pH count cn fn m too
	j.cmd(gs, '(', 'k', byte(n), byte(n>>8), 49, 80, 48)
	j.buf.Write(data)
	j.cmd(gs, '(', 'k', 3, 0, 49, 81, 48) // print the stored symbol
	j.cmd(lf)
}

// wrap splits an encoded line at spaces into lines of at most width bytes
// (one byte is one printed character), breaking words longer than a line.
func wrap(s []byte, width int) [][]byte {
	var lines [][]byte
	var cur []byte
	// Split on the space byte only: the bytes are a code page, not UTF-8,
	// so bytes.Fields could mistake two Greek letters for a Unicode space.
	for _, w := range bytes.Split(s, []byte{' '}) {
		for len(w) > width {
			if len(cur) > 0 {
				lines = append(lines, cur)
				cur = nil
			}
			lines = append(lines, w[:width])
			w = w[width:]
		}
		switch {
		case len(w) == 0: // a run of spaces, or a word that filled whole lines
		case len(cur) == 0:
			cur = append([]byte(nil), w...)
		case len(cur)+1+len(w) <= width:
			cur = append(append(cur, ' '), w...)
		default:
			lines = append(lines, cur)
			cur = append([]byte(nil), w...)
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}
