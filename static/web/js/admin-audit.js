// admin-audit.js — the branch's event log (GET /branches/{b}/events?since=&limit=),
// newest first. The log is read forwards from a sequence number, so the
// newest page starts at (current seq − limit), the seq coming from
// GET /branches/{b}/state; "older" pages step back from the oldest shown.

import { t, localName, fmtDateTime, fmtTime } from './i18n.js';
import { h } from './api.js';
import {
  $, adm, clearError, busy, serviceName, counterName, userName, branchName, ensureSettings, ensureUsers,
} from './admin-util.js';

let events = []; // newest first
let oldest = null; // lowest seq loaded

const EVENT_TYPES = [
  'ticket.issued', 'ticket.called', 'ticket.recalled', 'ticket.started', 'ticket.done', 'ticket.no_show',
  'ticket.transferred', 'ticket.cancelled', 'ticket.expired',
  'counter.opened', 'counter.paused', 'counter.closed',
  'branch.created', 'branch.updated', 'service.created', 'service.updated', 'service.deleted',
  'counter.created', 'counter.updated', 'counter.deleted', 'device.created', 'device.updated', 'device.revoked',
  'user.created', 'user.updated', 'user.deleted', 'token.created', 'token.revoked',
];
// i18n-keys: admin.event.ticket.issued admin.event.ticket.called admin.event.ticket.recalled admin.event.ticket.started
// i18n-keys: admin.event.ticket.done admin.event.ticket.no_show admin.event.ticket.transferred admin.event.ticket.cancelled
// i18n-keys: admin.event.ticket.expired admin.event.counter.opened admin.event.counter.paused admin.event.counter.closed
// i18n-keys: admin.event.branch.created admin.event.branch.updated admin.event.service.created admin.event.service.updated
// i18n-keys: admin.event.service.deleted admin.event.counter.created admin.event.counter.updated admin.event.counter.deleted
// i18n-keys: admin.event.device.created admin.event.device.updated admin.event.device.revoked
// i18n-keys: admin.event.user.created admin.event.user.updated admin.event.user.deleted
// i18n-keys: tokens.event.created tokens.event.revoked notices.event.posted notices.event.withdrawn
const eventLabel = (type) => {
  if (type.startsWith('token.')) return t(`tokens.event.${type.slice('token.'.length)}`, null, { fallback: type });
  if (type.startsWith('announcement.')) return t(`notices.event.${type.slice('announcement.'.length)}`, null, { fallback: type });
  return t(`admin.event.${type}`, null, { fallback: type });
};

const ADMIN_TYPES = new Set(EVENT_TYPES.filter((x) => /^(branch|service|device|user|token)\./.test(x) || /^counter\.(created|updated|deleted)$/.test(x)));
const COUNTER_TYPES = new Set(['counter.opened', 'counter.paused', 'counter.closed']);

function category(type) {
  if (ADMIN_TYPES.has(type) || type.startsWith('announcement.')) return 'admin';
  if (COUNTER_TYPES.has(type)) return 'counters';
  if (type.startsWith('ticket.')) return 'tickets';
  return 'other';
}

const FIELDS = ['name', 'username', 'role', 'branches', 'disabled', 'password_set', 'kind', 'revoked', 'prefix', 'order', 'open',
  'default_service_s', 'daily_limit', 'target_wait_s', 'serves', 'time_zone', 'priority_cap', 'priorities', 'hours',
  'message', 'retention_days', 'settings'];
// i18n-keys: admin.detail.name admin.detail.username admin.detail.role admin.detail.branches admin.detail.disabled
// i18n-keys: admin.detail.password_set admin.detail.kind admin.detail.revoked admin.detail.prefix admin.detail.order
// i18n-keys: admin.detail.open admin.detail.default_service_s admin.detail.daily_limit admin.detail.target_wait_s
// i18n-keys: admin.detail.serves admin.detail.time_zone admin.detail.priority_cap admin.detail.priorities
// i18n-keys: admin.detail.hours admin.detail.message admin.detail.retention_days admin.detail.settings
// i18n-keys: admin.role.clerk admin.role.manager admin.role.admin admin.kind.kiosk admin.kind.display
// i18n-keys: priority.disability priority.pregnancy priority.infant priority.senior

function valueText(k, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? t('admin.yes') : t('admin.no');
  if (k === 'role') return t(`admin.role.${v}`, null, { fallback: String(v) });
  if (k === 'kind') return t(`admin.kind.${v}`, null, { fallback: String(v) });
  if (k === 'serves' && Array.isArray(v)) return v.map(serviceName).join(' › ');
  if (k === 'branches' && Array.isArray(v)) return v.length ? v.map(branchName).join(', ') : '—';
  if (k === 'priorities' && Array.isArray(v)) return v.map((p) => t(`priority.${p}`, null, { fallback: p })).join(', ');
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') {
    if (typeof v.el === 'string' || typeof v.en === 'string') return localName(v);
    if (k === 'hours') return Object.entries(v).map(([d, spans]) => `${t(`admin.day.${d}`, null, { fallback: d })} ${spans.map((s) => `${s.from}–${s.to}`).join(', ')}`).join('; ');
    return JSON.stringify(v);
  }
  return String(v);
}
// i18n-keys: admin.day.mon admin.day.tue admin.day.wed admin.day.thu admin.day.fri admin.day.sat admin.day.sun

