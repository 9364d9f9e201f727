// Package static holds the pages, scripts, styles, sounds and message
// catalogues of seira's faces, embedded in the binary. Plain HTML, CSS and
// JavaScript: there is no build step.
package static

import (
	"embed"
	"io/fs"
)

//go:embed all:web
var files embed.FS

// FS returns the web root: kiosk.html, counter.html, display.html, css/,
// js/, i18n/ and the rest.
func FS() fs.FS {
	sub, err := fs.Sub(files, "web")
	if err != nil {
		panic(err) // "web" is embedded above; this cannot fail
	}
	return sub
}
