package printer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

func testTicket() Ticket {
	athens := time.FixedZone("EET", 2*60*60)
	return Ticket{
		Branch:     "ΚΕΠ Δήμου Αθηναίων",
		Number:     "A001",
		Service:    "Πιστοποιητικά",
		IssuedAt:   time.Date(2025, 3, 7, 9, 5, 0, 0, athens),
		AheadLabel: "Άτομα μπροστά σας",
		Ahead:      4,
		WaitLabel:  "Εκτιμώμενη αναμονή",
		Wait:       "~15 λεπτά",
		URL:        "https://kep.example.gr/t/3q2-7b0c1d9e4f5a6b7c8d9e0f1a2b3c4d5e",
		Footer:     "Ευχαριστούμε\nThank you",
	}
}

// qrStore is the GS ( k store-data command for data.
func qrStore(data string) []byte {
	n := len(data) + 3
	return append([]byte{0x1d, '(', 'k', byte(n), byte(n >> 8), 0x31, 0x50, 0x30}, data...)
}

var (
	qrModel2 = []byte{0x1d, '(', 'k', 0x04, 0x00, 0x31, 0x41, 0x32, 0x00}
	qrECM    = []byte{0x1d, '(', 'k', 0x03, 0x00, 0x31, 0x45, 0x31}
	qrPrint  = []byte{0x1d, '(', 'k', 0x03, 0x00, 0x31, 0x51, 0x30}
	cut      = []byte{0x1d, 'V', 0x42, 0x00}
)

// checkTicketBytes asserts the parts of a printed ticket that the printer
// depends on, for t encoded with the code page selected by escT.
func checkTicketBytes(t *testing.T, job []byte, escT byte, service []byte, url string) {
	t.Helper()
	if want := []byte{0x1b, 0x40, 0x1b, 0x74, escT}; !bytes.HasPrefix(job, want) {
		t.Errorf("job starts % x, want ESC @ ESC t %d (% x)", job[:min(len(job), 5)], escT, want)
	}
	if !bytes.Contains(job, service) {
		t.Errorf("job lacks the service name encoded as % x", service)
	}
	store := bytes.Index(job, qrStore(url))
	if store < 0 {
		t.Fatalf("job lacks the QR store command for %q (pL pH = %d)", url, len(url)+3)
	}
	// The URL bytes end right where pL/pH said, at the print command.
	if end := store + len(qrStore(url)); !bytes.HasPrefix(job[end:], qrPrint) {
		t.Errorf("QR data is not followed by the print command: % x", job[end:min(len(job), end+8)])
	}
	if m, e := bytes.Index(job, qrModel2), bytes.Index(job, qrECM); m < 0 || e < 0 || m > store || e > store {
		t.Errorf("model 2 (at %d) and error correction M (at %d) must precede the data (at %d)", m, e, store)
	}
	if !bytes.HasSuffix(job, cut) {
		t.Errorf("job ends % x, want the cut % x", job[max(0, len(job)-4):], cut)
	}
}

func TestEncodeTicket(t *testing.T) {
	tk := testTicket()
	job, err := Encode(Config{}, tk)
	if err != nil {
		t.Fatal(err)
	}
	service1253 := []byte{0xd0, 0xe9, 0xf3, 0xf4, 0xef, 0xf0, 0xef, 0xe9, 0xe7, 0xf4, 0xe9, 0xea, 0xdc}
	checkTicketBytes(t, job, 47, service1253, tk.URL)

	// The number: bold, four times wide and high, centred.
	if !bytes.Contains(job, []byte("\x1ba\x01")) {
		t.Error("no centring")
	}
	if !bytes.Contains(job, []byte("\x1d!\x33\x1bE\x01A001\n")) {
		t.Error("number is not printed quadruple size and bold")
	}
	if !bytes.Contains(job, []byte("07/03/2025 09:05\n")) {
		t.Error("issue time missing or not in its own zone")
	}
	// Label left, value right, one full line of 48.
	ahead := append(mustCodePage(t, "").encode("Άτομα μπροστά σας"), bytes.Repeat([]byte{' '}, 48-17-1)...)
	ahead = append(ahead, '4', '\n')
	if !bytes.Contains(job, ahead) {
		t.Errorf("ahead line % x missing", ahead)
	}
	wait := mustCodePage(t, "").encode("~15 λεπτά")
	if !bytes.Contains(job, append(wait, '\n')) {
		t.Error("wait missing")
	}
	if !bytes.Contains(job, []byte("\nThank you\n")) {
		t.Error("footer's second line missing")
	}
	if bytes.Count(job, []byte("\x1b@")) != 1 {
		t.Error("ESC @ must appear once, at the start")
	}
}

func TestEncodeTicketCP737(t *testing.T) {
	tk := testTicket()
	job, err := Encode(Config{CodePage: CodePage737, Width: 32}, tk)
	if err != nil {
		t.Fatal(err)
	}
	service737 := []byte{0x8f, 0xa0, 0xa9, 0xab, 0xa6, 0xa7, 0xa6, 0xa0, 0x9e, 0xab, 0xa0, 0xa1, 0xe1}
	checkTicketBytes(t, job, 14, service737, tk.URL)
}

