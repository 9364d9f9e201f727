// admin-devices.js — kiosks and displays: list, create (the token is shown
// once, with a pairing link), new pairing link, rename, a kiosk's network
// printer (settings.printer {Addr, CodePage, Width}: printer.Config has no
// JSON tags), revoke.

import { t, fmtDateTime } from './i18n.js';
import { h } from './api.js';
import {
  $, adm, setStatus, clearError, checkForm, busy, orStatus, reportSaved, showForm, focusEdit, pill, rowButton,
  copyText, confirmAction,
} from './admin-util.js';

let devices = [];
let editing = undefined; // device being edited

const kindLabel = (k) => t(`admin.kind.${k}`, null, { fallback: k });
// i18n-keys: admin.kind.kiosk admin.kind.display

function printerOf(d) {
  const s = d.settings;
  return s && s.printer && s.printer.Addr ? s.printer : null;
}

async function load() {
  devices = await adm.devices();
  devices.sort((a, b) => (a.revoked - b.revoked) || (a.kind.localeCompare(b.kind)) || (a.name || '').localeCompare(b.name || ''));
  renderTable();
}

export async function enter() {
  hideSecret();
  close(false);
  clearError($('dev-create-error'));
  await load();
}

export function leave() {
  // Never leave a token on screen.
  hideSecret();
}

export function render() {
  renderTable();
  if (editing) title();
  if (!$('dev-secret').hidden && lastSecret) showSecret(lastSecret, false);
}

function printerText(d) {
  if (d.kind !== 'kiosk') return '—';
  const p = printerOf(d);
  if (!p) return t('admin.devices.browser_print');
  return t('admin.devices.printer_summary', { addr: p.Addr, cp: p.CodePage || '1253', width: p.Width || 48 });
}

function renderTable() {
  $('dev-body').replaceChildren(...devices.map((d) => {
    const name = d.name || d.id;
    return h('tr', { 'data-device': d.id, 'data-kind': d.kind, 'data-revoked': String(!!d.revoked) },
      h('th', { scope: 'row' }, name),
      h('td', null, kindLabel(d.kind)),
      h('td', null, h('code', null, d.id)),
      h('td', null, d.created ? fmtDateTime(d.created) : '—'),
      h('td', null, printerText(d)),
      h('td', null, d.revoked ? pill(t('admin.devices.revoked'), { 'data-status': 'closed' }) : pill(t('admin.devices.active'), { 'data-status': 'open' })),
      h('td', { class: 'actions' }, d.revoked ? '—' : [
        rowButton(t('admin.edit'), () => open(d), { 'data-edit': d.id, 'aria-label': t('admin.edit_label', { name }) }),
        rowButton(t('admin.devices.new_pairing'), () => newPairing(d), { 'data-pair': d.id, 'aria-label': t('admin.devices.new_pairing_label', { name }) }),
        rowButton(t('admin.devices.revoke'), () => revoke(d), { class: 'btn-danger', 'data-revoke': d.id, 'aria-label': t('admin.devices.revoke_label', { name }) }),
      ]));
  }));
}

// ---- the once-only secret panel ----

let lastSecret = null;

function showSecret(s, focus = true) {
  lastSecret = s;
  const panel = $('dev-secret');
  $('dev-secret-title').textContent = s.token
    ? t('admin.devices.created_title', { name: s.name })
    : t('admin.devices.pairing_title', { name: s.name });
  $('dev-token-block').hidden = !s.token;
  $('dev-token').value = s.token || '';
  const link = $('dev-pairing-link');
  link.href = s.pairing_url;
  link.textContent = s.pairing_url;
  $('dev-pairing-expires').textContent = s.pairing_expires
    ? t('admin.devices.pairing_expires', { time: fmtDateTime(s.pairing_expires) }) : '';
  panel.hidden = false;
  if (focus) {
    panel.scrollIntoView({ block: 'nearest' });
    $('dev-secret-title').focus();
  }
}

function hideSecret() {
  lastSecret = null;
  $('dev-secret').hidden = true;
  $('dev-token').value = '';
  $('dev-pairing-link').removeAttribute('href');
  $('dev-pairing-link').textContent = '';
}

