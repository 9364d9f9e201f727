// admin-settings-services.js — the branch's services
// (POST/PUT/DELETE …/services).

import { t, localName, fmtNumber } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, setStatus, checkForm, validId, textOf, busy, orStatus, reportSaved, showForm, focusEdit, fmtSecs, num, pill, rowButton, ensureSettings, confirmAction,
} from './admin-util.js';
import { renderCounters } from './admin-settings-counters.js';
import { sortedServices, apptRules } from './admin-settings-common.js';

let svcEditing = undefined; // undefined: closed; null: new; id: editing

export function enter() {
  closeSvc(false);
  renderServices();
}

/** Language change: labels only; what is being typed stays. */
export function render() {
  renderServices();
  renderApptHints();
  if (svcEditing !== undefined) svcTitle();
}

// ---- the service's appointment settings ----

// The hints say the defaults an empty field takes.
function renderApptHints() {
  const r = apptRules();
  $('svc-appt-slot-hint').textContent = t('admin.appt.slot_min_hint', { n: fmtNumber(r.slotDefault) });
  $('svc-appt-days-hint').textContent = t('admin.appt.days_ahead_hint', { n: fmtNumber(r.daysDefault) });
  $('svc-appt-early-hint').textContent = t('admin.appt.checkin_early_hint', { n: fmtNumber(r.earlyDefault) });
  $('svc-appt-late-hint').textContent = t('admin.appt.checkin_late_hint', { n: fmtNumber(r.lateDefault) });
}

function apptShown() {
  $('svc-appt-fields').hidden = !$('svc-appt-on').checked;
}

function fillAppt(s) {
  const r = apptRules();
  const ap = (s && s.appointments) || {};
  $('svc-appt-on').checked = !!ap.enabled;
  const set = (id, v, min, max) => {
    const el = $(id);
    el.value = v ? v : '';
    el.min = String(min);
    el.max = String(max);
  };
  set('svc-appt-slot', ap.slot_min, r.slotMin, r.slotMax);
  set('svc-appt-per', ap.per_slot, 1, r.perSlotMax);
  set('svc-appt-days', ap.days_ahead, 1, r.daysMax);
  set('svc-appt-early', ap.checkin_early_min, 1, r.checkinMax);
  set('svc-appt-late', ap.checkin_late_min, 1, r.checkinMax);
  renderApptHints();
  apptShown();
}

/** The appointments of the service form's body: undefined when never set. */
function apptBody(had) {
  const on = $('svc-appt-on').checked;
  const n = (id) => Number($(id).value) || 0;
  const ap = {
    enabled: on, slot_min: n('svc-appt-slot'), per_slot: n('svc-appt-per'), days_ahead: n('svc-appt-days'),
    checkin_early_min: n('svc-appt-early'), checkin_late_min: n('svc-appt-late'),
  };
  return on || had ? ap : undefined;
}

function apptProblems() {
  if (!$('svc-appt-on').checked) return [null, null];
  const v = Number($('svc-appt-slot').value);
  // A day's slots must fit it exactly (the server's rule).
  if ($('svc-appt-slot').value && v > 0 && (24 * 60) % v !== 0) return [$('svc-appt-slot'), t('admin.appt.error.slot_divides')];
  return [null, null];
}



// ---- the service's remote joining (/b/{branch}) ----

function remoteShown() {
  $('svc-remote-fields').hidden = !$('svc-remote-on').checked;
}

function fillRemote(s) {
  const rj = (s && s.remote_join) || {};
  $('svc-remote-on').checked = !!rj.enabled;
  $('svc-remote-cap').value = s && s.remote_join ? String(rj.daily_cap || 0) : '20';
  $('svc-remote-close').value = s && s.remote_join ? String(rj.close_before_min || 0) : '30';
  $('svc-remote-margin').value = s && s.remote_join ? String(rj.be_there_margin_min || 0) : '10';
  remoteShown();
}

/** The remote joining of the form's body: undefined when never set and off. */
function remoteBody(had) {
  const on = $('svc-remote-on').checked;
  const n = (id) => Number($(id).value) || 0;
  const rj = {
    enabled: on, daily_cap: n('svc-remote-cap'), close_before_min: n('svc-remote-close'), be_there_margin_min: n('svc-remote-margin'),
  };
  return on || had ? rj : undefined;
}

function remoteProblems() {
  if (!$('svc-remote-on').checked) return [null, null];
  for (const id of ['svc-remote-cap', 'svc-remote-close', 'svc-remote-margin']) {
    const el = $(id);
    const v = Number(el.value);
    if (el.value !== '' && (!Number.isInteger(v) || v < 0)) return [el, t('remote.admin.error.whole')];
  }
  return [null, null];
}