func TestEncodeLongURL(t *testing.T) {
	// Over 255 bytes, so pH is not zero.
	tk := testTicket()
	tk.URL = "https://kep.example.gr/t/" + strings.Repeat("x", 300)
	job, err := Encode(Config{}, tk)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tk.URL) + 3
	if want := []byte{0x1d, '(', 'k', byte(n % 256), byte(n / 256), 0x31, 0x50, 0x30}; !bytes.Contains(job, want) || want[4] != 1 {
		t.Errorf("store header % x not found", want)
	}
	checkTicketBytes(t, job, 47, []byte("\n"), tk.URL)
}

func TestEncodeOptionalLines(t *testing.T) {
	job, err := Encode(Config{}, Ticket{Number: "B12"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(job, []byte("\x1d(k")) {
		t.Error("QR printed without a URL")
	}
	if !bytes.Contains(job, []byte("B12\n")) || !bytes.HasSuffix(job, cut) {
		t.Errorf("minimal ticket wrong: %q", job)
	}
}

func TestEncodeNoInjection(t *testing.T) {
	tk := testTicket()
	tk.Branch = "X\x1b@\x1dV\x00Y"
	job, err := Encode(Config{}, tk)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(job, []byte("X @ V Y")) || bytes.Count(job, []byte("\x1b@")) != 1 || bytes.Count(job, []byte("\x1dV")) != 1 {
		t.Errorf("control characters reached the job: %q", job[:40])
	}
}

func TestEncodeErrors(t *testing.T) {
	tk := testTicket()
	tests := []struct {
		cfg  Config
		edit func(*Ticket)
		want string
	}{
		{Config{CodePage: "850"}, nil, "unknown printer code page"},
		{Config{Width: 5}, nil, "width 5"},
		{Config{}, func(t *Ticket) { t.Number = " " }, "no number"},
		{Config{}, func(t *Ticket) { t.URL = strings.Repeat("u", 2332) }, "2332 bytes"},
	}
	for _, tt := range tests {
		tk := tk
		if tt.edit != nil {
			tt.edit(&tk)
		}
		if _, err := Encode(tt.cfg, tk); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestNumberMagnification(t *testing.T) {
	for _, tt := range []struct{ n, width, want int }{
		{4, 48, 4}, {4, 32, 4}, {12, 48, 4}, {13, 48, 3}, {10, 32, 3}, {20, 32, 1}, {60, 32, 1},
	} {
		if got := numberMagnification(tt.n, tt.width); got != tt.want {
			t.Errorf("numberMagnification(%d, %d) = %d, want %d", tt.n, tt.width, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
		want  string
	}{
		{"aaa bbb ccc", 7, "aaa bbb|ccc"},
		{"aaa  bbb", 3, "aaa|bbb"},
		{"abcdefgh ij", 3, "abc|def|gh|ij"},
		{"abcdef", 3, "abc|def"},
		{"", 5, ""},
		{"a b", 48, "a b"},
	} {
		var parts []string
		for _, l := range wrap([]byte(tt.in), tt.width) {
			if len(l) > tt.width {
				t.Errorf("wrap(%q, %d): line %q too long", tt.in, tt.width, l)
			}
			parts = append(parts, string(l))
		}
		if got := strings.Join(parts, "|"); got != tt.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestColumnsTooLong(t *testing.T) {
	j := &job{cp: mustCodePage(t, ""), width: 24}
	j.columns("estimated waiting time here", "15 min")
	want := "estimated waiting time\nhere\n" + strings.Repeat(" ", 18) + "15 min\n"
	if got := j.buf.String(); got != want {
		t.Errorf("columns:\n%s\nwant:\n%s", got, want)
	}
}

func ExampleEncode() {
	job, err := Encode(Config{CodePage: CodePage737}, Ticket{Number: "A001", URL: "https://kep.example.gr/t/x"})
	fmt.Println(len(job) > 0, err)
	// Output: true <nil>
}

// A note (the counters close before the ticket's turn) is printed in bold,
// in the code page, after the wait and before the QR code, and adds
// nothing else.
func TestEncodeNote(t *testing.T) {
	tk := testTicket()
	plain, err := Encode(Config{}, tk)
	if err != nil {
		t.Fatal(err)
	}
	tk.Note = "Ίσως δεν εξυπηρετηθείτε σήμερα"
	job, err := Encode(Config{}, tk)
	if err != nil {
		t.Fatal(err)
	}
	note, err := charmap.Windows1253.NewEncoder().Bytes([]byte(tk.Note))
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte{0x1b, 'E', 1}, note...), '\n', 0x1b, 'E', 0)
	at := bytes.Index(job, want)
	wait, err := charmap.Windows1253.NewEncoder().Bytes([]byte(tk.Wait))
	if err != nil {
		t.Fatal(err)
	}
	if at < 0 || at < bytes.Index(job, wait) || at > bytes.Index(job, []byte("\x1d(k")) {
		t.Errorf("note not printed in bold between the wait and the QR code:\n% x", job)
	}
	if len(job)-len(plain) != len(want) {
		t.Errorf("the note added %d bytes, want %d (the bold note line only)", len(job)-len(plain), len(want))
	}
}