async function create(e) {
  e.preventDefault();
  const form = $('dev-create-form');
  const err = $('dev-create-error');
  if (!checkForm(form, err)) return;
  const kind = $('dev-kind').value;
  const name = $('dev-name').value.trim();
  await busy($('btn-dev-create'), err, async () => {
    const res = await adm.createDevice({ kind, name });
    $('dev-name').value = '';
    await load();
    showSecret({ name: res.device.name || res.device.id, token: res.token, pairing_url: res.pairing_url, pairing_expires: res.pairing_expires });
    reportSaved(t('admin.devices.created', { name: res.device.name || res.device.id }));
  });
}

async function newPairing(d) {
  await orStatus(async () => {
    const res = await adm.pairing(d.id);
    showSecret({ name: d.name || d.id, pairing_url: res.pairing_url, pairing_expires: res.pairing_expires });
    setStatus(t('admin.devices.pairing_made', { name: d.name || d.id }), 'ok');
  });
}

async function revoke(d) {
  const name = d.name || d.id;
  if (!confirmAction(t('admin.devices.confirm_revoke', { name }))) return;
  await orStatus(async () => {
    await adm.revokeDevice(d.id);
    if (editing && editing.id === d.id) close(false);
    await load();
    setStatus(t('admin.devices.revoked_msg', { name }), 'ok');
    $('dev-name').focus();
  });
}

// ---- edit ----

function title() {
  $('dev-form-title').textContent = t('admin.devices.edit_title', { name: editing.name || editing.id });
}

function syncPrinter() {
  const on = $('dev-printer-on').checked;
  $('dev-printer-fields').hidden = !on;
  $('dev-printer-addr').required = on;
}

function open(d) {
  editing = d;
  title();
  $('dev-edit-name').value = d.name || '';
  const kiosk = d.kind === 'kiosk';
  $('dev-printer').hidden = !kiosk;
  const p = printerOf(d);
  $('dev-printer-on').checked = !!p;
  $('dev-printer-addr').value = p ? p.Addr : '';
  $('dev-printer-cp').value = p && p.CodePage === '737' ? '737' : '1253';
  $('dev-printer-width').value = p && Number(p.Width) === 32 ? '32' : '48';
  syncPrinter();
  showForm($('dev-form'), $('dev-error'), $('dev-edit-name'));
}

function close(restoreFocus = true) {
  const was = editing;
  editing = undefined;
  $('dev-form').hidden = true;
  if (restoreFocus && was) focusEdit($('dev-body'), was.id);
}

async function save(e) {
  e.preventDefault();
  const form = $('dev-form');
  const err = $('dev-error');
  const kiosk = editing.kind === 'kiosk';
  const on = kiosk && $('dev-printer-on').checked;
  const addr = $('dev-printer-addr').value.trim();
  const checks = [
    [$('dev-printer-addr'), on && addr && (/\//.test(addr) || /\s/.test(addr)) ? t('admin.error.printer_addr') : null],
  ];
  if (!checkForm(form, err, checks)) return;
  const body = { name: $('dev-edit-name').value.trim() };
  if (kiosk) {
    body.settings = {
      printer: on
        ? { Addr: addr, CodePage: $('dev-printer-cp').value, Width: Number($('dev-printer-width').value) }
        : { Addr: '' }, // no address: the kiosk prints through its browser
    };
  }
  await busy($('btn-dev-save'), err, async () => {
    const saved = await adm.updateDevice(editing.id, body);
    const id = editing.id;
    close(false);
    await load();
    focusEdit($('dev-body'), id);
    reportSaved(t('admin.devices.saved', { name: saved.name || saved.id }));
  });
}

async function copyFrom(text, input, button) {
  const ok = await copyText(text, input);
  setStatus(ok ? t('admin.copied') : t('admin.copy_failed'), ok ? 'ok' : 'error');
  button.focus();
}

export function init() {
  $('dev-create-form').addEventListener('submit', create);
  $('dev-form').addEventListener('submit', save);
  $('btn-dev-cancel').addEventListener('click', () => close());
  $('dev-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  $('dev-printer-on').addEventListener('change', syncPrinter);
  $('btn-copy-token').addEventListener('click', (e) => copyFrom($('dev-token').value, $('dev-token'), e.currentTarget));
  $('btn-copy-pairing').addEventListener('click', (e) => copyFrom($('dev-pairing-link').href, null, e.currentTarget));
  $('btn-secret-close').addEventListener('click', () => { hideSecret(); $('dev-name').focus(); });
}
