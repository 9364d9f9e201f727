package printer

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode"
)

func mustCodePage(t *testing.T, name string) codePage {
	t.Helper()
	cp, err := lookupCodePage(name)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// iconv runs the system iconv, skipping the test when it is missing unless
// CI is set: there the comparison with glibc must run.
func iconv(t *testing.T, in []byte, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath("iconv")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("iconv not installed; set CI to make this a failure")
		}
		t.Fatalf("iconv not installed (CI is set): %v", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	// iconv -c may exit 1 after omitting characters; the output still counts.
	if err != nil && !(errors.As(err, &exit) && len(out) > 0 && contains(args, "-c")) {
		t.Fatalf("iconv %v: %v: %s", args, err, stderr.String())
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// cp737Candidates is every Greek and Coptic code point, Latin-1, ASCII and
// the other symbols the table holds: what glibc says about each is compared
// with what encodeCP737 says, presence and absence alike.
func cp737Candidates() []rune {
	var rs []rune
	for r := rune(0x20); r < 0x7f; r++ {
		rs = append(rs, r)
	}
	for r := rune(0xa0); r <= 0xff; r++ {
		rs = append(rs, r)
	}
	for r := rune(0x370); r <= 0x3ff; r++ {
		if unicode.Is(unicode.Greek, r) || unicode.IsPunct(r) {
			rs = append(rs, r)
		}
	}
	for _, r := range cp737High() {
		if r > 0xff && (r < 0x370 || r > 0x3ff) {
			rs = append(rs, r)
		}
	}
	rs = append(rs, '€', '«', '»', '“', '”', '–', '…', 'Ж', 'ἀ', 'ᾶ')
	return rs
}

func TestCP737AgainstIconv(t *testing.T) {
	rs := cp737Candidates()
	var in strings.Builder
	for _, r := range rs {
		in.WriteRune(r)
		in.WriteByte('\n')
	}
	// One rune per line; -c leaves the line empty when CP737 lacks it.
	lines := bytes.Split(iconv(t, []byte(in.String()), "-c", "-f", "UTF-8", "-t", "CP737"), []byte{'\n'})
	if len(lines) != len(rs)+1 {
		t.Fatalf("iconv gave %d lines for %d runes", len(lines)-1, len(rs))
	}
	mapped := 0
	for i, r := range rs {
		b, ok := encodeCP737(r)
		switch want := lines[i]; {
		case len(want) == 0 && ok:
			t.Errorf("%q U+%04X: encodeCP737 gives %#02x, glibc has no CP737 byte", r, r, b)
		case len(want) == 1 && !ok:
			t.Errorf("%q U+%04X: encodeCP737 has no byte, glibc gives %#02x", r, r, want[0])
		case len(want) == 1 && b != want[0]:
			t.Errorf("%q U+%04X: encodeCP737 gives %#02x, glibc %#02x", r, r, b, want[0])
		case len(want) > 1:
			t.Errorf("%q U+%04X: glibc gives %d bytes", r, r, len(want))
		}
		if ok {
			mapped++
		}
	}
	// ASCII (95) and all 128 upper bytes must have been compared.
	if mapped != 95+128 {
		t.Errorf("compared %d mapped runes, want %d", mapped, 95+128)
	}
}

func TestCP737Greek(t *testing.T) {
	// Every Greek letter of monotonic Greek, through the whole encode path
	// (NFC, fallbacks), byte for byte against glibc.
	const letters = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ αβγδεζηθικλμνξοπρσςτυφχψω " +
		"άέήίόύώ ϊϋ ΆΈΉΊΌΎΏ ΪΫ Πιστοποιητικά Εξουσιοδοτήσεις Μεταβιβάσεις"
	got := mustCodePage(t, CodePage737).encode(letters)
	want := iconv(t, []byte(letters), "-f", "UTF-8", "-t", "CP737")
	if !bytes.Equal(got, want) {
		t.Errorf("encode(%q)\n got % x\nwant % x", letters, got, want)
	}
}

func TestCP737TableDecodesLikeIconv(t *testing.T) {
	var in []byte
	for b := 0x80; b <= 0xff; b++ {
		in = append(in, byte(b))
	}
	high := cp737High()
	want := string(iconv(t, in, "-f", "CP737", "-t", "UTF-8"))
	if got := string(high[:]); got != want {
		t.Errorf("cp737High\n got %q\nwant %q", got, want)
	}
}

func TestCP737ReverseConsistent(t *testing.T) {
	high := cp737High()
	seen := map[rune]int{}
	for i, r := range high {
		b := 0x80 + i
		if r < 0xa0 {
			t.Errorf("byte %#02x maps to %U, below the printable range", b, r)
		}
		if prev, dup := seen[r]; dup {
			t.Errorf("%U at both %#02x and %#02x", r, prev, b)
		}
		seen[r] = b
		got, ok := encodeCP737(r)
		if !ok || int(got) != b {
			t.Errorf("encodeCP737(%q) = %#02x, %v; want %#02x", r, got, ok, b)
		}
	}
	for r := rune(0); r < 0x80; r++ {
		if got, ok := encodeCP737(r); !ok || rune(got) != r {
			t.Errorf("encodeCP737(%U) = %#02x, %v; want itself", r, got, ok)
		}
	}
	for _, r := range []rune{0x80, 0xff, 'ΐ', 'ΰ', '€', 0x10000} {
		if b, ok := encodeCP737(r); ok {
			t.Errorf("encodeCP737(%U) = %#02x; CP737 lacks it", r, b)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		cp, in string
		want   []byte
	}{
		{CodePage1253, "Πιστοποιητικά", []byte{0xd0, 0xe9, 0xf3, 0xf4, 0xef, 0xf0, 0xef, 0xe9, 0xe7, 0xf4, 0xe9, 0xea, 0xdc}},
		{CodePage737, "Πιστοποιητικά", []byte{0x8f, 0xa0, 0xa9, 0xab, 0xa6, 0xa7, 0xa6, 0xa0, 0x9e, 0xab, 0xa0, 0xa1, 0xe1}},
		{CodePage1253, "ΆΈΉΊΌΎΏ ΪΫ ΐΰ ς", []byte{0xa2, 0xb8, 0xb9, 0xba, 0xbc, 0xbe, 0xbf, ' ', 0xda, 0xdb, ' ', 0xc0, 0xe0, ' ', 0xf2}},
		{CodePage737, "ΆΈΉΊΌΎΏ ΪΫ ς", []byte{0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf0, ' ', 0xf4, 0xf5, ' ', 0xaa}},
		// CP737 lacks ΐ and ΰ: the tonos goes, the dialytika stays.
		{CodePage737, "ΐΰ", []byte{0xe4, 0xe8}},
		// Letter + combining tonos, as some keyboards send it.
		{CodePage737, "α\u0301ε\u0301", []byte{0xe1, 0xe2}},
		{CodePage1253, "α\u0301ε\u0301", []byte{0xdc, 0xdd}},
		// Polytonic and Latin accents fall back to the bare letter.
		{CodePage737, "ἀᾶé", []byte{0x98, 0x98, 'e'}},
		{CodePage1253, "ἀé", []byte{0xe1, 'e'}},
		// Greek question mark and ano teleia are canonically ; and ·.
		{CodePage737, "\u037e\u0387", []byte{';', 0xfa}},
		{CodePage1253, "\u037e\u0387", []byte{';', 0xb7}},
		// Punctuation: 1253 has it, CP737 gets ASCII.
		{CodePage1253, "«Α» – €…", []byte{0xab, 0xc1, 0xbb, ' ', 0x96, ' ', 0x80, 0x85}},
		{CodePage737, "«Α» – €…", []byte{'"', 0x80, '"', ' ', '-', ' ', '?', '.', '.', '.'}},
		// Characters neither has.
		{CodePage1253, "Ж中😀", []byte{'?', '?', '?'}},
		{CodePage737, "Ж中😀", []byte{'?', '?', '?'}},
		{CodePage1253, "\xff", []byte{'?'}}, // invalid UTF-8
		// Control characters cannot reach the printer as commands.
		{CodePage1253, "a\x1b@b\x1dVc\td\u0085", []byte("a @b Vc d ")},
		{CodePage737, "a\x1b@b\nc", []byte("a @b c")},
		{CodePage737, "A-Z 09 ~", []byte("A-Z 09 ~")},
	}
	for _, tt := range tests {
		got := mustCodePage(t, tt.cp).encode(tt.in)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s encode(%q)\n got % x\nwant % x", tt.cp, tt.in, got, tt.want)
		}
	}
}

func TestLookupCodePage(t *testing.T) {
	for name, want := range map[string]byte{"": 47, "1253": 47, "737": 14} {
		cp, err := lookupCodePage(name)
		if err != nil || cp.escT != want {
			t.Errorf("lookupCodePage(%q) = ESC t %d, %v; want %d", name, cp.escT, err, want)
		}
	}
	for _, name := range []string{"1252", "cp737", "ISO-8859-7", " 737"} {
		if _, err := lookupCodePage(name); err == nil || !strings.Contains(err.Error(), "unknown printer code page") {
			t.Errorf("lookupCodePage(%q) error = %v, want unknown code page", name, err)
		}
	}
}
