// admin-settings-branch.js — the branch's own settings: names, time zone,
// priorities, appointments (the cap of appointment calls in a row, closed
// dates), opening hours, display times and message line (PUT /branches/{b}).

import { t, fmtDate, fmtNumber } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, setStatus, clearError, showError, checkForm, validId, textOf, busy, reportSaved, dayDate,
} from './admin-util.js';
import { DAYS, dayName, clone, HHMM, TIME_INPUT, apptRules } from './admin-settings-common.js';

let hours = { on: false, days: {} };
let prio = { cats: [], on: new Set() };
let closed = []; // the closed dates, YYYY-MM-DD, in order
// i18n-keys: priority.disability priority.pregnancy priority.infant priority.senior
const prioLabel = (p) => t(`priority.${p}`, null, { fallback: p });

/** Fills the form with the branch's settings. */
export function enter() {
  clearError($('branch-error'));
  fillBranch();
}

/** Language change: labels only; what is being typed stays. */
export function render() {
  readPrio();
  renderPrio();
  renderHours();
  renderClosed();
  renderCapHint();
}


function fillBranch() {
  const b = app.settings.branch;
  $('br-id').value = b.id;
  $('br-name-el').value = (b.name && b.name.el) || '';
  $('br-name-en').value = (b.name && b.name.en) || '';
  $('br-tz').value = b.time_zone || 'Europe/Athens';
  $('br-cap').value = b.priority_cap || 3;
  $('br-retention').value = b.retention_days || 0;
  $('br-recall-badge').value = b.recall_badge_min || app.rules.recall_badge_min_default;
  $('br-call-shown').value = b.call_shown_min || app.rules.call_shown_min_default;
  $('br-appt-cap').value = b.appointment_cap || apptRules().capDefault;
  $('br-appt-cap').max = String(apptRules().capMax);
  renderCapHint();
  closed = [...new Set(b.closed_dates || [])].sort();
  $('br-closed-date').value = '';
  renderClosed();
  fillPlace(b);
  $('br-msg-el').value = (b.message && b.message.el) || '';
  $('br-msg-en').value = (b.message && b.message.en) || '';
  $('br-prio-extra').value = '';
  const cur = b.priorities || [];
  prio = { cats: [...new Set([...app.rules.priorities, ...cur])], on: new Set(cur) };
  renderPrio();
  hours = { on: !!(b.hours && Object.keys(b.hours).length), days: clone(b.hours) };
  renderHours();
}

// ---- the address and coordinates, published with the waits (/waits) ----

function fillPlace(b) {
  $('br-addr-el').value = (b.address && b.address.el) || '';
  $('br-addr-en').value = (b.address && b.address.en) || '';
  $('br-lat').value = typeof b.lat === 'number' ? String(b.lat) : '';
  $('br-lon').value = typeof b.lon === 'number' ? String(b.lon) : '';
}

/** The coordinates typed, as numbers ("" → null; a comma is a decimal point). */
function readCoord(id) {
  const v = $(id).value.trim().replace(',', '.');
  return v === '' ? null : Number(v);
}

/** [element, message] of the first problem with the place, or [null, null]. */
function placeProblem() {
  const lat = readCoord('br-lat');
  const lon = readCoord('br-lon');
  const addrEl = $('br-addr-el').value.trim();
  const addrEn = $('br-addr-en').value.trim();
  if ((lat === null) !== (lon === null)) return [$(lat === null ? 'br-lat' : 'br-lon'), t('waits.admin_error_pair')];
  if (lat !== null && !(Number.isFinite(lat) && lat >= -90 && lat <= 90)) return [$('br-lat'), t('waits.admin_error_lat')];
  if (lon !== null && !(Number.isFinite(lon) && lon >= -180 && lon <= 180)) return [$('br-lon'), t('waits.admin_error_lon')];
  if (addrEn && !addrEl) return [$('br-addr-el'), t('admin.error.greek_required')];
  return [null, null];
}

// ---- appointments: the cap and the closed dates ----

function renderCapHint() {
  $('br-appt-cap-hint').textContent = t('admin.appt.cap_hint', { n: fmtNumber(apptRules().capDefault) });
}

const closedText = (d) => fmtDate(dayDate(d), { year: true });

