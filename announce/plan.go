package announce

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// step is one piece of the announcement: a clip, or a silence when clip is
// empty.
type step struct {
	clip    string
	pauseMS int
}

// token is one spoken unit of a counter id: a letter, or a number read whole.
type token struct {
	letter rune // folded; 0 for a number
	n      int
}

// call is a validated ticket number and counter id.
type call struct {
	prefix  []rune // folded letters
	n       int
	counter []token
}

// Limits of the inputs. Numbers are a prefix of 1–3 letters and a daily
// sequence that queue.FormatNumber pads to 3 digits and lets grow to 4.
const (
	maxPrefix       = 3
	maxDigits       = 4
	maxCounterRunes = 16
)

// plan validates the inputs and lays out the whole announcement.
func plan(number, counter string, langs []string) ([]step, error) {
	c, err := parseCall(number, counter)
	if err != nil {
		return nil, err
	}
	ls, err := languages(langs)
	if err != nil {
		return nil, err
	}
	steps := []step{{pauseMS: leadMS}, {clip: "chime"}, {pauseMS: afterChimeMS}}
	for i, l := range ls {
		if i > 0 {
			steps = append(steps, step{pauseMS: languageMS})
		}
		steps = l.sentence(steps, c)
	}
	return append(steps, step{pauseMS: tailMS}), nil
}

// planKey identifies what a plan says, for the cache.
func planKey(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		if s.clip != "" {
			b.WriteString(s.clip)
		} else {
			b.WriteString(strconv.Itoa(s.pauseMS))
		}
		b.WriteByte('|')
	}
	return b.String()
}

// parseCall checks the ticket number and the counter id.
func parseCall(number, counter string) (call, error) {
	var c call
	bad := func(field, value, reason string) (call, error) {
		return call{}, &InputError{Field: field, Value: value, Reason: reason}
	}

	num := strings.TrimSpace(number)
	if !utf8.ValidString(num) {
		return bad("number", number, "not valid UTF-8")
	}
	i := 0
	for _, r := range num {
		if _, _, ok := letterClips(r); !ok {
			break
		}
		c.prefix = append(c.prefix, fold(r))
		i += utf8.RuneLen(r)
		if len(c.prefix) > maxPrefix {
			return bad("number", number, "want 1 to 3 letters, then 1 to 4 digits")
		}
	}
	digits := num[i:]
	if len(c.prefix) == 0 || len(digits) == 0 || len(digits) > maxDigits || !allDigits(digits) {
		return bad("number", number, "want 1 to 3 letters, then 1 to 4 digits")
	}
	c.n, _ = strconv.Atoi(digits) // at most 4 ASCII digits: cannot fail

	cnt := strings.TrimSpace(counter)
	if !utf8.ValidString(cnt) {
		return bad("counter", counter, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(cnt); n < 1 || n > maxCounterRunes {
		return bad("counter", counter, "want 1 to 16 characters")
	}
	toks, ok := counterTokens(cnt)
	if !ok {
		return bad("counter", counter, "use letters, digits, '-', '_' and spaces")
	}
	if len(toks) == 0 {
		return bad("counter", counter, "has no letter or digit to say")
	}
	c.counter = toks
	return c, nil
}

// counterTokens splits a counter id into what is said: letters one by one,
// a run of up to 4 digits as one number ("12" → twelve, "07" → seven), a
// longer run digit by digit; '-', '_' and spaces only separate.
func counterTokens(s string) ([]token, bool) {
	var toks []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			run := s[i:j]
			if len(run) <= maxDigits {
				n, _ := strconv.Atoi(run)
				toks = append(toks, token{n: n})
			} else {
				for _, d := range run {
					toks = append(toks, token{n: int(d - '0')})
				}
			}
			i = j
			continue
		case r == '-' || r == '_' || r == ' ':
		default:
			if _, _, ok := letterClips(r); !ok {
				return nil, false
			}
			toks = append(toks, token{letter: fold(r)})
		}
		i += size
	}
	return toks, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// language is what differs between the spoken languages.
type language struct {
	intro     string             // "Ο αριθμός" / "Number"
	toCounter string             // "στο γκισέ" / "to counter"
	letter    func(rune) string  // clip of one letter
	words     func(int) []string // clips of a number
}

// languages validates langs and resolves the codes.
func languages(langs []string) ([]language, error) {
	if len(langs) == 0 {
		langs = DefaultLanguages()
	}
	var ls []language
	seen := map[string]bool{}
	for _, code := range langs {
		if seen[code] {
			return nil, &InputError{Field: "lang", Value: code, Reason: "given twice"}
		}
		seen[code] = true
		switch code {
		case "el":
			ls = append(ls, language{
				intro:     "el/o_arithmos",
				toCounter: "el/sto_gkise",
				letter:    func(r rune) string { el, _, _ := letterClips(r); return el },
				words:     greekNumber,
			})
		case "en":
			ls = append(ls, language{
				intro:     "en/number",
				toCounter: "en/to_counter",
				letter:    func(r rune) string { _, en, _ := letterClips(r); return en },
				words:     englishNumber,
			})
		default:
			return nil, &InputError{Field: "lang", Value: code, Reason: `want "el" or "en"`}
		}
	}
	return ls, nil
}

// sentence appends "Number <prefix> <n>, to counter <counter>" to steps.
func (l language) sentence(steps []step, c call) []step {
	steps = append(steps, step{clip: l.intro})
	for _, r := range c.prefix {
		steps = append(steps, step{pauseMS: wordMS}, step{clip: l.letter(r)})
	}
	steps = append(steps, step{pauseMS: prefixMS})
	steps = l.sayNumber(steps, c.n)
	steps = append(steps, step{pauseMS: commaMS}, step{clip: l.toCounter})
	for _, t := range c.counter {
		steps = append(steps, step{pauseMS: wordMS})
		if t.letter != 0 {
			steps = append(steps, step{clip: l.letter(t.letter)})
		} else {
			steps = l.sayNumber(steps, t.n)
		}
	}
	return steps
}

// sayNumber appends the words of n, tightly spaced.
func (l language) sayNumber(steps []step, n int) []step {
	for i, w := range l.words(n) {
		if i > 0 {
			steps = append(steps, step{pauseMS: numberMS})
		}
		steps = append(steps, step{clip: w})
	}
	return steps
}
