// admin-webhooks.js — the branch's webhooks (API.md "Integrations and the
// open office"): subscribe a URL to event types (the secret is shown once),
// list, delete, and each subscription's recent deliveries with their state,
// a failed one replayable.

import { t, fmtDateTime, fmtNumber } from './i18n.js';
import { request, h } from './api.js';
import {
  $, app, setStatus, clearError, showError, checkForm, busy, orStatus, reportSaved, pill, rowButton, copyText,
  confirmAction,
} from './admin-util.js';

const EVENTS = [
  'ticket.issued', 'ticket.called', 'ticket.recalled', 'ticket.started', 'ticket.done', 'ticket.no_show',
  'ticket.transferred', 'ticket.cancelled', 'ticket.expired',
  'counter.opened', 'counter.paused', 'counter.closed',
  'appointment.booked', 'appointment.moved', 'appointment.checked_in', 'appointment.cancelled', 'appointment.no_show',
  'appointment.reminder_due',
];
// i18n-keys: webhooks.event.ticket.issued webhooks.event.ticket.called webhooks.event.ticket.recalled
// i18n-keys: webhooks.event.ticket.started webhooks.event.ticket.done webhooks.event.ticket.no_show
// i18n-keys: webhooks.event.ticket.transferred webhooks.event.ticket.cancelled webhooks.event.ticket.expired
// i18n-keys: webhooks.event.counter.opened webhooks.event.counter.paused webhooks.event.counter.closed
// i18n-keys: webhooks.event.appointment.booked webhooks.event.appointment.moved webhooks.event.appointment.checked_in
// i18n-keys: webhooks.event.appointment.cancelled webhooks.event.appointment.no_show webhooks.event.appointment.reminder_due
// i18n-keys: webhooks.state.pending webhooks.state.delivered webhooks.state.failed
const eventLabel = (type) => t(`webhooks.event.${type}`, null, { fallback: type });
const DEFAULT_EVENTS = new Set(['ticket.issued', 'ticket.called']);

const enc = encodeURIComponent;
const base = () => `/api/v1/branches/${enc(app.branch)}/webhooks`;
const api = {
  list: () => request('GET', base()).then((r) => r.data.webhooks || []),
  create: (body) => request('POST', base(), { body }).then((r) => r.data),
  remove: (id) => request('DELETE', `${base()}/${enc(id)}`),
  deliveries: (id) => request('GET', `${base()}/${enc(id)}/deliveries`).then((r) => r.data.deliveries || []),
  replay: (id, delivery) => request('POST', `${base()}/${enc(id)}/deliveries/${enc(delivery)}/replay`).then((r) => r.data),
};

let hooks = [];
let shown = null; // the subscription whose deliveries are shown
let deliveries = [];

async function load() {
  hooks = await api.list();
  renderTable();
  if (shown && !hooks.some((w) => w.id === shown.id)) hideDeliveries();
}

export async function enter() {
  hideSecret();
  hideDeliveries();
  clearError($('wh-error'));
  await load();
}

export function leave() {
  // Never leave a secret on screen.
  hideSecret();
}

export function render() {
  renderEvents();
  renderTable();
  if (shown) renderDeliveries();
}

function renderEvents() {
  const box = $('wh-events');
  const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
  const keep = box.childElementCount ? checked : DEFAULT_EVENTS;
  box.replaceChildren(...EVENTS.map((type) => {
    const id = `wh-ev-${type.replace('.', '-')}`;
    return h('div', { class: 'check-row' },
      h('input', { id, type: 'checkbox', value: type, checked: keep.has(type) }),
      h('label', { for: id }, eventLabel(type)));
  }));
}

function renderTable() {
  $('wh-none').hidden = hooks.length > 0;
  $('wh-body').replaceChildren(...hooks.map((w) => h('tr', { 'data-webhook': w.id },
    h('th', { scope: 'row' }, h('code', { class: 'mono break' }, w.url)),
    h('td', null, w.events.map(eventLabel).join(', ')),
    h('td', null, fmtNumber(w.pending)),
    h('td', null, w.created_at ? fmtDateTime(w.created_at) : '—'),
    h('td', { class: 'actions' }, [
      rowButton(t('webhooks.show_deliveries'), () => showDeliveries(w), { 'data-deliveries': w.id, 'aria-label': t('webhooks.show_deliveries_label', { url: w.url }) }),
      rowButton(t('webhooks.delete'), () => remove(w), { class: 'btn-danger', 'data-delete': w.id, 'aria-label': t('webhooks.delete_label', { url: w.url }) }),
    ]))));
}

// ---- subscribe, and the once-only secret ----

