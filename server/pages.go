package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/httpx"
	"github.com/seira-queue/seira/queue"
	"github.com/seira-queue/seira/static"
)

// asset is one embedded file, with the checksum that serves as its ETag.
type asset struct {
	data  []byte
	etag  string
	ctype string
}

type assets struct {
	files map[string]asset
}

// loadAssets reads the embedded files once, at start.
func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	root := static.FS()
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = http.DetectContentType(data)
		}
		a.files[p] = asset{data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("server: reading the embedded pages: %w", err)
	}
	return a, nil
}

// serve writes an asset, answering 304 when the browser has it: files are
// revalidated on every load (no-cache) so a new binary's pages show at once.
func (a *assets) serve(c echo.Context, name string) error {
	f, ok := a.files[name]
	if !ok {
		return queue.Errorf(queue.CodeNotFound, "no such file")
	}
	h := c.Response().Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	if c.Request().Header.Get("If-None-Match") == f.etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, f.ctype, f.data)
}

func (s *Server) static(c echo.Context) error {
	name := path.Clean(strings.TrimPrefix(c.Param("*"), "/"))
	if strings.HasSuffix(name, ".html") {
		return queue.Errorf(queue.CodeNotFound, "no such file")
	}
	return s.assets.serve(c, name)
}

// page serves one of the faces. With branch, the branch must exist; a
// ?pair=CODE link turns the browser into the paired kiosk or display first.
func (s *Server) page(file string, branch bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if branch && !s.d.Engine.HasBranch(ctx, c.Param("branch")) {
			return s.notFoundPage(c)
		}
		if code := c.QueryParam("pair"); code != "" {
			token, p, err := s.d.Auth.Pair(ctx, code)
			if err != nil {
				return err
			}
			c.SetCookie(s.sessionCookie(c, token, auth.DeviceSessionTTL.Seconds()))
			s.log.Info("device paired", "device", p.Device.ID, "kind", p.Device.Kind, "branch", p.Device.Branch)
			// The code is spent; the page's own options (?print=1,
			// ?lang=en) stay.
			q := c.Request().URL.Query()
			q.Del("pair")
			to := c.Request().URL.Path
			if len(q) > 0 {
				to += "?" + q.Encode()
			}
			return c.Redirect(http.StatusSeeOther, to)
		}
		return s.assets.serve(c, file)
	}
}

func (s *Server) notFoundPage(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	f, ok := s.assets.files["notfound.html"]
	if !ok {
		return queue.Errorf(queue.CodeNotFound, "no such branch")
	}
	return c.Blob(http.StatusNotFound, f.ctype, f.data)
}

func (s *Server) index(c echo.Context) error {
	if _, ok := s.assets.files["index.html"]; ok {
		return s.assets.serve(c, "index.html")
	}
	return c.Redirect(http.StatusSeeOther, "/display/demo")
}

// sessionCookie is the session cookie: HttpOnly, SameSite=Strict, Secure
// when the server is reached over HTTPS.
func (s *Server) sessionCookie(c echo.Context, value string, maxAge float64) *http.Cookie {
	secure := s.cfg.Public.Secure() || c.Request().TLS != nil
	return &http.Cookie{Name: httpx.SessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure, MaxAge: int(maxAge)}
}