function details(ev) {
  if (ev.type.startsWith('ticket.')) {
    const parts = [h('span', { class: 'ticket-no' }, ev.number || '')];
    if (ev.service) parts.push(' · ', serviceName(ev.service));
    if (ev.from) parts.push(' ', t('admin.audit.from_service', { service: serviceName(ev.from) }));
    if (ev.counter) parts.push(' · ', counterName(ev.counter));
    if (ev.priority && ev.priority !== 'none') parts.push(' · ', t(`priority.${ev.priority}`, null, { fallback: ev.priority }));
    if (ev.issued_at && ev.type !== 'ticket.issued') parts.push(' · ', t('admin.audit.issued_at', { time: fmtTime(ev.issued_at) }));
    return parts;
  }
  if (COUNTER_TYPES.has(ev.type)) return counterName(ev.counter || ev.subject || '');
  // An announcement to the waiting: its text and until when it showed.
  if (ev.type === 'announcement.posted' && ev.detail && ev.detail.text) {
    return [h('code', null, ev.subject || ''), ' ', localName(ev.detail.text),
      ev.detail.expires_at ? ` · ${t('notices.audit_until', { time: fmtDateTime(ev.detail.expires_at) })}` : ''];
  }
  const out = [];
  if (ev.subject) out.push(h('code', null, ev.subject));
  const d = ev.detail && typeof ev.detail === 'object' ? ev.detail : null;
  if (d) {
    const dl = h('dl', { class: 'detail' });
    for (const k of FIELDS) {
      if (!(k in d)) continue;
      if (k === 'username' && d[k] === ev.subject) continue;
      if (k === 'settings' && (!d[k] || !Object.keys(d[k]).length)) continue;
      dl.append(h('dt', null, t(`admin.detail.${k}`, null, { fallback: k })), h('dd', null, valueText(k, d[k])));
    }
    if (dl.childNodes.length) out.push(dl);
  }
  return out.length ? out : '—';
}

function actorText(a) {
  if (!a) return '—';
  if (a === 'seira') return t('admin.audit.system');
  return userName(a);
}

function filtered() {
  const f = $('audit-filter').value;
  const q = $('audit-search').value.trim().toLocaleLowerCase();
  return events.filter((ev) => {
    if (f !== 'all' && category(ev.type) !== f) return false;
    if (!q) return true;
    const hay = [ev.type, eventLabel(ev.type), ev.number, ev.service, ev.counter, ev.actor, ev.subject,
      ev.service ? serviceName(ev.service) : '', ev.actor ? userName(ev.actor) : ''].join(' ').toLocaleLowerCase();
    return hay.includes(q);
  });
}

export function render() {
  const list = filtered();
  $('audit-body').replaceChildren(...list.map((ev) => h('tr', { 'data-seq': ev.seq, 'data-type': ev.type, 'data-category': category(ev.type) },
    h('td', { class: 'nowrap' }, h('time', { datetime: ev.at }, fmtDateTime(ev.at))),
    h('td', { class: 'num' }, String(ev.seq)),
    h('th', { scope: 'row' }, eventLabel(ev.type)),
    h('td', null, actorText(ev.actor)),
    h('td', null, details(ev)))));
  $('audit-count').textContent = t('admin.audit.count', { shown: list.length, loaded: events.length });
  $('btn-audit-older').hidden = !(oldest > 1);
}

async function loadNewest() {
  const limit = Number($('audit-limit').value) || 200;
  const st = await adm.state();
  const since = Math.max(0, st.seq - limit);
  const res = await adm.events(since, limit);
  events = (res.events || []).slice().reverse();
  oldest = events.length ? events[events.length - 1].seq : 0;
  render();
}

async function loadOlder() {
  if (!(oldest > 1)) return;
  const limit = Number($('audit-limit').value) || 200;
  const since = Math.max(0, oldest - 1 - limit);
  const res = await adm.events(since, Math.min(limit, oldest - 1));
  const older = (res.events || []).filter((e) => e.seq < oldest).reverse();
  events = events.concat(older);
  if (older.length) oldest = older[older.length - 1].seq;
  else oldest = 0;
  render();
}

export async function enter() {
  clearError($('audit-error'));
  await ensureSettings();
  await ensureUsers();
  await loadNewest();
}

export function leave() {}

export function init() {
  $('audit-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy($('btn-audit-refresh'), $('audit-error'), async () => {
      clearError($('audit-error'));
      await loadNewest();
    });
  });
  $('audit-filter').addEventListener('change', render);
  $('audit-limit').addEventListener('change', () => $('audit-form').requestSubmit());
  $('audit-search').addEventListener('input', render);
  $('btn-audit-older').addEventListener('click', async (e) => {
    const btn = e.currentTarget;
    await busy(btn, $('audit-error'), async () => {
      await loadOlder();
    });
    btn.focus();
  });
}
