// Package browsertest runs headless Chromium for end-to-end tests of the
// pages. Without Chromium a test skips on a developer's machine but fails
// when CI is set: CI must run every browser test.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ExecPath finds Chromium: $CHROMIUM, then the usual names on PATH.
func ExecPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test and returns a context
// of its first tab, at width×height. It is closed when the test ends.
func Browser(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is not installed, and CI must run the browser tests")
		}
		t.Skip("Chromium is not installed; install Debian's chromium to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("lang", "el-GR"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// Tab opens another tab of the same browser (sharing its cookies).
func Tab(t testing.TB, browser context.Context, width, height int) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// Do runs steps with a deadline and fails the test on error.
func Do(t testing.TB, ctx context.Context, timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Type focuses the element with id and types text into it as key events.
// chromedp.SendKeys reads the node's attributes while chromedp's own
// goroutine updates them from the page's DOM events, a data race (in
// chromedp v0.23) whenever the page changes the field's attributes as it
// is typed into (aria-invalid); focusing by script and sending keys to
// the page reads no node.
func Type(t testing.TB, ctx context.Context, timeout time.Duration, id, text string) {
	t.Helper()
	if !Eval[bool](t, ctx, `(() => { const e = document.getElementById(`+strconv.Quote(id)+`); if (!e) return false; e.focus(); return document.activeElement === e; })()`) {
		t.Fatalf("type: no element %q to focus", id)
	}
	Do(t, ctx, timeout, chromedp.KeyEvent(text))
}

// Eval evaluates a JavaScript expression and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitTrue polls a JavaScript expression until it is true, failing the
// test after timeout.
func WaitTrue(t testing.TB, ctx context.Context, timeout time.Duration, expr string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The poll's own limit is 30 s unless given: the caller's is meant.
	if _, err := chromedp.Run(c, chromedp.Poll[bool]("!!("+expr+")", chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(timeout))); err != nil {
		t.Fatalf("waiting %v for %s: %v", timeout, expr, err)
	}
}

// Screenshot saves a screenshot of the page as name.png in
// $SEIRA_SCREENSHOTS (or the test's temporary directory) and returns the
// path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("SEIRA_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, strings.ReplaceAll(name, "/", "_")+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