async function create(e) {
  e.preventDefault();
  const form = $('wh-form');
  const err = $('wh-error');
  const events = [...$('wh-events').querySelectorAll('input:checked')].map((i) => i.value);
  const url = $('wh-url').value.trim();
  const secret = $('wh-secret').value.trim();
  const checks = [
    [$('wh-url'), url && !/^https?:\/\/[^/]/i.test(url) ? t('webhooks.error.url') : null],
    [$('wh-secret'), secret && secret.length < 16 ? t('webhooks.error.secret') : null],
  ];
  if (!checkForm(form, err, checks)) return;
  if (!events.length) {
    showError(err, t('webhooks.error.no_events'));
    return;
  }
  await busy($('btn-wh-create'), err, async () => {
    const body = { url, events };
    if (secret) body.secret = secret;
    const res = await api.create(body);
    $('wh-url').value = '';
    $('wh-secret').value = '';
    await load();
    showSecret(res.secret);
    reportSaved(t('webhooks.created', { url: res.url }));
  });
  // The server refuses private addresses with a code of its own: say why.
  if (!err.hidden && err.dataset.code === 'url_refused') err.textContent = t('webhooks.error.url_refused');
}

function showSecret(secret) {
  $('wh-secret-value').value = secret;
  $('wh-secret-panel').hidden = false;
  $('wh-secret-panel').scrollIntoView({ block: 'nearest' });
  $('wh-secret-title').focus();
}

function hideSecret() {
  $('wh-secret-panel').hidden = true;
  $('wh-secret-value').value = '';
}

async function remove(w) {
  if (!confirmAction(t('webhooks.confirm_delete', { url: w.url }))) return;
  await orStatus(async () => {
    await api.remove(w.id);
    if (shown && shown.id === w.id) hideDeliveries();
    await load();
    setStatus(t('webhooks.deleted', { url: w.url }), 'ok');
    $('wh-url').focus();
  });
}

// ---- deliveries ----

async function showDeliveries(w, focus = true) {
  shown = w;
  await orStatus(async () => {
    deliveries = await api.deliveries(w.id);
    renderDeliveries();
    $('wh-deliveries').hidden = false;
    if (focus) $('wh-deliveries-title').focus();
  });
}

function hideDeliveries() {
  shown = null;
  deliveries = [];
  $('wh-deliveries').hidden = true;
  $('wh-del-body').replaceChildren();
}

function lastAnswer(d) {
  if (d.last_status) return String(d.last_status) + (d.last_error && d.state !== 'delivered' ? ` · ${d.last_error}` : '');
  return d.last_error || '—';
}

function renderDeliveries() {
  $('wh-deliveries-title').textContent = t('webhooks.deliveries_title', { url: shown.url });
  $('wh-del-none').hidden = deliveries.length > 0;
  $('wh-del-body').replaceChildren(...deliveries.map((d) => h('tr', { 'data-delivery': d.id, 'data-state': d.state },
    h('th', { scope: 'row' }, h('code', { class: 'mono' }, d.id)),
    h('td', null, eventLabel(d.event)),
    h('td', null, pill(t(`webhooks.state.${d.state}`, null, { fallback: d.state }),
      { 'data-status': d.state === 'delivered' ? 'open' : d.state === 'failed' ? 'closed' : 'paused' })),
    h('td', null, fmtNumber(d.attempts)),
    h('td', null, lastAnswer(d)),
    h('td', null, d.state === 'pending' && d.next_at ? fmtDateTime(d.next_at) : '—'),
    h('td', { class: 'actions' }, d.state === 'failed'
      ? rowButton(t('webhooks.replay'), () => replay(d), { 'data-replay': d.id, 'aria-label': t('webhooks.replay_label', { id: d.id }) })
      : '—'))));
}

async function replay(d) {
  await orStatus(async () => {
    await api.replay(shown.id, d.id);
    setStatus(t('webhooks.replayed', { id: d.id }), 'ok');
    await showDeliveries(shown, false);
  });
}

export function init() {
  renderEvents();
  $('wh-form').addEventListener('submit', create);
  $('btn-wh-copy').addEventListener('click', async (e) => {
    const ok = await copyText($('wh-secret-value').value, $('wh-secret-value'));
    setStatus(ok ? t('admin.copied') : t('admin.copy_failed'), ok ? 'ok' : 'error');
    e.currentTarget.focus();
  });
  $('btn-wh-secret-close').addEventListener('click', () => { hideSecret(); $('wh-url').focus(); });
  $('btn-wh-refresh').addEventListener('click', () => shown && showDeliveries(shown, false));
}
