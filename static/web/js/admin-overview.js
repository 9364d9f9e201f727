// admin-overview.js — "Today, live": GET /branches/{b}/overview every 5 s
// and on every live event of the branch (live.js over the WebSocket).

import { t, localName, fmtTime, fmtDate, fmtWait } from './i18n.js';
import { h } from './api.js';
import { Live } from './live.js';
import { stateLabel, priorityLabel } from './labels.js';
import {
  $, app, adm, setStatus, reportError, fmtSecs, fmtPercent, num, userName, ensureUsers, pill,
} from './admin-util.js';

const POLL_MS = 5000;

let data = null;
let fetchedAt = 0;
let pollTimer = null;
let tickTimer = null;
let soonTimer = null;
let live = null;
let loading = null;
let active = false;

async function load() {
  if (loading) return loading;
  loading = (async () => {
    try {
      const o = await adm.overview();
      if (!active) return;
      data = o;
      fetchedAt = Date.now();
      render();
      if (document.getElementById('status').dataset.kind === 'error') setStatus('');
    } catch (err) {
      if (active) setStatus(reportError(err), 'error');
    } finally {
      loading = null;
    }
  })();
  return loading;
}

function soon() {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(load, 250);
}

export async function enter() {
  active = true;
  data = null;
  $('ov-services-body').replaceChildren();
  $('ov-counters-body').replaceChildren();
  await ensureUsers();
  await load();
  pollTimer = setInterval(load, POLL_MS);
  tickTimer = setInterval(tick, 1000);
  live = new Live(app.branch, {
    // The first state comes over HTTP; later ones follow events.
    onState: (st, info) => { if (!info.http) soon(); },
    onStatus: (up) => {
      if (app.hook) app.hook.connected = up;
      $('offline').hidden = up || !active;
    },
  });
  live.start();
}

export function leave() {
  active = false;
  clearInterval(pollTimer);
  clearInterval(tickTimer);
  clearTimeout(soonTimer);
  if (live) live.stop();
  live = null;
  $('offline').hidden = true;
}

const statusLabel = (s) => t(`admin.counter_status.${s}`, null, { fallback: s });

// i18n-keys: admin.counter_status.open admin.counter_status.paused admin.counter_status.closed
// i18n-keys: ticket.state.called ticket.state.serving
// i18n-keys: priority.disability priority.pregnancy priority.infant priority.senior

function elapsedSince(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const serverNow = Date.parse(data.at) + (Date.now() - fetchedAt);
  return (serverNow - at) / 1000;
}

export function render() {
  if (!data) return;
  const o = data;
  const sname = (id) => { const s = o.services.find((x) => x.id === id); return s ? localName(s.name) : id; };
  $('ov-day').textContent = fmtDate(new Date(o.at), { year: true });
  $('ov-updated').textContent = t('admin.overview.updated', { time: fmtTime(o.at, { seconds: true }) });
  const today = o.today || {};
  $('ov-issued').textContent = num(today.issued);
  $('ov-served').textContent = num(today.served);
  $('ov-noshow').textContent = num(today.no_show);
  const waiting = o.services.reduce((s, x) => s + x.waiting, 0);
  $('ov-waiting').textContent = num(waiting);
  $('ov-median').textContent = today.wait_s && today.wait_s.count ? fmtSecs(today.wait_s.median) : '—';
  $('ov-within').textContent = fmtPercent(today.within_target);

  $('ov-services-body').replaceChildren(...o.services.map((s) => h('tr', { 'data-service': s.id, 'data-open': String(!!s.open) },
    h('th', { scope: 'row' }, h('span', { class: 'prefix' }, s.prefix), ' ', localName(s.name)),
    h('td', { class: 'num' }, num(s.waiting)),
    h('td', { class: 'num' }, num(s.waiting_priority || 0)),
    h('td', { class: 'num', 'data-longest': s.waiting > 0 ? String(s.longest_wait_s) : '' }, s.waiting > 0 ? fmtSecs(s.longest_wait_s) : '—'),
    h('td', { class: 'num' }, s.open ? fmtWait(s.estimated_wait_s, { ahead: s.waiting, short: true }) : '—'),
    h('td', null, pill(s.open ? t('admin.service_open') : t('admin.service_closed'), { 'data-status': s.open ? 'open' : 'closed' })))));

  $('ov-counters-body').replaceChildren(...o.counters.map((c) => {
    const cur = c.current;
    const curCell = cur
      ? [h('span', { class: 'ticket-no' }, cur.number), ' ', pill(stateLabel(cur.state), { 'data-state': cur.state }),
        cur.priority && cur.priority !== 'none' ? [' ', pill(priorityLabel(cur.priority), { class: 'pill pill-priority' })] : null,
        h('span', { class: 'sub' }, sname(cur.service))]
      : '—';
    return h('tr', { 'data-counter': c.id, 'data-status': c.status },
      h('th', { scope: 'row' }, localName(c.name)),
      h('td', null, pill(statusLabel(c.status), { 'data-status': c.status })),
      h('td', null, c.clerk ? userName(c.clerk) : '—'),
      h('td', null, curCell),
      h('td', { class: 'num', 'data-called-at': cur && cur.called_at ? cur.called_at : '' }, ''),
      h('td', null, (c.serves || []).map(sname).join(' › ')));
  }));
  tick();
}

/** Live clocks: time since called, longest wait now. */
function tick() {
  if (!data) return;
  const extra = (Date.now() - fetchedAt) / 1000;
  let longest = 0;
  for (const s of data.services) if (s.waiting > 0) longest = Math.max(longest, s.longest_wait_s + extra);
  $('ov-longest').textContent = longest > 0 ? fmtSecs(longest) : '—';
  for (const td of $('ov-services-body').querySelectorAll('td[data-longest]')) {
    if (td.dataset.longest !== '') td.textContent = fmtSecs(Number(td.dataset.longest) + extra);
  }
  for (const td of $('ov-counters-body').querySelectorAll('td[data-called-at]')) {
    const s = td.dataset.calledAt ? elapsedSince(td.dataset.calledAt) : null;
    td.textContent = s === null ? '—' : fmtSecs(s);
  }
}

export function init() {}
