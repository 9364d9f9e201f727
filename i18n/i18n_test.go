package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/seira-queue/seira/i18n"
	"github.com/seira-queue/seira/static"
)

func load(t *testing.T) *i18n.Catalogues {
	t.Helper()
	c, err := i18n.Load(static.FS())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCataloguesHaveTheSameKeys fails when a catalogue lacks a key that
// another has.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	c := load(t)
	langs := c.Languages()
	if !slices.Contains(langs, "el") || !slices.Contains(langs, "en") {
		t.Fatalf("languages %v: Greek and English are required", langs)
	}
	all := map[string]bool{}
	for _, l := range langs {
		for _, k := range c.Keys(l) {
			all[k] = true
		}
	}
	for _, l := range langs {
		have := map[string]bool{}
		for _, k := range c.Keys(l) {
			have[k] = true
			if strings.TrimSpace(c.T(l, k)) == "" {
				t.Errorf("%s: %s is empty", l, k)
			}
		}
		for k := range all {
			if !have[k] {
				t.Errorf("catalogue %s lacks %q", l, k)
			}
		}
	}
}

// The ways pages and code name catalogue keys.
var (
	htmlKey   = regexp.MustCompile(`data-i18n(?:-[a-z-]+)?="([^"]+)"`)
	jsKey     = regexp.MustCompile(`\bt\(\s*['"]([a-z0-9_.]+)['"]`)
	jsPlural  = regexp.MustCompile(`\btn\(\s*['"]([a-z0-9_.]+)['"]`)
	jsComment = regexp.MustCompile(`(?m)^\s*//.*$`)
	jsListed  = regexp.MustCompile(`//\s*i18n-keys:\s*(.+)`)
	goKey     = regexp.MustCompile(`\.T\(\s*[a-zA-Z.]+,\s*"([a-z0-9_.]+)"`)
	languages = regexp.MustCompile(`"code"\s*:\s*"([a-z]+)"`)
)

// TestEveryUsedKeyExists fails when a page, a script or Go code uses a key
// that no catalogue has.
func TestEveryUsedKeyExists(t *testing.T) {
	c := load(t)
	have := map[string]bool{}
	for _, k := range c.Keys("el") {
		have[k] = true
	}
	used := map[string][]string{} // key → where
	web := static.FS()
	err := fs.WalkDir(web, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(web, p)
		if err != nil {
			return err
		}
		var res []*regexp.Regexp
		switch filepath.Ext(p) {
		case ".html":
			res = []*regexp.Regexp{htmlKey}
		case ".js":
			for _, m := range jsListed.FindAllStringSubmatch(string(raw), -1) {
				for _, k := range strings.Fields(m[1]) {
					used[k] = append(used[k], p)
				}
			}
			raw = jsComment.ReplaceAll(raw, nil)
			res = []*regexp.Regexp{jsKey, htmlKey}
			// Plurals: tn('a.b', n) reads a.b.one, a.b.other (CLDR forms).
			for _, m := range jsPlural.FindAllStringSubmatch(string(raw), -1) {
				for _, form := range []string{".one", ".other"} {
					used[m[1]+form] = append(used[m[1]+form], p)
				}
			}
		}
		for _, re := range res {
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				used[m[1]] = append(used[m[1]], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Go code that prints text (the printed ticket) uses the catalogues too.
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range goKey.FindAllStringSubmatch(string(raw), -1) {
			used[m[1]] = append(used[m[1]], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: is the scan broken?", len(used))
	}
	for k, where := range used {
		if !have[k] {
			t.Errorf("key %q is used in %v but no catalogue has it", k, slices.Compact(where))
		}
	}
}

// TestLanguagesListMatchesCatalogues keeps the kiosk's language list and
// the catalogues in step.
func TestLanguagesListMatchesCatalogues(t *testing.T) {
	c := load(t)
	raw, err := fs.ReadFile(static.FS(), "i18n/languages.json")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range languages.FindAllStringSubmatch(string(raw), -1) {
		listed = append(listed, m[1])
	}
	if !slices.Equal(listed, c.Languages()) && !slices.Equal(sorted(listed), c.Languages()) {
		t.Fatalf("languages.json lists %v, catalogues exist for %v", listed, c.Languages())
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestTFallsBackAndFills(t *testing.T) {
	c := load(t)
	if got := c.T("xx", "nonexistent.key"); got != "nonexistent.key" {
		t.Errorf("missing key: %q", got)
	}
	el := c.T("el", c.Keys("el")[0])
	if c.T("zz", c.Keys("el")[0]) != el {
		t.Error("an unknown language should fall back to Greek")
	}
}
