// admin-chart.js — grouped bar charts as inline SVG, no library.
//
//   barChart({id, title, desc, categories: [label…], series: [{name, values, style}],
//             yLabel, format: (v) => text for axis ticks and tooltips})
//   → <svg role="img" aria-labelledby="{id}-title {id}-desc">
//
// The second series is hatched as well as coloured, so the two differ
// without colour too. The <desc> carries every value as text.

const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Round axis steps: 1, 2, 5 × 10^k. */
export function niceScale(max, ticks = 5) {
  if (!(max > 0)) return { max: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  return { max: Math.ceil(max / step) * step, step };
}

/** Splits a label into lines of at most n characters (by words). */
function wrap(s, n) {
  const out = [];
  let line = '';
  for (const w of s.split(/\s+/)) {
    if (!line) line = w;
    else if (line.length + 1 + w.length <= n) line += ` ${w}`;
    else { out.push(line); line = w; }
  }
  if (line) out.push(line);
  return out.some((l) => l.length > n) ? [s, s, s] : out; // an over-long word: rotate instead
}

function truncate(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export const SERIES_COLOURS = ['#0b4a8b', '#a34100'];

export function barChart({ id, title, desc, categories, series, yLabel, format = String, tip = format, scale = 1, integer = false }) {
  const n = Math.max(categories.length, 1);
  const groupW = Math.max(48, Math.min(200, 760 / n));
  const perLine = Math.max(4, Math.floor(groupW / 8));
  const lines = categories.map((c) => wrap(c, perLine));
  const rotate = lines.some((l) => l.length > 2);
  const left = 64;
  const right = 16;
  const top = 16;
  const bottom = rotate ? 110 : 58;
  const plotW = groupW * n;
  const width = left + plotW + right;
  const plotH = 230;
  const height = top + plotH + bottom;

  const maxV = Math.max(0, ...series.flatMap((s) => s.values.map((v) => (v || 0) / scale)));
  let { max, step } = niceScale(maxV);
  if (integer && !Number.isInteger(step)) {
    step = Math.max(1, Math.ceil(step));
    max = Math.max(step, Math.ceil(maxV / step) * step);
  }
  const y = (v) => top + plotH - (v / max) * plotH;

  const svg = el('svg', {
    xmlns: NS, viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
    'aria-labelledby': `${id}-title ${id}-desc`, id, class: 'bar-chart',
    preserveAspectRatio: 'xMinYMin meet', style: `max-width:${Math.round(width * 1.3)}px;min-width:${Math.round(width * 0.75)}px`,
  });
  svg.append(el('title', { id: `${id}-title` }, title));
  svg.append(el('desc', { id: `${id}-desc` }, desc));
  const defs = el('defs');
  defs.append(el('pattern', { id: `${id}-hatch`, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
    el('rect', { width: 6, height: 6, fill: SERIES_COLOURS[1] }),
    el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#ffffff', 'stroke-width': 2 })));
  svg.append(defs);

  // Grid and y axis.
  const grid = el('g', { class: 'grid' });
  for (let v = 0; v <= max + step / 2; v += step) {
    const yy = y(v);
    grid.append(el('line', { x1: left, x2: left + plotW, y1: yy, y2: yy, stroke: v === 0 ? '#0f1a2a' : '#d3d8df', 'stroke-width': v === 0 ? 1.5 : 1 }));
    grid.append(el('text', { x: left - 8, y: yy + 4, 'text-anchor': 'end', class: 'tick' }, format(v * scale)));
  }
  svg.append(grid);
  svg.append(el('line', { x1: left, x2: left, y1: top, y2: top + plotH, stroke: '#0f1a2a', 'stroke-width': 1.5 }));
  svg.append(el('text', {
    class: 'axis-label', 'text-anchor': 'middle', transform: `translate(16 ${top + plotH / 2}) rotate(-90)`,
  }, yLabel));

  // Bars.
  const bars = el('g', { class: 'bars' });
  const inner = groupW * 0.72;
  const barW = inner / series.length;
  categories.forEach((cat, i) => {
    const x0 = left + i * groupW + (groupW - inner) / 2;
    series.forEach((s, j) => {
      const v = (s.values[i] || 0) / scale;
      const yy = y(v);
      const hgt = Math.max(0, top + plotH - yy);
      bars.append(el('rect', {
        x: (x0 + j * barW + 1).toFixed(1), y: yy.toFixed(1), width: Math.max(1, barW - 2).toFixed(1), height: hgt.toFixed(1),
        fill: j === 1 ? `url(#${id}-hatch)` : SERIES_COLOURS[j % 2], stroke: SERIES_COLOURS[j % 2], 'stroke-width': 1,
        'data-series': j, 'data-value': s.values[i] || 0,
      }, el('title', null, `${cat} — ${s.name}: ${tip(s.values[i] || 0)}`)));
    });
    const cx = left + i * groupW + groupW / 2;
    bars.append(rotate
      ? el('text', { class: 'cat', 'text-anchor': 'end', transform: `translate(${cx} ${top + plotH + 14}) rotate(-40)` }, truncate(cat, 20))
      : el('text', { class: 'cat', 'text-anchor': 'middle', x: cx, y: top + plotH + 20 },
        lines[i].map((ln, k) => el('tspan', { x: cx, dy: k ? 16 : 0 }, ln))));
  });
  svg.append(bars);
  return svg;
}

/** A visible title and legend for a chart's series (an HTML figcaption). */
export function legend(container, series, title) {
  const head = document.createElement('span');
  head.className = 'chart-title';
  head.textContent = title || '';
  container.replaceChildren(head, ...series.map((s, j) => {
    const item = document.createElement('span');
    item.className = 'legend-item';
    const sw = document.createElement('span');
    sw.className = `swatch swatch-${j}`;
    sw.setAttribute('aria-hidden', 'true');
    item.append(sw, document.createTextNode(s.name));
    return item;
  }));
}
