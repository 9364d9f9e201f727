// waits.js — /waits: "which office near me is quickest now?". The public
// waits of every office (GET /api/v1/waits, refreshed every 20 s): choose
// a service, see the offices that offer it sorted by the estimated wait
// (those without an estimate last, saying why), the distance from the
// phone if its holder allows it (asked only on a button press), a small
// map drawn from the offices' coordinates (inline SVG, nothing fetched
// from elsewhere) and each office's wait through today.
//
// Test hook: window.seiraWaits = {
//   ready,      // the first answer is shown
//   lang,       // page language
//   service,    // the chosen service id
//   order,      // branch ids in the order listed
//   distances,  // {branch: metres} once the location is known
//   here,       // {lat, lon} of the phone, or null
//   loads,      // answers read so far
//   error,      // the last error code, or null
// }

import { t, setLang, startLang, localName, fmtTime, fmtNumber } from './i18n.js';
import { h } from './api.js';
import { errorText } from './errors.js';
import { REFRESH_MS, loadWaits, waitText, waitingText, sparkline, svg } from './waits-common.js';

const $ = (id) => document.getElementById(id);
const ui = { data: null, service: null, here: null, locate: '' }; // locate: the key of the location's status
const hook = { ready: false, lang: 'el', service: null, order: [], distances: {}, here: null, loads: 0, error: null };
window.seiraWaits = hook;

const STORE_LANG = 'seira.waits.lang';
const STORE_SERVICE = 'seira.waits.service';

/** Great-circle distance in metres (haversine). */
export function distance(a, b) {
  const R = 6371008.8;
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(s)));
}

const placed = (b) => typeof b.lat === 'number' && typeof b.lon === 'number';

function distanceText(m) {
  if (m < 1000) return t('waits.distance_m', { n: fmtNumber(Math.round(m / 10) * 10) });
  return t('waits.distance_km', { n: fmtNumber(Math.round(m / 100) / 10) });
}

/** The services of all offices, grouped by id, named as the first office names them. */
function services() {
  const seen = new Map();
  for (const b of ui.data.branches) {
    for (const s of b.services) if (!seen.has(s.id)) seen.set(s.id, s.name);
  }
  return [...seen].map(([id, name]) => ({ id, name }));
}

/** The offices that offer the chosen service, quickest first. */
function rows() {
  const list = [];
  for (const b of ui.data.branches) {
    const s = b.services.find((x) => x.id === ui.service);
    if (!s) continue;
    const est = s.open && s.estimated_wait_s !== null && s.estimated_wait_s !== undefined ? s.estimated_wait_s : null;
    const dist = ui.here && placed(b) ? distance(ui.here, b) : null;
    list.push({ b, s, est, dist });
  }
  const byDist = (a, c) => (a.dist ?? Infinity) - (c.dist ?? Infinity);
  list.sort((a, c) => {
    if ((a.est === null) !== (c.est === null)) return a.est === null ? 1 : -1;
    return (a.est ?? 0) - (c.est ?? 0) || byDist(a, c) || localName(a.b.name).localeCompare(localName(c.b.name));
  });
  return list;
}

function renderServices() {
  const sel = $('service');
  const list = services();
  if (!list.some((s) => s.id === ui.service)) ui.service = list.length ? list[0].id : null;
  sel.replaceChildren(...list.map((s) => h('option', { value: s.id, selected: s.id === ui.service }, localName(s.name))));
  hook.service = ui.service;
}

function render() {
  if (!ui.data) return;
  renderServices();
  const list = rows();
  hook.order = list.map((r) => r.b.branch);
  hook.distances = Object.fromEntries(list.filter((r) => r.dist !== null).map((r) => [r.b.branch, Math.round(r.dist)]));
  $('no-offices').hidden = list.length > 0;
  $('offices').replaceChildren(...list.map((r, i) => office(r, i + 1)));
  renderMap(list);
  $('updated').textContent = t('waits.updated', { time: fmtTime(new Date(ui.data.at), { seconds: true }) });
}

function office(r, rank) {
  const { b, s, est, dist } = r;
  const addr = b.address ? localName(b.address) : '';
  return h('li', { class: `w-office${est === null ? ' w-none' : ''}`, 'data-branch': b.branch, 'data-testid': `office-${b.branch}` },
    h('div', { class: 'w-office-head' },
      h('span', { class: 'w-rank', 'aria-hidden': 'true' }, String(rank)),
      h('h3', { class: 'w-name' }, localName(b.name)),
      h('span', { class: `pill ${b.open_now ? 'w-open' : 'w-closed'}` }, t(b.open_now ? 'waits.open_now' : 'waits.closed_now'))),
    addr ? h('p', { class: 'w-address' }, addr) : null,
    h('p', { class: 'w-wait', 'data-testid': 'wait' }, h('strong', null, waitText(s)),
      s.open ? h('span', { class: 'w-waiting' }, ' · ', waitingText(s)) : null),
    dist !== null ? h('p', { class: 'w-distance', 'data-testid': 'distance' }, distanceText(dist)) : null,
    h('div', { class: 'w-today' }, h('span', { class: 'w-today-label' }, t('waits.today')), sparkline(b.today)));
}

