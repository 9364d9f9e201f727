package printer

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// replacement is printed for a character the code page lacks entirely.
const replacement = '?'

// codePage is a single-byte character table of the printer.
type codePage struct {
	name string
	// escT is n in ESC t n, which selects the table on Epson printers.
	// Compatible printers often use the same numbers; some clones do not.
	escT byte
	// encodeRune maps a rune the table holds to its byte.
	encodeRune func(rune) (byte, bool)
}

func lookupCodePage(name string) (codePage, error) {
	switch name {
	case "", CodePage1253:
		return codePage{name: CodePage1253, escT: 47, encodeRune: charmap.Windows1253.EncodeRune}, nil
	case CodePage737:
		return codePage{name: CodePage737, escT: 14, encodeRune: encodeCP737}, nil
	}
	return codePage{}, fmt.Errorf("unknown printer code page %q: want %q (Windows-1253, default) or %q (DOS Greek CP737)", name, CodePage1253, CodePage737)
}

// encode returns s in the code page, one byte per printed character.
func (cp codePage) encode(s string) []byte {
	// NFC first: text typed on some keyboards arrives as letter + combining
	// tonos, which the tables only know precomposed.
	s = norm.NFC.String(s)
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = cp.appendRune(out, r)
	}
	return out
}

func (cp codePage) appendRune(dst []byte, r rune) []byte {
	if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 { // C0, DEL, C1
		return append(dst, ' ')
	}
	if b, ok := cp.encodeRune(r); ok {
		return append(dst, b)
	}
	if unicode.Is(unicode.Mn, r) {
		// A combining mark NFC could not attach: the letter before it
		// is already printed, so drop the mark.
		return dst
	}
	// Drop the acute (tonos) alone first, so that ΐ keeps its dialytika
	// as ϊ; then every mark, so that ἀ → α and é → e.
	var base []rune
	var noAcute []rune
	for _, d := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, d) {
			base = append(base, d)
		}
		if d != '\u0301' {
			noAcute = append(noAcute, d)
		}
	}
	for _, alt := range []string{norm.NFC.String(string(noAcute)), string(base)} {
		if utf8.RuneCountInString(alt) != 1 {
			continue
		}
		a, _ := utf8.DecodeRuneInString(alt)
		if b, ok := cp.encodeRune(a); ok {
			return append(dst, b)
		}
	}
	if s := asciiSubstitute(r); s != "" {
		return append(dst, s...)
	}
	return append(dst, replacement)
}

// asciiSubstitute covers punctuation common in Greek text that CP737 lacks
// (Windows-1253 has most of it).
func asciiSubstitute(r rune) string {
	switch r {
	case '«', '»', '“', '”', '„', '‟', '″':
		return `"`
	case '‘', '’', '‚', '‛', '′':
		return "'"
	case '‐', '‑', '‒', '–', '—', '―', '−':
		return "-"
	case '…':
		return "..."
	case '\u2007', '\u2009', '\u200a', '\u202f':
		return " "
	}
	return ""
}

// encodeCP737 maps r to its CP737 byte. The table is small enough that a
// linear scan costs nothing next to the network, and it keeps the package
// free of mutable lookup maps.
func encodeCP737(r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	high := cp737High()
	for i, h := range high {
		if h == r {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

// cp737High returns the characters of CP737 (DOS Greek) at bytes 0x80–0xFF;
// 0x00–0x7F are ASCII. Source: the IBM/Microsoft table, as in glibc's CP737
// and Unicode's VENDORS/MICSFT/PC/CP737.TXT.
func cp737High() [128]rune {
	return [128]rune{
		// 0x80: capitals Α–Ω (no final-sigma capital, so Σ is 0x91).
		'Α', 'Β', 'Γ', 'Δ', 'Ε', 'Ζ', 'Η', 'Θ', 'Ι', 'Κ', 'Λ', 'Μ', 'Ν', 'Ξ', 'Ο', 'Π',
		'Ρ', 'Σ', 'Τ', 'Υ', 'Φ', 'Χ', 'Ψ', 'Ω',
		// 0x98: small α–ψ, final ς after σ; ω is at 0xE0.
		'α', 'β', 'γ', 'δ', 'ε', 'ζ', 'η', 'θ',
		'ι', 'κ', 'λ', 'μ', 'ν', 'ξ', 'ο', 'π', 'ρ', 'σ', 'ς', 'τ', 'υ', 'φ', 'χ', 'ψ',
		// 0xB0: box drawing, as in CP437.
		'░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐',
		'└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧',
		'╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀',
		// 0xE0: ω, small letters with tonos and dialytika, capitals with tonos.
		'ω', 'ά', 'έ', 'ή', 'ϊ', 'ί', 'ό', 'ύ', 'ϋ', 'ώ', 'Ά', 'Έ', 'Ή', 'Ί', 'Ό', 'Ύ',
		// 0xF0: Ώ, maths, Ϊ Ϋ, no-break space last.
		'Ώ', '±', '≥', '≤', 'Ϊ', 'Ϋ', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u00a0',
	}
}
