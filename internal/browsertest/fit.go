package browsertest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// overflowJS lists the visible elements whose painted box, after clipping by
// every scrolling or clipping ancestor, reaches past the viewport's left or
// right edge, and whether the document itself scrolls sideways. An element
// inside a box that scrolls on its own (a wide table in overflow-x: auto) is
// clipped by that box and so is not an overflow.
const overflowJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const clipped = (el) => {
    let r = el.getBoundingClientRect();
    let left = r.left, right = r.right;
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox !== 'visible') {
        const pr = p.getBoundingClientRect();
        left = Math.max(left, pr.left); right = Math.min(right, pr.right);
      }
    }
    return [left, right];
  };
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || cs.position === 'fixed' && cs.opacity === '0') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const [left, right] = clipped(el);
    // Clipped away, or parked wholly off the left edge (a skip link until
    // it has the focus): neither shows nor widens the page.
    if (right <= left || right <= 0) continue;
    if (right > vw + 1 || left < -1) {
      const id = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
      out.push(id + ' [' + Math.round(left) + ',' + Math.round(right) + ']');
    }
  }
  return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, over: out.slice(0, 20)};
})()`

type overflow struct {
	Viewport    float64  `json:"viewport"`
	ScrollWidth float64  `json:"scrollWidth"`
	Over        []string `json:"over"`
}

// NoHorizontalOverflow fails the test when the page scrolls sideways or any
// visible element reaches past the viewport's left or right edge (a wide
// table that scrolls inside its own box is fine).
func NoHorizontalOverflow(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	o := Eval[overflow](t, ctx, overflowJS)
	if o.ScrollWidth > o.Viewport+1 || len(o.Over) > 0 {
		t.Errorf("%s: the page is %.0f px wide in a %.0f px viewport; past its edges: %s",
			what, o.ScrollWidth, o.Viewport, strings.Join(o.Over, ", "))
	}
}

// WithinViewport fails the test unless every element matched by each
// selector is shown and lies wholly inside the viewport, without scrolling.
func WithinViewport(t testing.TB, ctx context.Context, what string, selectors ...string) {
	t.Helper()
	sel, _ := json.Marshal(selectors)
	bad := Eval[[]string](t, ctx, `(() => {
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const bad = [];
  for (const s of `+string(sel)+`) {
    const els = document.querySelectorAll(s);
    if (els.length === 0) { bad.push(s + ': none on the page'); continue; }
    for (const el of els) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) { bad.push(s + ': not shown'); continue; }
      if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1)
        bad.push(s + ' at [' + Math.round(r.left) + ',' + Math.round(r.top) + ' – ' + Math.round(r.right) + ',' + Math.round(r.bottom) + '] in ' + vw + '×' + vh);
    }
  }
  return bad;
})()`)
	for _, b := range bad {
		t.Errorf("%s: %s", what, b)
	}
}

// OneLine fails the test when the text of an element matched by a selector
// wraps onto a second line.
func OneLine(t testing.TB, ctx context.Context, what string, selectors ...string) {
	t.Helper()
	sel, _ := json.Marshal(selectors)
	bad := Eval[[]string](t, ctx, `(() => {
  const bad = [];
  for (const s of `+string(sel)+`) {
    for (const el of document.querySelectorAll(s)) {
      if (el.getClientRects().length === 0) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      // Two pieces of text lie on different lines when one starts below
      // the other's bottom; pieces of one line (a label and a key hint)
      // overlap vertically.
      const rs = [...range.getClientRects()].filter(r => r.width > 0);
      const wraps = rs.some(a => rs.some(b => b.top >= a.bottom - 1));
      if (wraps) bad.push(s + ' "' + el.textContent.trim() + '" wraps onto another line');
    }
  }
  return bad;
})()`)
	for _, b := range bad {
		t.Errorf("%s: %s", what, b)
	}
}

// SmallestText returns the smallest font size, in CSS pixels, of the
// visible text inside the elements matched by scope (the page's text, for
// "body"), and the element that has it.
func SmallestText(t testing.TB, ctx context.Context, scope string) (px float64, where string) {
	t.Helper()
	sel, _ := json.Marshal(scope)
	r := Eval[struct {
		PX    float64 `json:"px"`
		Where string  `json:"where"`
	}](t, ctx, `(() => {
  let px = Infinity, where = '';
  for (const root of document.querySelectorAll(`+string(sel)+`)) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      if (!el || el.getClientRects().length === 0) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || el.closest('[hidden], .visually-hidden, [aria-hidden="true"]')) continue;
      const size = parseFloat(cs.fontSize);
      if (size < px) { px = size; where = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + n.textContent.trim().slice(0, 40) + '"'; }
    }
  }
  return {px: px === Infinity ? 0 : px, where};
})()`)
	return r.PX, r.Where
}