function renderClosed(focusId) {
  $('br-closed-none').hidden = closed.length > 0;
  $('br-closed-list').replaceChildren(...closed.map((d, i) => h('li', { 'data-date': d },
    h('time', { datetime: d }, closedText(d)),
    h('button', {
      type: 'button', class: 'btn btn-sm btn-danger', 'data-remove': d,
      'aria-label': t('admin.appt.closed_remove_label', { date: closedText(d) }),
      onclick: () => {
        closed.splice(i, 1);
        const next = closed[i] || closed[i - 1];
        renderClosed(next ? null : 'br-closed-date');
        const btn = next && $('br-closed-list').querySelector(`button[data-remove="${next}"]`);
        if (btn) btn.focus();
        setStatus(t('admin.appt.closed_removed', { date: closedText(d) }));
      },
    }, t('admin.appt.closed_remove')))));
  if (focusId && $(focusId)) $(focusId).focus();
}

function addClosed() {
  const el = $('br-closed-date');
  const d = el.value;
  const err = $('branch-error');
  clearError(err);
  el.removeAttribute('aria-invalid');
  const refuse = (msg) => {
    showError(err, msg);
    el.setAttribute('aria-invalid', 'true');
    el.focus();
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) {
    refuse(t('admin.appt.error.closed_date'));
    return;
  }
  if (closed.includes(d)) {
    setStatus(t('admin.appt.closed_exists', { date: closedText(d) }));
    el.focus();
    return;
  }
  if (closed.length >= apptRules().closedMax) {
    refuse(t('admin.appt.error.closed_max', { n: fmtNumber(apptRules().closedMax) }));
    return;
  }
  closed = [...closed, d].sort();
  el.value = '';
  renderClosed('br-closed-date');
  setStatus(t('admin.appt.closed_added', { date: closedText(d) }));
}

function readPrio() {
  for (const cb of $('br-prio-list').querySelectorAll('input[type=checkbox]')) {
    if (cb.checked) prio.on.add(cb.value); else prio.on.delete(cb.value);
  }
}

function renderPrio() {
  $('br-prio-list').replaceChildren(...prio.cats.map((c) => h('div', { class: 'check-row' },
    h('input', { type: 'checkbox', id: `br-prio-${c}`, value: c, checked: prio.on.has(c) }),
    h('label', { for: `br-prio-${c}` }, prioLabel(c), ' ', h('code', null, c)))));
}

function renderHours(focusId) {
  $('br-hours-on').checked = hours.on;
  const box = $('br-hours');
  box.hidden = !hours.on;
  $('btn-hours-copy').hidden = !hours.on;
  box.replaceChildren(...DAYS().map((day) => {
    const spans = hours.days[day] || [];
    return h('fieldset', { class: 'day', 'data-day': day },
      h('legend', null, dayName(day)),
      spans.length ? null : h('p', { class: 'closed-note' }, t('admin.settings.day_closed')),
      ...spans.map((sp, i) => h('div', { class: 'period' },
        h('label', { for: `hr-${day}-${i}-from` }, t('admin.settings.from')),
        h('input', { ...TIME_INPUT, id: `hr-${day}-${i}-from`, 'data-label': `${dayName(day)} ${t('admin.settings.from')}`, value: sp.from, oninput: (e) => { sp.from = e.target.value.trim(); } }),
        h('label', { for: `hr-${day}-${i}-to` }, t('admin.settings.to')),
        h('input', { ...TIME_INPUT, id: `hr-${day}-${i}-to`, 'data-label': `${dayName(day)} ${t('admin.settings.to')}`, value: sp.to, oninput: (e) => { sp.to = e.target.value.trim(); } }),
        h('button', {
          type: 'button', class: 'btn btn-sm btn-danger',
          'aria-label': t('admin.settings.remove_period_label', { day: dayName(day), from: sp.from, to: sp.to }),
          onclick: () => {
            spans.splice(i, 1);
            if (!spans.length) delete hours.days[day];
            renderHours(`hr-${day}-add`);
          },
        }, t('admin.settings.remove_period')))),
      h('button', {
        type: 'button', class: 'btn btn-sm', id: `hr-${day}-add`,
        'aria-label': t('admin.settings.add_period_label', { day: dayName(day) }),
        onclick: () => {
          const list = hours.days[day] || (hours.days[day] = []);
          const last = list[list.length - 1];
          list.push(last ? { from: last.to, to: last.to < '17:00' ? '17:00' : '23:59' } : { from: '08:00', to: '15:00' });
          renderHours(`hr-${day}-${list.length - 1}-from`);
        },
      }, t('admin.settings.add_period')));
  }));
  if (focusId && $(focusId)) $(focusId).focus();
}

