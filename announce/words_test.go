package announce

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// manifest reads clips/clips.tsv, the texts the clips were rendered from,
// so that tests can say what a clip name means ("el/num_12" → "δώδεκα").
func manifest(t testing.TB) map[string]string {
	t.Helper()
	f, err := os.Open("clips/clips.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("clips.tsv: %q: want name, voice, text", line)
		}
		if _, dup := m[fields[0]]; dup {
			t.Fatalf("clips.tsv: %s twice", fields[0])
		}
		m[fields[0]] = fields[2]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// texts turns clip names into the words they say.
func texts(t *testing.T, m map[string]string, names []string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		s, ok := m[n]
		if !ok {
			t.Fatalf("clip %s is not in clips.tsv", n)
		}
		out = append(out, s)
	}
	return out
}

func TestGreekNumber(t *testing.T) {
	m := manifest(t)
	cases := []struct {
		n    int
		want string
	}{
		{0, "μηδέν"},
		{1, "ένα"},
		{7, "επτά"},
		{10, "δέκα"},
		{11, "έντεκα"},
		{12, "δώδεκα"},
		{13, "δεκατρία"},
		{19, "δεκαεννέα"},
		{20, "είκοσι"},
		{21, "είκοσι ένα"},
		{30, "τριάντα"},
		{99, "ενενήντα εννέα"},
		{100, "εκατό"},
		{101, "εκατόν ένα"},
		{110, "εκατόν δέκα"},
		{120, "εκατόν είκοσι"},
		{123, "εκατόν είκοσι τρία"},
		{199, "εκατόν ενενήντα εννέα"},
		{200, "διακόσια"},
		{201, "διακόσια ένα"},
		{215, "διακόσια δεκαπέντε"},
		{300, "τριακόσια"},
		{999, "εννιακόσια ενενήντα εννέα"},
		{1000, "χίλια"},
		{1001, "χίλια ένα"},
		{1100, "χίλια εκατό"},
		{1101, "χίλια εκατόν ένα"},
		{2000, "δύο χιλιάδες"},
		{3000, "τρεις χιλιάδες"},
		{4004, "τέσσερις χιλιάδες τέσσερα"},
		{5300, "πέντε χιλιάδες τριακόσια"},
		{9999, "εννέα χιλιάδες εννιακόσια ενενήντα εννέα"},
	}
	for _, c := range cases {
		got := strings.Join(texts(t, m, greekNumber(c.n)), " ")
		if got != c.want {
			t.Errorf("greekNumber(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestEnglishNumber(t *testing.T) {
	m := manifest(t)
	cases := []struct {
		n    int
		want string
	}{
		{0, "zero"},
		{1, "one"},
		{7, "seven"},
		{10, "ten"},
		{11, "eleven"},
		{12, "twelve"},
		{13, "thirteen"},
		{19, "nineteen"},
		{20, "twenty"},
		{21, "twenty one"},
		{99, "ninety nine"},
		{100, "one hundred"},
		{101, "one hundred one"},
		{110, "one hundred ten"},
		{120, "one hundred twenty"},
		{123, "one hundred twenty three"},
		{199, "one hundred ninety nine"},
		{200, "two hundred"},
		{201, "two hundred one"},
		{215, "two hundred fifteen"},
		{300, "three hundred"},
		{999, "nine hundred ninety nine"},
		{1000, "one thousand"},
		{1010, "one thousand ten"},
		{3000, "three thousand"},
		{9999, "nine thousand nine hundred ninety nine"},
	}
	for _, c := range cases {
		got := strings.Join(texts(t, m, englishNumber(c.n)), " ")
		if got != c.want {
			t.Errorf("englishNumber(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestLetterClips(t *testing.T) {
	m := manifest(t)
	cases := []struct {
		r      rune
		el, en string
	}{
		{'A', "Άλφα", "A"}, // a Latin A looks like Α to a Greek reader
		{'a', "Άλφα", "A"},
		{'B', "Βήτα", "B"},
		{'E', "Έψιλον", "E"},
		{'H', "Ήτα", "H"},
		{'P', "Ρο", "P"},
		{'X', "Χι", "X"},
		{'D', "ντι", "D"}, // no Greek letter looks like D: spelled
		{'W', "ντάμπλιου", "W"},
		{'Α', "Άλφα", "Alpha"}, // Greek capital alpha
		{'Γ', "Γάμμα", "Gamma"},
		{'γ', "Γάμμα", "Gamma"},
		{'ά', "Άλφα", "Alpha"},
		{'Σ', "Σίγμα", "Sigma"},
		{'ς', "Σίγμα", "Sigma"},
		{'Τ', "Ταφ", "Tau"}, // written as said: espeak-ng reads "Ταυ" as "tav"
		{'Ω', "Ωμέγα", "Omega"},
		{'ώ', "Ωμέγα", "Omega"},
	}
	for _, c := range cases {
		el, en, ok := letterClips(c.r)
		if !ok {
			t.Errorf("letterClips(%q): not a letter", c.r)
			continue
		}
		got := texts(t, m, []string{el, en})
		if got[0] != c.el || got[1] != c.en {
			t.Errorf("letterClips(%q) says %q, want %q, %q", c.r, got, c.el, c.en)
		}
	}
	for _, r := range []rune{'1', '-', ' ', 'Ж', 'ß', '\u03a2', 0} {
		if _, _, ok := letterClips(r); ok {
			t.Errorf("letterClips(%q) accepted", r)
		}
	}
}

// TestManifestMatchesClips checks that clips.tsv, the clip files and the
// names the code asks for agree, so that a renamed clip fails here rather
// than in New on a display.
func TestManifestMatchesClips(t *testing.T) {
	m := manifest(t)
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for name := range m {
		if _, ok := a.clips[name]; !ok {
			t.Errorf("clips.tsv lists %s but there is no clips/%s.wav", name, name)
		}
	}
	for name := range a.clips {
		if _, ok := m[name]; !ok && name != "chime" {
			t.Errorf("clips/%s.wav is not in clips.tsv", name)
		}
	}
	used := allClipNames()
	for name := range m {
		if !slices.Contains(used, name) {
			t.Errorf("clip %s is never used", name)
		}
	}
	// New checks only allClipNames: it must cover every number.
	for n := range 10000 {
		for _, name := range append(greekNumber(n), englishNumber(n)...) {
			if !slices.Contains(used, name) {
				t.Fatalf("number %d needs clip %s, which allClipNames omits", n, name)
			}
		}
	}
}
