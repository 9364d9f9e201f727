// waits-common.js — what the open-data page (/waits) and the branch widget
// (/b/{branch}/widget) share: reading the waits, a service's wait as words,
// and the sparkline of an office's wait today.

import { t, tn, fmtWait, fmtTime, fmtDuration } from './i18n.js';
import { request } from './api.js';

/** How often the pages read the waits again (the server keeps them ≤ 15 s). */
export const REFRESH_MS = 20000;

/** GET /api/v1/waits, or one branch's. */
export async function loadWaits(branch) {
  const path = branch ? `/api/v1/branches/${encodeURIComponent(branch)}/waits` : '/api/v1/waits';
  return (await request('GET', path)).data;
}

/**
 * What to say of a service's wait: the estimate when there is one, or why
 * there is none (closed, counters closing first, nobody serving it).
 */
export function waitText(s) {
  if (!s.open) return t('waits.closed');
  if (s.estimated_wait_s === null || s.estimated_wait_s === undefined) {
    return s.after_closing ? t('waits.after_closing') : fmtWait(null);
  }
  return fmtWait(s.estimated_wait_s, { ahead: s.waiting });
}

export const waitingText = (s) => tn('waits.waiting', s.waiting);

const SVG = 'http://www.w3.org/2000/svg';

/** Creates an SVG element. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

/**
 * The sparkline of an office's wait today (its "today" points: the mean
 * wait of the tickets called in each half hour), with its words for
 * screen readers; a note when nobody has been called yet.
 */
export function sparkline(points) {
  const pts = points || [];
  if (!pts.length) {
    const p = document.createElement('span');
    p.className = 'spark-none';
    p.textContent = t('waits.spark_none');
    return p;
  }
  const W = 120;
  const H = 32;
  const pad = 3;
  const t0 = new Date(pts[0].at).getTime();
  const t1 = new Date(pts[pts.length - 1].at).getTime();
  const span = Math.max(t1 - t0, 1);
  const top = Math.max(...pts.map((p) => p.wait_s), 60);
  const xy = pts.map((p) => [
    pts.length === 1 ? W / 2 : pad + ((new Date(p.at).getTime() - t0) / span) * (W - 2 * pad),
    H - pad - (p.wait_s / top) * (H - 2 * pad),
  ]);
  const last = pts[pts.length - 1];
  const label = t('waits.spark_label', {
    from: fmtTime(new Date(pts[0].at)),
    to: fmtTime(new Date(new Date(last.at).getTime() + 30 * 60000)),
    max: fmtDuration(Math.max(...pts.map((p) => p.wait_s))),
    last: fmtDuration(last.wait_s),
  });
  return svg('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label, 'data-points': pts.length },
    svg('polyline', { points: xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '), fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linejoin': 'round' }),
    svg('circle', { cx: xy[xy.length - 1][0].toFixed(1), cy: xy[xy.length - 1][1].toFixed(1), r: 3, fill: 'currentColor' }));
}
