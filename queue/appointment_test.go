package queue

import (
	"strings"
	"testing"
)

// TestCodesUseTheirAlphabetEvenly draws codes: each is CodeLen letters of
// CodeAlphabet, reads back as itself, and every letter comes about as
// often as the others.
func TestCodesUseTheirAlphabetEvenly(t *testing.T) {
	counts := map[rune]int{}
	const n = 4000
	for range n {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := NormalizeCode(strings.ToLower(c[:3]) + "-" + c[3:]); !ok || got != c {
			t.Fatalf("code %q reads as %q %v", c, got, ok)
		}
		for _, r := range c {
			if !strings.ContainsRune(CodeAlphabet, r) {
				t.Fatalf("code %q has %q", c, r)
			}
			counts[r]++
		}
	}
	// 24,000 letters over 24: 1,000 each, with a standard deviation of
	// about 31; 850–1,150 is beyond 4.8 of them either way.
	for _, r := range CodeAlphabet {
		if c := counts[r]; c < 850 || c > 1150 {
			t.Errorf("%q came %d times in %d letters", r, c, n*CodeLen)
		}
	}
	for _, bad := range []string{"", "ACDEF", "ACDEFGH", "ACDEF0", "ACD EF!"} {
		if _, ok := NormalizeCode(bad); ok {
			t.Errorf("%q read as a code", bad)
		}
	}
}
