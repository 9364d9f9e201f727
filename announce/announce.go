// Package announce builds the spoken announcement of a call for the
// waiting-room display: a chime, then "Ο αριθμός Άλφα δώδεκα, στο γκισέ
// τρία", then "Number A twelve, to counter three".
//
// Displays are kiosk browsers that may be offline and may have no speech
// synthesis at all, so the server hands them one ordinary WAV file per call,
// which every browser can play. The file is joined from short clips rendered
// ahead of time with espeak-ng (clips/make.sh, clips/README.md) and embedded in
// the binary: a few dozen building blocks per language, from which any ticket
// number 0–9999 and any counter id are composed with the grammar of each
// language (εκατό but εκατόν είκοσι, τρεις χιλιάδες, one hundred twenty three).
//
// The clips share one format (16-bit PCM, mono), so joining them is copying
// their samples with silences between words; nothing is re-encoded.
package announce

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"
)

//go:generate sh clips/make.sh

// clipFS holds the rendered clips: clips/<name>.wav for each clip name
// ("chime", "el/num_12", "en/to_counter", …).
//
//go:embed clips/chime.wav clips/el/*.wav clips/en/*.wav
var clipFS embed.FS

// ContentType is the media type of what WAV returns.
const ContentType = "audio/wav"

// Silences, in milliseconds, placed between the clips. They carry the rhythm
// of the sentence: tight inside a number, a breath at the comma, a clear
// break between the two languages.
const (
	leadMS       = 150 // HDMI and USB outputs often swallow the first moment of sound
	afterChimeMS = 400
	wordMS       = 90  // between words: "Ο αριθμός | Άλφα", "Άλφα | Βήτα"
	numberMS     = 40  // inside one number: "εκατόν | είκοσι | τρία"
	prefixMS     = 150 // between the prefix and the number, so "Άλφα δώδεκα" reads as two parts
	commaMS      = 350 // "…δώδεκα, | στο γκισέ…"
	languageMS   = 900
	tailMS       = 300 // some browsers cut the last moment of a file
)

// cacheSize bounds the cache of built files. One file is about 300 KB; a busy
// office calls a few tickets a minute, and every display of the branch
// fetches the newest ones, so a few dozen cover all of them.
const cacheSize = 48

// ErrInvalid is wrapped by every error about the arguments of Parts, WAV and
// Duration, so that a handler can answer 400 with errors.Is.
var ErrInvalid = errors.New("invalid announcement")

// InputError says which argument was refused and why.
type InputError struct {
	Field  string // "number", "counter" or "lang"
	Value  string
	Reason string
}

func (e *InputError) Error() string {
	v := e.Value
	// A fuzzer or a bad client can send megabytes: quote only the start.
	if utf8.RuneCountInString(v) > 24 {
		v = string([]rune(v)[:24]) + "…"
	}
	return fmt.Sprintf("announce: %s %q: %s", e.Field, v, e.Reason)
}

// Unwrap makes every InputError match ErrInvalid.
func (e *InputError) Unwrap() error { return ErrInvalid }

// Announcer builds announcement files from the embedded clips. It is safe
// for concurrent use; build one per process.
type Announcer struct {
	rate  int               // samples per second, shared by all clips
	clips map[string][]byte // clip name → little-endian 16-bit samples
	cache *lru
}

// New loads the embedded clips and checks them once: every clip must be a
// non-empty 16-bit mono PCM WAV in the same sample rate, and every clip that
// any valid call can need must be present, so that WAV never fails on a
// missing clip at the moment a citizen is called.
func New() (*Announcer, error) {
	a := &Announcer{clips: make(map[string][]byte), cache: newLRU(cacheSize)}
	err := fs.WalkDir(clipFS, "clips", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "clips/"), ".wav")
		b, err := clipFS.ReadFile(p)
		if err != nil {
			return err
		}
		f, data, err := parseWAV(b)
		if err != nil {
			return fmt.Errorf("announce: clip %s: %w", name, err)
		}
		if f.channels != 1 || f.bits != 16 {
			return fmt.Errorf("announce: clip %s: %d channels, %d bits: want mono 16-bit", name, f.channels, f.bits)
		}
		if a.rate == 0 {
			a.rate = f.rate
		} else if f.rate != a.rate {
			return fmt.Errorf("announce: clip %s: %d Hz, other clips %d Hz", name, f.rate, a.rate)
		}
		if len(data) == 0 {
			return fmt.Errorf("announce: clip %s is empty", name)
		}
		a.clips[name] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, name := range allClipNames() {
		if _, ok := a.clips[name]; !ok {
			return nil, fmt.Errorf("announce: clip %s is missing: run go generate ./announce", name)
		}
	}
	return a, nil
}

// DefaultLanguages is the order used when langs is empty: Greek, then
// English.
func DefaultLanguages() []string { return []string{"el", "en"} }

// Parts returns the names of the clips that the announcement of ticket
// number (e.g. "A012", "Γ7") at counter (e.g. "3", "b2") is joined from, in
// order, without the silences between them. langs lists "el" and/or "en" in
// the order they are spoken; empty means DefaultLanguages.
func (a *Announcer) Parts(number, counter string, langs []string) ([]string, error) {
	steps, err := plan(number, counter, langs)
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, s := range steps {
		if s.clip != "" {
			parts = append(parts, s.clip)
		}
	}
	return parts, nil
}

// Duration returns how long the announcement plays.
func (a *Announcer) Duration(number, counter string, langs []string) (time.Duration, error) {
	steps, err := plan(number, counter, langs)
	if err != nil {
		return 0, err
	}
	n := a.samples(steps)
	return time.Duration(n) * time.Second / time.Duration(a.rate), nil
}

// WAV returns the announcement as one RIFF/WAVE file (16-bit PCM mono). The
// caller owns the returned slice.
func (a *Announcer) WAV(number, counter string, langs []string) ([]byte, error) {
	steps, err := plan(number, counter, langs)
	if err != nil {
		return nil, err
	}
	// "A012" and "A12" sound the same: key on what is said, not on the input.
	key := planKey(steps)
	if b, ok := a.cache.get(key); ok {
		return append([]byte(nil), b...), nil
	}
	b := wavHeader(format{channels: 1, rate: a.rate, bits: 16}, 2*a.samples(steps))
	for _, s := range steps {
		if s.clip != "" {
			b = append(b, a.clips[s.clip]...)
		} else {
			b = append(b, make([]byte, 2*a.silence(s.pauseMS))...) // appends zeros without allocating
		}
	}
	a.cache.put(key, b)
	return append([]byte(nil), b...), nil
}

// samples counts the samples that steps play.
func (a *Announcer) samples(steps []step) int {
	n := 0
	for _, s := range steps {
		if s.clip != "" {
			n += len(a.clips[s.clip]) / 2
		} else {
			n += a.silence(s.pauseMS)
		}
	}
	return n
}

// silence converts a pause to samples.
func (a *Announcer) silence(ms int) int { return ms * a.rate / 1000 }
