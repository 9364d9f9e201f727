// Package i18n reads seira's message catalogues (static/web/i18n/*.json,
// the same files the pages use) so that server-side text, such as a printed
// ticket, comes from the catalogue too.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Catalogues holds one flat key → text map per language.
type Catalogues struct {
	langs []string
	msgs  map[string]map[string]string
}

// Load reads every i18n/<lang>.json of root (languages.json excepted).
func Load(root fs.FS) (*Catalogues, error) {
	names, err := fs.Glob(root, "i18n/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	c := &Catalogues{msgs: map[string]map[string]string{}}
	for _, name := range names {
		lang := strings.TrimSuffix(path.Base(name), ".json")
		if lang == "languages" {
			continue
		}
		raw, err := fs.ReadFile(root, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		c.msgs[lang] = m
		c.langs = append(c.langs, lang)
	}
	if c.msgs["el"] == nil {
		return nil, fmt.Errorf("i18n: no Greek catalogue (i18n/el.json)")
	}
	sort.Strings(c.langs)
	return c, nil
}

// Languages lists the languages that have a catalogue.
func (c *Catalogues) Languages() []string { return append([]string(nil), c.langs...) }

// Keys returns the keys of lang's catalogue.
func (c *Catalogues) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T returns the text of key in lang (falling back to Greek, then the key
// itself), with {name} placeholders replaced from params (name, value
// pairs).
func (c *Catalogues) T(lang, key string, params ...any) string {
	s, ok := c.msgs[lang][key]
	if !ok {
		if s, ok = c.msgs["el"][key]; !ok {
			s = key
		}
	}
	for i := 0; i+1 < len(params); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(params[i])+"}", fmt.Sprint(params[i+1]))
	}
	return s
}
