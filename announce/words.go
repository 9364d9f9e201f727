package announce

import (
	"strconv"
	"unicode"
)

// fold maps a letter to the form the clips are named by: upper case, Greek
// without accents or diaeresis (ά → Α, ϊ → Ι, ς → Σ).
func fold(r rune) rune {
	r = unicode.ToUpper(r)
	switch r {
	case 'Ά':
		return 'Α'
	case 'Έ':
		return 'Ε'
	case 'Ή':
		return 'Η'
	case 'Ί', 'Ϊ':
		return 'Ι'
	case 'Ό':
		return 'Ο'
	case 'Ύ', 'Ϋ':
		return 'Υ'
	case 'Ώ':
		return 'Ω'
	}
	return r
}

// greekLetter returns the transliterated name of a Greek capital ("alpha"),
// or "" for any other rune.
func greekLetter(r rune) string {
	names := [...]string{
		"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
		"iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho",
		"sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
	}
	switch {
	case r >= 'Α' && r <= 'Ρ':
		return names[r-'Α']
	case r >= 'Σ' && r <= 'Ω': // U+03A2 between them is unassigned
		return names[r-'Σ'+17]
	}
	return ""
}

// latinAsGreek returns the Greek letter that a Greek reader sees in a Latin
// capital of the same shape — offices type "A", "B", "E" for Α, Β, Ε, as in
// the demo branch's prefixes A, B, C — or "" when the shape is only Latin.
func latinAsGreek(r rune) string {
	switch r {
	case 'A':
		return "alpha"
	case 'B':
		return "beta"
	case 'E':
		return "epsilon"
	case 'Z':
		return "zeta"
	case 'H':
		return "eta"
	case 'I':
		return "iota"
	case 'K':
		return "kappa"
	case 'M':
		return "mu"
	case 'N':
		return "nu"
	case 'O':
		return "omicron"
	case 'P':
		return "rho"
	case 'T':
		return "tau"
	case 'Y':
		return "upsilon"
	case 'X':
		return "chi"
	}
	return ""
}

// letterClips names the clips that say one letter in Greek and in English.
// Greek says the Greek letter a Latin capital looks like, and spells the
// others the Greek way ("ντι" for D). English says what is written: "ay" for
// a Latin A, "alpha" for a Greek Α. ok is false for anything but a Latin or
// Greek letter.
func letterClips(r rune) (el, en string, ok bool) {
	r = fold(r)
	if r >= 'A' && r <= 'Z' {
		lower := string(r - 'A' + 'a')
		en = "en/letter_" + lower
		if g := latinAsGreek(r); g != "" {
			return "el/letter_" + g, en, true
		}
		return "el/latin_" + lower, en, true
	}
	if g := greekLetter(r); g != "" {
		return "el/letter_" + g, "en/greek_" + g, true
	}
	return "", "", false
}

// greekNumber returns the clips that read n (0–9999) in Greek, in the neuter
// used for counting: 100 is "εκατό" but 101–199 begin "εκατόν"; thousands
// are feminine, so 3000 is "τρεις χιλιάδες", not "τρία".
func greekNumber(n int) []string {
	if n == 0 {
		return []string{"el/num_0"}
	}
	var w []string
	switch th := n / 1000; {
	case th == 1:
		w = append(w, "el/num_1000") // χίλια
	case th == 3 || th == 4:
		w = append(w, "el/num_"+strconv.Itoa(th)+"f", "el/thousands")
	case th > 1:
		w = append(w, "el/num_"+strconv.Itoa(th), "el/thousands")
	}
	h, rest := n%1000/100, n%100
	switch {
	case h == 1 && rest == 0:
		w = append(w, "el/num_100") // εκατό
	case h == 1:
		w = append(w, "el/num_100n") // εκατόν
	case h > 1:
		w = append(w, "el/num_"+strconv.Itoa(h*100))
	}
	return append(w, belowHundred("el", rest)...)
}

// englishNumber returns the clips that read n (0–9999) in English, without
// "and": "one hundred twenty three".
func englishNumber(n int) []string {
	if n == 0 {
		return []string{"en/num_0"}
	}
	var w []string
	if th := n / 1000; th > 0 {
		w = append(w, "en/num_"+strconv.Itoa(th), "en/thousand")
	}
	if h := n % 1000 / 100; h > 0 {
		w = append(w, "en/num_"+strconv.Itoa(h), "en/hundred")
	}
	return append(w, belowHundred("en", n%100)...)
}

// belowHundred reads 1–99 in the same way in both languages: one word up to
// 19, else the tens and then the unit ("είκοσι ένα", "twenty one"); nothing
// for 0.
func belowHundred(lang string, n int) []string {
	switch {
	case n == 0:
		return nil
	case n < 20 || n%10 == 0:
		return []string{lang + "/num_" + strconv.Itoa(n)}
	}
	return []string{lang + "/num_" + strconv.Itoa(n/10*10), lang + "/num_" + strconv.Itoa(n%10)}
}

// allClipNames lists every clip that some valid call can use, for New to
// check that none is missing. Numbers are composed from their thousands,
// hundreds and last two digits independently, so 0–99, 100, 101, the other
// hundreds and the thousands reach every number clip (a test checks this
// against all of 0–9999).
func allClipNames() []string {
	names := []string{"chime", "el/o_arithmos", "el/sto_gkise", "en/number", "en/to_counter"}
	for r := 'A'; r <= 'Z'; r++ {
		el, en, _ := letterClips(r)
		names = append(names, el, en)
	}
	for r := 'Α'; r <= 'Ω'; r++ {
		if el, en, ok := letterClips(r); ok {
			names = append(names, el, en)
		}
	}
	ns := []int{100, 101}
	for n := range 100 {
		ns = append(ns, n)
	}
	for d := 1; d <= 9; d++ {
		ns = append(ns, d*100, d*1000)
	}
	for _, n := range ns {
		names = append(names, greekNumber(n)...)
		names = append(names, englishNumber(n)...)
	}
	return names
}