function hoursProblems() {
  if (!hours.on) return null;
  let any = false;
  for (const day of DAYS()) {
    for (const sp of hours.days[day] || []) {
      any = true;
      const re = new RegExp(`^${HHMM}$`);
      if (!re.test(sp.from || '') || !re.test(sp.to || '') || sp.from >= sp.to) {
        return [$(`hr-${day}-${(hours.days[day] || []).indexOf(sp)}-from`), t('admin.error.period', { day: dayName(day) })];
      }
    }
  }
  if (!any) return [$('br-hours-on'), t('admin.error.no_hours')];
  return null;
}

function validTimeZone(tz) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

async function saveBranch(e) {
  e.preventDefault();
  const form = $('branch-form');
  const err = $('branch-error');
  readPrio();
  const extras = $('br-prio-extra').value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  const badExtra = extras.find((x) => !validId(x) || x === 'none');
  const tz = $('br-tz').value.trim();
  const msgEl = $('br-msg-el').value.trim();
  const msgEn = $('br-msg-en').value.trim();
  const checks = [
    [$('br-tz'), tz && !validTimeZone(tz) ? t('admin.error.time_zone', { tz }) : null],
    [$('br-prio-extra'), badExtra ? t('admin.error.priority_id', { id: badExtra }) : null],
    [$('br-msg-el'), msgEn && !msgEl ? t('admin.error.greek_required') : null],
    hoursProblems() || [null, null],
    placeProblem(),
  ];
  if (!checkForm(form, err, checks)) return;
  const body = {
    id: app.branch,
    name: textOf($('br-name-el').value, $('br-name-en').value),
    time_zone: tz,
    priority_cap: Number($('br-cap').value),
    priorities: [...new Set([...prio.cats.filter((c) => prio.on.has(c)), ...extras])],
    retention_days: Number($('br-retention').value) || 0,
    recall_badge_min: Number($('br-recall-badge').value) || 0,
    call_shown_min: Number($('br-call-shown').value) || 0,
    appointment_cap: Number($('br-appt-cap').value) || 0,
    closed_dates: [...closed],
  };
  if (hours.on) {
    body.hours = {};
    for (const day of DAYS()) if ((hours.days[day] || []).length) body.hours[day] = hours.days[day].map((s) => ({ from: s.from, to: s.to }));
  }
  const msg = textOf(msgEl, msgEn);
  if (msg) body.message = msg;
  const addr = textOf($('br-addr-el').value.trim(), $('br-addr-en').value.trim());
  if (addr) body.address = addr;
  if (readCoord('br-lat') !== null) {
    body.lat = readCoord('br-lat');
    body.lon = readCoord('br-lon');
  }
  await busy($('btn-branch-save'), err, async () => {
    app.settings = await adm.updateBranch(body);
    const i = app.branches.findIndex((b) => b.id === app.branch);
    if (i >= 0) app.branches[i] = app.settings.branch;
    if (app.onBranchesChanged) app.onBranchesChanged();
    fillBranch();
    reportSaved(t('admin.settings.branch_saved'));
  });
}


export function init() {
  $('branch-form').addEventListener('submit', saveBranch);
  $('btn-closed-add').addEventListener('click', addClosed);
  // Enter in the date field adds it (rather than saving the whole form).
  $('br-closed-date').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); addClosed(); }
  });
  $('br-hours-on').addEventListener('change', (e) => {
    hours.on = e.target.checked;
    if (hours.on && !Object.keys(hours.days).length) {
      for (const d of ['mon', 'tue', 'wed', 'thu', 'fri']) hours.days[d] = [{ from: '07:30', to: '15:00' }];
    }
    renderHours();
  });
  $('btn-hours-copy').addEventListener('click', () => {
    const mon = hours.days.mon || [];
    for (const d of ['tue', 'wed', 'thu', 'fri']) {
      if (mon.length) hours.days[d] = clone(mon); else delete hours.days[d];
    }
    renderHours('btn-hours-copy');
    setStatus(t('admin.settings.hours_copied'));
  });
}
