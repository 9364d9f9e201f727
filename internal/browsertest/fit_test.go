package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// recorder is a test that keeps the checks' complaints instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

const fitPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
body { margin: 0; font: 16px sans-serif; }
#wide { width: 1200px; height: 20px; background: #ccc; }
.box { overflow-x: auto; width: 300px; }
.box table { width: 900px; }
#skip { position: absolute; left: -999px; }
#narrow { width: 90px; }
#low { position: absolute; top: 2000px; }
</style></head><body>
<a id="skip" href="#x">skip</a>
<div class="box"><table><tr><td>a table wider than its box</td></tr></table></div>
<div id="wide" hidden></div>
<button id="ok">Fine</button>
<button id="narrow">Two words that wrap</button>
<button id="low">Far below</button>
<p><small id="tiny" style="font-size: 9px">tiny print</small></p>
</body></html>`

// TestFitChecks shows that the checks catch what they look for and pass
// what is fine: a table scrolling in its own box and a parked skip link
// are no overflow; a too-wide element is; a wrapped label and a button
// below the fold are caught.
func TestFitChecks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(fitPage))
	}))
	defer srv.Close()
	ctx := Browser(t, 800, 600)
	Do(t, ctx, 15*time.Second, chromedp.Navigate(srv.URL))

	check := func(name string, want string, f func(tb testing.TB)) {
		t.Helper()
		r := &recorder{TB: t}
		f(r)
		got := strings.Join(r.errs, "\n")
		switch {
		case want == "" && got != "":
			t.Errorf("%s: complained of a fine page: %s", name, got)
		case want != "" && !strings.Contains(got, want):
			t.Errorf("%s: said %q, want a complaint of %q", name, got, want)
		}
	}
	check("overflow, fine", "", func(tb testing.TB) { NoHorizontalOverflow(tb, ctx, "page") })
	check("within, fine", "", func(tb testing.TB) { WithinViewport(tb, ctx, "page", "#ok") })
	check("one line, fine", "", func(tb testing.TB) { OneLine(tb, ctx, "page", "#ok") })
	check("within, below", "#low", func(tb testing.TB) { WithinViewport(tb, ctx, "page", "#low") })
	check("within, absent", "none on the page", func(tb testing.TB) { WithinViewport(tb, ctx, "page", "#nothing") })
	check("one line, wrapped", "wraps", func(tb testing.TB) { OneLine(tb, ctx, "page", "#narrow") })
	Eval[bool](t, ctx, `(document.getElementById("wide").hidden = false, true)`)
	check("overflow, too wide", "div#wide", func(tb testing.TB) { NoHorizontalOverflow(tb, ctx, "page") })
	if px, where := SmallestText(t, ctx, "body"); px != 9 || !strings.Contains(where, "tiny") {
		t.Errorf("smallest text %.2f px at %s, want the 9 px tiny print", px, where)
	}
}