function renderServices() {
  $('svc-body').replaceChildren(...sortedServices().map((s) => {
    const name = localName(s.name);
    return h('tr', { 'data-service': s.id },
      h('td', { class: 'num' }, num(s.order)),
      h('th', { scope: 'row' }, name, s.name && s.name.en && s.name.el && s.name.en !== name
        ? h('span', { class: 'sub', lang: 'en' }, s.name.en) : null),
      h('td', null, h('span', { class: 'prefix' }, s.prefix)),
      h('td', null, h('code', null, s.id)),
      h('td', null, pill(s.open ? t('admin.service_open') : t('admin.service_closed'), { 'data-status': s.open ? 'open' : 'closed' }),
        s.appointments && s.appointments.enabled
          ? [' ', pill(t('admin.appt.service_pill', { n: fmtNumber(s.appointments.slot_min || apptRules().slotDefault) }), { 'data-appt': 'on' })]
          : null,
        s.remote_join && s.remote_join.enabled ? [' ', pill(t('remote.admin.pill'), { 'data-remote': 'on' })] : null),
      h('td', { class: 'num' }, s.default_service_s ? fmtSecs(s.default_service_s) : t('admin.default_value', { value: fmtSecs(app.rules.default_service_s) })),
      h('td', { class: 'num' }, s.daily_limit ? num(s.daily_limit) : t('admin.services.no_limit')),
      h('td', { class: 'num' }, s.target_wait_s ? fmtSecs(s.target_wait_s) : t('admin.default_value', { value: fmtSecs(app.rules.default_target_wait_s) })),
      h('td', { class: 'actions' },
        rowButton(t('admin.edit'), (e) => openSvc(s, e.currentTarget), { 'data-edit': s.id, 'aria-label': t('admin.edit_label', { name }) }),
        rowButton(t('admin.delete'), () => deleteSvc(s), { class: 'btn-danger', 'data-delete': s.id, 'aria-label': t('admin.delete_label', { name }) })));
  }));
}

function svcTitle() {
  const s = svcEditing && app.settings.services.find((x) => x.id === svcEditing);
  $('svc-form-title').textContent = s ? t('admin.services.edit_title', { name: localName(s.name) }) : t('admin.services.new_title');
}

function openSvc(s) {
  svcEditing = s ? s.id : null;
  svcTitle();
  const maxOrder = app.settings.services.reduce((m, x) => Math.max(m, x.order || 0), 0);
  $('svc-id').value = s ? s.id : '';
  $('svc-id').readOnly = !!s;
  $('svc-name-el').value = s ? (s.name.el || '') : '';
  $('svc-name-en').value = s ? (s.name.en || '') : '';
  $('svc-prefix').value = s ? s.prefix : '';
  $('svc-order').value = s ? s.order : maxOrder + 1;
  $('svc-open').checked = s ? !!s.open : true;
  $('svc-default').value = s && s.default_service_s ? s.default_service_s / 60 : '';
  $('svc-limit').value = s && s.daily_limit ? s.daily_limit : '';
  $('svc-target').value = s && s.target_wait_s ? Math.round(s.target_wait_s / 60) : '';
  fillAppt(s);
  fillRemote(s);
  showForm($('svc-form'), $('svc-error'), s ? $('svc-name-el') : $('svc-id'));
}

function closeSvc(restoreFocus = true) {
  const was = svcEditing;
  svcEditing = undefined;
  $('svc-form').hidden = true;
  if (restoreFocus) focusEdit($('svc-body'), was, $('btn-svc-new'));
}

async function saveSvc(e) {
  e.preventDefault();
  const form = $('svc-form');
  const err = $('svc-error');
  const id = $('svc-id').value.trim();
  const prefix = $('svc-prefix').value.trim().toLocaleUpperCase('el');
  $('svc-prefix').value = prefix;
  const taken = prefix && app.settings.services.find((s) => s.prefix === prefix && s.id !== (svcEditing || id));
  const checks = [
    [$('svc-id'), svcEditing === null && id && !validId(id) ? t('admin.error.id_format') : null],
    [$('svc-prefix'), prefix && !/^[A-ZΑ-Ω]{1,3}$/u.test(prefix) ? t('admin.error.prefix_format') : null],
    [$('svc-prefix'), taken ? t('admin.error.prefix_taken', { prefix, name: localName(taken.name) }) : null],
    apptProblems(),
    remoteProblems(),
  ];
  if (!checkForm(form, err, checks)) return;
  const mins = $('svc-default').value;
  const body = {
    id: svcEditing || id,
    name: textOf($('svc-name-el').value, $('svc-name-en').value),
    prefix,
    order: Number($('svc-order').value) || 0,
    open: $('svc-open').checked,
    default_service_s: mins ? Math.round(Number(mins) * 60) : 0,
    daily_limit: Number($('svc-limit').value) || 0,
    target_wait_s: $('svc-target').value ? Math.round(Number($('svc-target').value) * 60) : 0,
  };
  const old = svcEditing && app.settings.services.find((x) => x.id === svcEditing);
  const ap = apptBody(!!(old && old.appointments));
  if (ap) body.appointments = ap;
  const rj = remoteBody(!!(old && old.remote_join));
  if (rj) body.remote_join = rj;
  await busy($('btn-svc-save'), err, async () => {
    if (svcEditing) await adm.updateService(svcEditing, body);
    else await adm.createService(body);
    const name = localName(body.name);
    await ensureSettings(true);
    renderServices();
    renderCounters();
    closeSvc();
    reportSaved(t('admin.services.saved', { name }));
  });
}

async function deleteSvc(s) {
  const name = localName(s.name);
  if (!confirmAction(t('admin.services.confirm_delete', { name }))) return;
  await orStatus(async () => {
    await adm.deleteService(s.id);
    await ensureSettings(true);
    renderServices();
    setStatus(t('admin.services.deleted', { name }), 'ok');
    $('btn-svc-new').focus();
  });
}


export function init() {
  $('btn-svc-new').addEventListener('click', () => openSvc(null));
  $('btn-svc-cancel').addEventListener('click', () => closeSvc());
  $('svc-form').addEventListener('submit', saveSvc);
  $('svc-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeSvc(); });
  $('svc-appt-on').addEventListener('change', apptShown);
  $('svc-remote-on').addEventListener('change', remoteShown);
}
