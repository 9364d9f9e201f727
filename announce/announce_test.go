package announce

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func newAnnouncer(t testing.TB) *Announcer {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// header is a WAV file's canonical header, read by offset: what any player
// expects, checked independently of parseWAV.
type header struct {
	riffSize, fmtSize         uint32
	tag, channels             uint16
	rate, byteRate            uint32
	blockAlign, bits          uint16
	dataSize                  uint32
	riff, wave, fmtID, dataID string
}

func readHeader(t *testing.T, b []byte) (header, []byte) {
	t.Helper()
	if len(b) < 44 {
		t.Fatalf("file of %d bytes", len(b))
	}
	le := binary.LittleEndian
	h := header{
		riff: string(b[0:4]), riffSize: le.Uint32(b[4:]), wave: string(b[8:12]),
		fmtID: string(b[12:16]), fmtSize: le.Uint32(b[16:]), tag: le.Uint16(b[20:]),
		channels: le.Uint16(b[22:]), rate: le.Uint32(b[24:]), byteRate: le.Uint32(b[28:]),
		blockAlign: le.Uint16(b[32:]), bits: le.Uint16(b[34:]),
		dataID: string(b[36:40]), dataSize: le.Uint32(b[40:]),
	}
	return h, b[44:]
}

func TestWAVIsValid(t *testing.T) {
	a := newAnnouncer(t)
	b, err := a.WAV("A012", "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	h, data := readHeader(t, b)
	want := header{
		riff: "RIFF", riffSize: uint32(len(b) - 8), wave: "WAVE",
		fmtID: "fmt ", fmtSize: 16, tag: 1, channels: 1, rate: 16000, byteRate: 32000,
		blockAlign: 2, bits: 16, dataID: "data", dataSize: uint32(len(data)),
	}
	if h != want {
		t.Errorf("header\n got %+v\nwant %+v", h, want)
	}
	if len(data) == 0 || len(data)%2 != 0 {
		t.Errorf("data of %d bytes", len(data))
	}
	// The package's own reader must agree with the fixed-offset reading.
	f, d, err := parseWAV(b)
	if err != nil || f != (format{channels: 1, rate: 16000, bits: 16}) || !bytes.Equal(d, data) {
		t.Errorf("parseWAV = %+v, %d bytes, %v", f, len(d), err)
	}
}

// clipLen is a clip's length in samples.
func clipLen(t *testing.T, a *Announcer, name string) int {
	t.Helper()
	c, ok := a.clips[name]
	if !ok {
		t.Fatalf("no clip %s", name)
	}
	return len(c) / 2
}

func TestWAVDuration(t *testing.T) {
	a := newAnnouncer(t)
	parts, err := a.Parts("A123", "12", nil)
	if err != nil {
		t.Fatal(err)
	}
	clips := 0
	for _, p := range parts {
		clips += clipLen(t, a, p)
	}
	// The layout of this call, written out by hand: per language, word gaps
	// after the intro and in "στο γκισέ | δώδεκα", the prefix gap, the
	// gaps inside "εκατόν | είκοσι | τρία" and "one | hundred | twenty |
	// three", the comma.
	el := wordMS + prefixMS + 2*numberMS + commaMS + wordMS
	en := wordMS + prefixMS + 3*numberMS + commaMS + wordMS
	silenceMS := leadMS + afterChimeMS + el + languageMS + en + tailMS
	wantSamples := clips + silenceMS*16
	b, err := a.WAV("A123", "12", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, data := readHeader(t, b)
	if got := len(data) / 2; got != wantSamples {
		t.Errorf("WAV has %d samples, want %d (clips %d + silence %d ms)", got, wantSamples, clips, silenceMS)
	}
	d, err := a.Duration("A123", "12", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(wantSamples) * time.Second / 16000; d != want {
		t.Errorf("Duration = %v, want %v", d, want)
	}
	if d < 4*time.Second || d > 15*time.Second {
		t.Errorf("Duration = %v: implausible for one call", d)
	}
}

func TestParts(t *testing.T) {
	a := newAnnouncer(t)
	cases := []struct {
		number, counter string
		langs           []string
		want            string
	}{
		{"A012", "3", nil, "chime " +
			"el/o_arithmos el/letter_alpha el/num_12 el/sto_gkise el/num_3 " +
			"en/number en/letter_a en/num_12 en/to_counter en/num_3"},
		{"Γ007", "12", []string{"en"}, "chime " +
			"en/number en/greek_gamma en/num_7 en/to_counter en/num_12"},
		{"B120", "b2", []string{"en", "el"}, "chime " +
			"en/number en/letter_b en/num_1 en/hundred en/num_20 en/to_counter en/letter_b en/num_2 " +
			"el/o_arithmos el/letter_beta el/num_100n el/num_20 el/sto_gkise el/letter_beta el/num_2"},
		{"ΑΒ100", "07", []string{"el"}, "chime " +
			"el/o_arithmos el/letter_alpha el/letter_beta el/num_100 el/sto_gkise el/num_7"},
		{" d1000 ", "info-2", []string{"el"}, "chime " +
			"el/o_arithmos el/latin_d el/num_1000 el/sto_gkise " +
			"el/letter_iota el/letter_nu el/latin_f el/letter_omicron el/num_2"}, // I, N, O look Greek; F does not
		{"Ω0", "123456", []string{"en"}, "chime " +
			"en/number en/greek_omega en/num_0 en/to_counter " +
			"en/num_1 en/num_2 en/num_3 en/num_4 en/num_5 en/num_6"},
	}
	for _, c := range cases {
		got, err := a.Parts(c.number, c.counter, c.langs)
		if err != nil {
			t.Errorf("Parts(%q, %q, %v): %v", c.number, c.counter, c.langs, err)
			continue
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("Parts(%q, %q, %v)\n got %s\nwant %s", c.number, c.counter, c.langs, strings.Join(got, " "), c.want)
		}
	}
}

// checkOrder finds each part's samples in the file's data in order, and
// checks that only silence lies between them. It returns the lengths of the
// silences in milliseconds: before the first part, between parts, after the
// last.
func checkOrder(t *testing.T, a *Announcer, data []byte, parts []string) []int {
	t.Helper()
	var gaps []int
	pos := 0
	for _, p := range parts {
		clip := a.clips[p]
		i := bytes.Index(data[pos:], clip)
		if i < 0 {
			t.Fatalf("clip %s not found after byte %d", p, pos)
		}
		if !allZero(data[pos : pos+i]) {
			t.Fatalf("sound between byte %d and clip %s at %d", pos, p, pos+i)
		}
		gaps = append(gaps, i/2*1000/16000)
		pos += i + len(clip)
	}
	if !allZero(data[pos:]) {
		t.Fatalf("sound after the last clip, at byte %d", pos)
	}
	return append(gaps, (len(data)-pos)/2*1000/16000)
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func TestWAVPlaysPartsInOrder(t *testing.T) {
	a := newAnnouncer(t)
	b, err := a.WAV("A012", "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := a.Parts("A012", "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, data := readHeader(t, b)
	gaps := checkOrder(t, a, data, parts)
	sentence := []int{wordMS, prefixMS, commaMS, wordMS}
	want := []int{leadMS, afterChimeMS}
	want = append(want, sentence...)
	want = append(want, languageMS)
	want = append(want, sentence...)
	want = append(want, tailMS)
	if !slices.Equal(gaps, want) {
		t.Errorf("silences %v ms, want %v", gaps, want)
	}

	// Other calls: the clips are in order with only silence between.
	for _, c := range [][2]string{{"Γ007", "12"}, {"B120", "b2"}, {"ΑΒΓ9999", "kep-07"}, {"Z0", "100"}} {
		b, err := a.WAV(c[0], c[1], []string{"en", "el"})
		if err != nil {
			t.Fatal(err)
		}
		parts, err := a.Parts(c[0], c[1], []string{"en", "el"})
		if err != nil {
			t.Fatal(err)
		}
		_, data := readHeader(t, b)
		checkOrder(t, a, data, parts)
	}
}

func TestBadInput(t *testing.T) {
	a := newAnnouncer(t)
	cases := []struct {
		number, counter string
		langs           []string
		field           string
	}{
		{"", "3", nil, "number"},
		{"12", "3", nil, "number"},
		{"A", "3", nil, "number"},
		{"ABCD1", "3", nil, "number"},
		{"A12345", "3", nil, "number"},
		{"A-12", "3", nil, "number"},
		{"A12B", "3", nil, "number"},
		{"1A2", "3", nil, "number"},
		{"Ж12", "3", nil, "number"},
		{"A\xff12", "3", nil, "number"},
		{"A12", "", nil, "counter"},
		{"A12", "   ", nil, "counter"},
		{"A12", "3/4", nil, "counter"},
		{"A12", "../3", nil, "counter"},
		{"A12", "--", nil, "counter"},
		{"A12", "12345678901234567", nil, "counter"},
		{"A12", "\xff", nil, "counter"},
		{"A12", "3", []string{"de"}, "lang"},
		{"A12", "3", []string{"el", "el"}, "lang"},
		{"A12", "3", []string{""}, "lang"},
	}
	for _, c := range cases {
		_, errW := a.WAV(c.number, c.counter, c.langs)
		_, errP := a.Parts(c.number, c.counter, c.langs)
		_, errD := a.Duration(c.number, c.counter, c.langs)
		for _, err := range []error{errW, errP, errD} {
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) || ie.Field != c.field {
				t.Errorf("(%q, %q, %q): error %v, want an InputError about %s", c.number, c.counter, c.langs, err, c.field)
			}
		}
	}
	// A huge value is refused with a short message.
	_, err := a.WAV("A"+strings.Repeat("9", 1<<20), "3", nil)
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("huge number: error %.300v", err)
	}
}

func TestCache(t *testing.T) {
	a := newAnnouncer(t)
	b1, err := a.WAV("A012", "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	orig := slices.Clone(b1)
	// The caller owns what it gets: changing it must not reach the cache,
	// whether the file was just built (b1) or served from the cache (b2).
	b1[50] ^= 0xff
	b2, err := a.WAV("a12", "03", []string{"el", "en"})
	if err != nil {
		t.Fatal(err)
	}
	if a.cache.len() != 1 {
		t.Errorf("cache holds %d files after two spellings of one call", a.cache.len())
	}
	if !bytes.Equal(b2, orig) {
		t.Error("the cached file differs from the one first built")
	}
	b2[50] ^= 0xff
	b3, err := a.WAV("A12", "3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b3, orig) {
		t.Error("the cached file was changed through a returned slice")
	}
	for i := range 3 * cacheSize {
		if _, err := a.WAV(fmt.Sprintf("B%d", i), "1", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.cache.len(); n != cacheSize {
		t.Errorf("cache holds %d files, want its bound %d", n, cacheSize)
	}
}

func TestConcurrentUse(t *testing.T) {
	a := newAnnouncer(t)
	want, err := a.WAV("A7", "2", nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				n := "A7"
				if i%2 == 1 {
					n = fmt.Sprintf("Γ%d", g*100+i)
				}
				b, err := a.WAV(n, "2", nil)
				if err != nil {
					t.Error(err)
					return
				}
				if n == "A7" && !bytes.Equal(b, want) {
					t.Error("concurrent WAV returned a different file")
				}
			}
		})
	}
	wg.Wait()
}

func TestParseWAVRejectsBrokenFiles(t *testing.T) {
	good := encodeWAV(format{channels: 1, rate: 16000, bits: 16}, []byte{1, 0, 2, 0})
	if _, d, err := parseWAV(good); err != nil || !bytes.Equal(d, []byte{1, 0, 2, 0}) {
		t.Fatalf("parseWAV(good) = %v, %v", d, err)
	}
	set := func(off int, v uint32) []byte {
		b := slices.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	bad := map[string][]byte{
		"empty":          nil,
		"truncated":      good[:30],
		"not RIFF":       append([]byte("RIFX"), good[4:]...),
		"data overruns":  set(40, 1000),
		"huge chunk":     set(16, 0xffffffff),
		"not PCM":        set(20, 3|1<<16),
		"bad byte rate":  set(28, 1),
		"odd data":       encodeWAV(format{channels: 1, rate: 16000, bits: 16}, []byte{1, 0, 2}),
		"no data chunk":  good[:36],
		"zero channels":  set(20, 1),
		"short fmt size": set(16, 4),
	}
	for name, b := range bad {
		if _, _, err := parseWAV(b); err == nil {
			t.Errorf("%s: parseWAV accepted it", name)
		}
	}
}

func FuzzWAV(f *testing.F) {
	a := newAnnouncer(f)
	f.Add("A012", "3", "el,en")
	f.Add("Γ007", "b-12", "en")
	f.Add("ΑΒΓ9999", "1234567890123456", "el")
	f.Add("", "", "")
	f.Add("ά1", "ς", "en,el")
	f.Fuzz(func(t *testing.T, number, counter, langs string) {
		var ls []string
		if langs != "" {
			ls = strings.Split(langs, ",")
		}
		b, err := a.WAV(number, counter, ls)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not marked invalid input: %v", err)
			}
			return
		}
		fm, data, err := parseWAV(b)
		if err != nil || fm != (format{channels: 1, rate: 16000, bits: 16}) {
			t.Fatalf("WAV(%q, %q, %q) is not a valid file: %v", number, counter, langs, err)
		}
		d, err := a.Duration(number, counter, ls)
		if err != nil || d != time.Duration(len(data)/2)*time.Second/16000 {
			t.Fatalf("Duration = %v, %v; file has %d samples", d, err, len(data)/2)
		}
	})
}