/**
 * The map: an equirectangular projection of the box around the offices
 * (and the phone, when known), longitude scaled by the cosine of the mean
 * latitude so that distances look right.
 */
function renderMap(list) {
  const pts = list.filter((r) => placed(r.b)).map((r, i) => ({ r, lat: r.b.lat, lon: r.b.lon, rank: list.indexOf(r) + 1, i }));
  const box = $('map');
  $('map-none').hidden = pts.length > 0;
  if (!pts.length) {
    box.replaceChildren();
    return;
  }
  const all = ui.here ? [...pts, ui.here] : pts;
  let [s, n] = [Math.min(...all.map((p) => p.lat)), Math.max(...all.map((p) => p.lat))];
  let [w, e] = [Math.min(...all.map((p) => p.lon)), Math.max(...all.map((p) => p.lon))];
  const k = Math.cos((((s + n) / 2) * Math.PI) / 180);
  // A lone point (or points on one line) gets a box around it.
  const minSpan = 0.01;
  if (n - s < minSpan) { const c = (n + s) / 2; s = c - minSpan / 2; n = c + minSpan / 2; }
  if ((e - w) * k < minSpan) { const c = (e + w) / 2; w = c - minSpan / 2 / k; e = c + minSpan / 2 / k; }
  const W = 320;
  const pad = 18;
  const H = Math.round(Math.min(320, Math.max(160, (W - 2 * pad) * ((n - s) / ((e - w) * k)) + 2 * pad)));
  const sx = (W - 2 * pad) / ((e - w) * k);
  const sy = (H - 2 * pad) / (n - s);
  const sc = Math.min(sx, sy);
  const ox = (W - (e - w) * k * sc) / 2;
  const oy = (H - (n - s) * sc) / 2;
  const X = (lon) => ox + (lon - w) * k * sc;
  const Y = (lat) => oy + (n - lat) * sc;
  const names = pts.map((p) => `${p.rank}. ${localName(p.r.b.name)}`).join(', ');
  const map = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'w-svg', role: 'img', 'aria-label': t('waits.map_label', { offices: names }) },
    svg('rect', { x: 0, y: 0, width: W, height: H, class: 'w-map-bg' }),
    ...pts.map((p) => svg('g', { class: `w-pt${p.r.est === null ? ' w-pt-none' : ''}`, 'data-branch': p.r.b.branch },
      svg('circle', { class: 'office', cx: X(p.lon).toFixed(1), cy: Y(p.lat).toFixed(1), r: 10 }),
      svg('text', { x: X(p.lon).toFixed(1), y: (Y(p.lat) + 4).toFixed(1), 'text-anchor': 'middle' }, document.createTextNode(String(p.rank))))),
    ui.here ? svg('circle', { class: 'here', cx: X(ui.here.lon).toFixed(1), cy: Y(ui.here.lat).toFixed(1), r: 6 }) : null);
  box.replaceChildren(map);
}

async function refresh() {
  try {
    ui.data = await loadWaits();
    hook.loads++;
    hook.error = null;
    $('offline').hidden = true;
    $('view-loading').hidden = true;
    $('view-error').hidden = true;
    $('view-list').hidden = false;
    render();
    hook.ready = true;
  } catch (err) {
    hook.error = err.code || 'network';
    if (ui.data) {
      $('offline').hidden = false; // the last figures stay, marked as old
    } else {
      $('view-loading').hidden = true;
      $('view-error').hidden = false;
      $('error-message').textContent = errorText(err);
    }
  }
}

// i18n-keys: waits.locate_unavailable waits.locating waits.located waits.locate_denied
function setLocate(key) {
  ui.locate = key;
  $('locate-status').textContent = key ? t(key) : '';
}

function locate() {
  if (!navigator.geolocation) {
    setLocate('waits.locate_unavailable');
    return;
  }
  setLocate('waits.locating');
  navigator.geolocation.getCurrentPosition((pos) => {
    ui.here = { lat: pos.coords.latitude, lon: pos.coords.longitude };
    hook.here = ui.here;
    setLocate('waits.located');
    render();
  }, () => {
    setLocate('waits.locate_denied');
  }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
}

async function main() {
  hook.lang = await startLang(STORE_LANG, async (code) => {
    await setLang(code);
    hook.lang = code;
    try { localStorage.setItem(STORE_LANG, code); } catch { /* private mode */ }
  });
  try { ui.service = new URLSearchParams(location.search).get('service') || localStorage.getItem(STORE_SERVICE); } catch { /* none */ }
  window.addEventListener('langchange', () => {
    if (ui.locate) $('locate-status').textContent = t(ui.locate);
    render();
  });
  $('service').addEventListener('change', (e) => {
    ui.service = e.target.value;
    try { localStorage.setItem(STORE_SERVICE, ui.service); } catch { /* private mode */ }
    render();
  });
  $('btn-locate').addEventListener('click', locate);
  $('btn-retry').addEventListener('click', () => {
    $('view-error').hidden = true;
    $('view-loading').hidden = false;
    refresh();
  });
  await refresh();
  setInterval(refresh, REFRESH_MS);
}

main();
