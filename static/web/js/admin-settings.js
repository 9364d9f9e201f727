// admin-settings.js — a branch's settings (PUT /branches/{b}), its services
// (POST/PUT/DELETE …/services) and counters (POST/PUT/DELETE …/counters).

import { t, localName } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, setStatus, clearError, checkForm, validId, textOf, busy, orStatus, reportSaved, showForm, focusEdit,
  fmtSecs, num, pill, rowButton, ensureSettings, confirmAction, serviceName,
} from './admin-util.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// i18n-keys: admin.day.mon admin.day.tue admin.day.wed admin.day.thu admin.day.fri admin.day.sat admin.day.sun
const KNOWN_PRIORITIES = ['disability', 'pregnancy', 'infant', 'senior'];
// i18n-keys: priority.disability priority.pregnancy priority.infant priority.senior
const DEFAULT_SERVICE_S = 300;
const DEFAULT_TARGET_S = 900;

let hours = { on: false, days: {} };
let prio = { cats: [], on: new Set() };
let svcEditing = undefined; // undefined: closed; null: new; id: editing
let ctrEditing = undefined;
let serves = []; // [{id, on}] in the counter's preference order
// The plans of the counter being edited: [{days, opens, closes, breaks: [{at, minutes}]}].
let plans = [];

const dayName = (d) => t(`admin.day.${d}`);
const prioLabel = (p) => t(`priority.${p}`, null, { fallback: p });
const clone = (v) => JSON.parse(JSON.stringify(v || {}));
// 24-hour HH:MM as the server wants it (a time input would follow the
// browser's locale, e.g. 12-hour clocks).
const HHMM = '([01][0-9]|2[0-3]):[0-5][0-9]';
const TIME_INPUT = {
  type: 'text', inputmode: 'numeric', pattern: HHMM, maxlength: 5, placeholder: '08:00', required: true,
  autocomplete: 'off', spellcheck: 'false', class: 'time',
};

export async function enter() {
  await ensureSettings(true);
  closeSvc(false);
  closeCtr(false);
  clearError($('branch-error'));
  fillBranch();
  renderServices();
  renderCounters();
}

export function leave() {}

/** Language change: labels only; what is being typed stays. */
export function render() {
  if (!app.settings) return;
  readPrio();
  renderPrio();
  renderHours();
  renderServices();
  renderCounters();
  if (svcEditing !== undefined) svcTitle();
  if (ctrEditing !== undefined) { ctrTitle(); renderServes(); syncPlans(); renderPlans(); }
}

// ---- branch ----

function fillBranch() {
  const b = app.settings.branch;
  $('br-id').value = b.id;
  $('br-name-el').value = (b.name && b.name.el) || '';
  $('br-name-en').value = (b.name && b.name.en) || '';
  $('br-tz').value = b.time_zone || 'Europe/Athens';
  $('br-cap').value = b.priority_cap || 3;
  $('br-retention').value = b.retention_days || 0;
  $('br-recall-badge').value = b.recall_badge_min || app.settings.rules.recall_badge_min_default;
  $('br-call-shown').value = b.call_shown_min || app.settings.rules.call_shown_min_default;
  $('br-msg-el').value = (b.message && b.message.el) || '';
  $('br-msg-en').value = (b.message && b.message.en) || '';
  $('br-prio-extra').value = '';
  const cur = b.priorities || [];
  prio = { cats: [...new Set([...KNOWN_PRIORITIES, ...cur])], on: new Set(cur) };
  renderPrio();
  hours = { on: !!(b.hours && Object.keys(b.hours).length), days: clone(b.hours) };
  renderHours();
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
  box.replaceChildren(...DAYS.map((day) => {
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
  for (const day of DAYS) {
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
  };
  if (hours.on) {
    body.hours = {};
    for (const day of DAYS) if ((hours.days[day] || []).length) body.hours[day] = hours.days[day].map((s) => ({ from: s.from, to: s.to }));
  }
  const msg = textOf(msgEl, msgEn);
  if (msg) body.message = msg;
  await busy($('btn-branch-save'), err, async () => {
    app.settings = await adm.updateBranch(body);
    const i = app.branches.findIndex((b) => b.id === app.branch);
    if (i >= 0) app.branches[i] = app.settings.branch;
    if (app.onBranchesChanged) app.onBranchesChanged();
    fillBranch();
    reportSaved(t('admin.settings.branch_saved'));
  });
}

// ---- services ----

const sortedServices = () => [...app.settings.services].sort((a, b) => (a.order - b.order) || a.id.localeCompare(b.id));

function renderServices() {
  $('svc-body').replaceChildren(...sortedServices().map((s) => {
    const name = localName(s.name);
    return h('tr', { 'data-service': s.id },
      h('td', { class: 'num' }, num(s.order)),
      h('th', { scope: 'row' }, name, s.name && s.name.en && s.name.el && s.name.en !== name
        ? h('span', { class: 'sub', lang: 'en' }, s.name.en) : null),
      h('td', null, h('span', { class: 'prefix' }, s.prefix)),
      h('td', null, h('code', null, s.id)),
      h('td', null, pill(s.open ? t('admin.service_open') : t('admin.service_closed'), { 'data-status': s.open ? 'open' : 'closed' })),
      h('td', { class: 'num' }, s.default_service_s ? fmtSecs(s.default_service_s) : t('admin.default_value', { value: fmtSecs(DEFAULT_SERVICE_S) })),
      h('td', { class: 'num' }, s.daily_limit ? num(s.daily_limit) : t('admin.services.no_limit')),
      h('td', { class: 'num' }, s.target_wait_s ? fmtSecs(s.target_wait_s) : t('admin.default_value', { value: fmtSecs(DEFAULT_TARGET_S) })),
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

// ---- counters ----

const statusLabel = (s) => t(`admin.counter_status.${s}`, null, { fallback: s });
// i18n-keys: admin.counter_status.open admin.counter_status.paused admin.counter_status.closed

function renderCounters() {
  $('ctr-body').replaceChildren(...app.settings.counters.map((c) => {
    const name = localName(c.name);
    return h('tr', { 'data-counter': c.id },
      h('th', { scope: 'row' }, name),
      h('td', null, h('code', null, c.id)),
      h('td', null, h('ol', { class: 'inline-list' }, (c.serves || []).map((id) => h('li', null, serviceName(id))))),
      h('td', { 'data-schedule': c.id }, scheduleText(c)),
      h('td', null, pill(statusLabel(c.status), { 'data-status': c.status })),
      h('td', { class: 'actions' },
        rowButton(t('admin.edit'), () => openCtr(c), { 'data-edit': c.id, 'aria-label': t('admin.edit_label', { name }) }),
        rowButton(t('admin.delete'), () => deleteCtr(c), { class: 'btn-danger', 'data-delete': c.id, 'aria-label': t('admin.delete_label', { name }) })));
  }));
}

/** A counter's plans in a line, or "no plan". */
function scheduleText(c) {
  const texts = plansOf(c).map(planText).filter(Boolean);
  return texts.length ? texts.join(' / ') : t('admin.counters.no_schedule');
}

/** A counter's plans: schedules, or the one schedule. */
function plansOf(c) {
  if (c && c.schedules && c.schedules.length) return c.schedules;
  return c && c.schedule ? [c.schedule] : [];
}

/** One plan's days, hours and breaks in a line ('' for an empty plan). */
function planText(s) {
  const parts = [];
  // i18n-keys: admin.day_short.mon admin.day_short.tue admin.day_short.wed admin.day_short.thu admin.day_short.fri admin.day_short.sat admin.day_short.sun
  if (s.days && s.days.length) parts.push(DAYS.filter((d) => s.days.includes(d)).map((d) => t(`admin.day_short.${d}`)).join(', '));
  if (s.opens || s.closes) parts.push(t('admin.counters.hours_summary', { from: s.opens || '…', to: s.closes || '…' }));
  for (const b of s.breaks || []) parts.push(t('admin.counters.break_summary', { at: b.at, minutes: b.minutes }));
  return parts.join(' · ');
}

// The server's bound on a counter's plans: one a weekday.
const MAX_PLANS = 7;

/** The id of field name of plan k: the first plan's are a single schedule's. */
const planId = (k, name) => (k === 0 ? `ctr-${name}` : `ctr-s${k}-${name}`);
const breakAddId = (k) => (k === 0 ? 'btn-break-add' : `btn-s${k}-break-add`);

function renderPlans(focusId) {
  const many = plans.length > 1;
  $('ctr-plans').replaceChildren(...plans.map((p, k) => {
    const id = (name) => planId(k, name);
    const time = (name, label, placeholder) => h('div', { class: 'field' },
      h('label', { for: id(name) }, t(label)),
      h('input', {
        ...TIME_INPUT, required: false, id: id(name), placeholder, value: p[name], 'aria-describedby': 'ctr-schedule-hint',
      }));
    return h('fieldset', { class: 'plan', 'data-plan': String(k) },
      h('legend', null, many ? t('admin.counters.plan_n', { n: k + 1 }) : t('admin.counters.plan')),
      h('fieldset', { class: 'days-choice', 'aria-describedby': id('days-hint') },
        h('legend', null, t('admin.counters.days')),
        h('p', { id: id('days-hint'), class: 'hint' }, t('admin.counters.days_hint')),
        h('div', { id: id('days'), class: 'days-list', 'data-testid': id('days') }, DAYS.map((d) => h('span', { class: 'check-row' },
          h('input', { type: 'checkbox', id: id(`day-${d}`), checked: p.days.includes(d) }),
          h('label', { for: id(`day-${d}`) }, dayName(d)))))),
      h('div', { class: 'form-grid schedule-times' },
        time('opens', 'admin.counters.opens', '08:00'),
        time('closes', 'admin.counters.closes', '15:00')),
      h('div', { id: id('breaks'), class: 'breaks', 'data-testid': id('breaks') }, p.breaks.map((b, i) => h('div', { class: 'period', 'data-break': String(i) },
        h('label', { for: id(`br-${i}-at`) }, t('admin.counters.break_at')),
        h('input', {
          ...TIME_INPUT, id: id(`br-${i}-at`), placeholder: '12:00', value: b.at,
          'data-label': `${t('admin.counters.break_at')} ${i + 1}`,
        }),
        h('label', { for: id(`br-${i}-min`) }, t('admin.counters.break_minutes')),
        h('input', {
          id: id(`br-${i}-min`), type: 'number', min: 1, max: 240, step: 1, required: true, class: 'minutes', value: String(b.minutes),
          'data-label': `${t('admin.counters.break_minutes')} ${i + 1}`,
        }),
        h('button', {
          type: 'button', class: 'btn btn-sm btn-danger', id: id(`br-${i}-remove`),
          'aria-label': t('admin.counters.remove_break_label', { at: b.at }),
          onclick: () => {
            syncPlans();
            p.breaks.splice(i, 1);
            renderPlans(breakAddId(k));
          },
        }, t('admin.counters.remove_break'))))),
      h('div', { class: 'plan-actions' },
        h('button', {
          type: 'button', class: 'btn btn-sm', id: breakAddId(k),
          onclick: () => {
            syncPlans();
            p.breaks.push({ at: p.breaks.length ? '' : '12:00', minutes: 30 });
            renderPlans(id(`br-${p.breaks.length - 1}-at`));
          },
        }, t('admin.counters.add_break')),
        many ? h('button', {
          type: 'button', class: 'btn btn-sm btn-danger', id: `btn-s${k}-remove`,
          'aria-label': t('admin.counters.remove_plan_label', { n: k + 1 }),
          onclick: () => {
            syncPlans();
            plans.splice(k, 1);
            renderPlans('btn-plan-add');
          },
        }, t('admin.counters.remove_plan')) : null));
  }));
  $('btn-plan-add').disabled = plans.length >= MAX_PLANS;
  if (focusId && $(focusId)) $(focusId).focus();
}

/** Reads what the form's fields hold into plans, before they are drawn
 * again or sent (typed values and ticks are the fields'). */
function syncPlans() {
  plans.forEach((p, k) => {
    const id = (name) => planId(k, name);
    if (!$(id('opens'))) return; // not drawn yet
    p.days = DAYS.filter((d) => $(id(`day-${d}`)).checked);
    p.opens = $(id('opens')).value.trim();
    p.closes = $(id('closes')).value.trim();
    p.breaks.forEach((b, i) => {
      b.at = $(id(`br-${i}-at`)).value.trim();
      b.minutes = Number($(id(`br-${i}-min`)).value);
    });
  });
}

/** The plans the form describes, and the first problem with them. */
function readPlans() {
  syncPlans();
  const re = new RegExp(`^${HHMM}$`);
  let problem = [null, null];
  const found = (el, msg) => { if (!problem[1]) problem = [el, msg]; };
  const out = plans.map((p, k) => {
    const id = (name) => planId(k, name);
    const { opens, closes } = p;
    const sched = {};
    const days = DAYS.filter((d) => p.days.includes(d));
    if (days.length) sched.days = days;
    if (opens) sched.opens = opens;
    if (closes) sched.closes = closes;
    const sorted = [...p.breaks].sort((a, b) => (a.at < b.at ? -1 : 1));
    const bad = p.breaks.findIndex((b) => !re.test(b.at || '') || !(Number.isInteger(b.minutes) && b.minutes >= 1 && b.minutes <= 240));
    // The first problem, as the server would find it.
    if (opens && closes && re.test(opens) && re.test(closes) && closes <= opens) {
      found($(id('closes')), t('admin.error.schedule_order'));
    } else if (bad >= 0) {
      found($(id(`br-${bad}-at`)), t('admin.error.break'));
    } else if (sorted.some((b, i) => i > 0 && toMin(b.at) < toMin(sorted[i - 1].at) + sorted[i - 1].minutes)) {
      found($(id('br-0-at')), t('admin.error.breaks_overlap'));
    } else if (sorted.some((b) => (opens && re.test(opens) && b.at < opens) || (closes && re.test(closes) && toMin(b.at) + b.minutes > toMin(closes)))) {
      found($(id('br-0-at')), t('admin.error.break_outside'));
    }
    if (sorted.length) sched.breaks = sorted.map((b) => ({ at: b.at, minutes: b.minutes }));
    return sched;
  });
  if (out.length > 1) {
    const seen = new Set();
    let rest = false; // a plan for the days no other names
    out.forEach((s, k) => {
      if (!Object.keys(s).length) found($(planId(k, 'opens')), t('admin.error.plan_empty'));
      if (!s.days) {
        if (rest) found($(planId(k, 'day-mon')), t('admin.error.plans_rest'));
        rest = true;
      }
      for (const d of s.days || []) {
        if (seen.has(d)) found($(planId(k, `day-${d}`)), t('admin.error.plan_day_twice', { day: dayName(d) }));
        seen.add(d);
      }
    });
  }
  return { plans: out, problem };
}

const toMin = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function ctrTitle() {
  const c = ctrEditing && app.settings.counters.find((x) => x.id === ctrEditing);
  $('ctr-form-title').textContent = c ? t('admin.counters.edit_title', { name: localName(c.name) }) : t('admin.counters.new_title');
}

function openCtr(c) {
  ctrEditing = c ? c.id : null;
  ctrTitle();
  $('ctr-id').value = c ? c.id : '';
  $('ctr-id').readOnly = !!c;
  $('ctr-name-el').value = c && c.name ? (c.name.el || '') : '';
  $('ctr-name-en').value = c && c.name ? (c.name.en || '') : '';
  const mine = c ? c.serves || [] : [];
  serves = [
    ...mine.map((id) => ({ id, on: true })),
    ...sortedServices().filter((s) => !mine.includes(s.id)).map((s) => ({ id: s.id, on: false })),
  ];
  renderServes();
  const given = plansOf(c);
  plans = (given.length ? given : [{}]).map((s) => ({
    days: [...(s.days || [])], opens: s.opens || '', closes: s.closes || '',
    breaks: (s.breaks || []).map((b) => ({ at: b.at, minutes: b.minutes })),
  }));
  renderPlans();
  showForm($('ctr-form'), $('ctr-error'), c ? $('ctr-name-el') : $('ctr-id'));
}

function renderServes(focus) {
  let rank = 0;
  $('ctr-serves').replaceChildren(...serves.map((x, i) => {
    const name = serviceName(x.id);
    if (x.on) rank++;
    return h('li', { 'data-service': x.id, 'data-on': String(x.on) },
      h('span', { class: 'rank', 'aria-hidden': 'true' }, x.on ? String(rank) : '–'),
      h('span', { class: 'check-row' },
        h('input', {
          type: 'checkbox', id: `ctr-sv-${x.id}`, checked: x.on,
          onchange: (e) => { x.on = e.target.checked; renderServes({ id: `ctr-sv-${x.id}` }); },
        }),
        h('label', { for: `ctr-sv-${x.id}` }, name)),
      h('span', { class: 'move' },
        h('button', {
          type: 'button', class: 'btn btn-sm', id: `ctr-up-${x.id}`, disabled: i === 0,
          'aria-label': t('admin.counters.move_up_label', { name }), onclick: () => move(i, -1),
        }, h('span', { 'aria-hidden': 'true' }, '↑ '), t('admin.counters.move_up')),
        h('button', {
          type: 'button', class: 'btn btn-sm', id: `ctr-down-${x.id}`, disabled: i === serves.length - 1,
          'aria-label': t('admin.counters.move_down_label', { name }), onclick: () => move(i, 1),
        }, h('span', { 'aria-hidden': 'true' }, '↓ '), t('admin.counters.move_down'))));
  }));
  if (focus && $(focus.id)) {
    let el = $(focus.id);
    if (el.disabled && focus.alt) el = $(focus.alt);
    el.focus();
  }
}

function move(i, d) {
  const j = i + d;
  if (j < 0 || j >= serves.length) return;
  const x = serves[i];
  [serves[i], serves[j]] = [serves[j], serves[i]];
  const dir = d < 0 ? 'up' : 'down';
  const other = d < 0 ? 'down' : 'up';
  renderServes({ id: `ctr-${dir}-${x.id}`, alt: `ctr-${other}-${x.id}` });
  setStatus(t('admin.counters.moved', { name: serviceName(x.id), position: j + 1, count: serves.length }));
}

function closeCtr(restoreFocus = true) {
  const was = ctrEditing;
  ctrEditing = undefined;
  $('ctr-form').hidden = true;
  if (restoreFocus) focusEdit($('ctr-body'), was, $('btn-ctr-new'));
}

async function saveCtr(e) {
  e.preventDefault();
  const form = $('ctr-form');
  const err = $('ctr-error');
  const id = $('ctr-id').value.trim();
  const list = serves.filter((x) => x.on).map((x) => x.id);
  const el = $('ctr-name-el').value.trim();
  const en = $('ctr-name-en').value.trim();
  const checks = [
    [$('ctr-id'), ctrEditing === null && id && !validId(id) ? t('admin.error.id_format') : null],
    [$('ctr-name-el'), en && !el ? t('admin.error.greek_required') : null],
    [serves.length ? $(`ctr-sv-${serves[0].id}`) : null, list.length ? null : t('admin.error.no_services')],
  ];
  const { plans: planned, problem } = readPlans();
  checks.push(problem);
  if (!checkForm(form, err, checks)) return;
  // A PUT replaces the settings: the schedule always goes with them, one
  // plan as schedule (empty: none), several as schedules.
  const body = { id: ctrEditing || id, serves: list };
  if (planned.length > 1) body.schedules = planned;
  else body.schedule = planned[0] || {};
  const name = textOf(el, en);
  if (name) body.name = name;
  await busy($('btn-ctr-save'), err, async () => {
    const saved = ctrEditing ? await adm.updateCounter(ctrEditing, body) : await adm.createCounter(body);
    await ensureSettings(true);
    renderCounters();
    closeCtr();
    reportSaved(t('admin.counters.saved', { name: localName(saved.name) }));
  });
}

async function deleteCtr(c) {
  const name = localName(c.name);
  if (!confirmAction(t('admin.counters.confirm_delete', { name }))) return;
  await orStatus(async () => {
    await adm.deleteCounter(c.id);
    await ensureSettings(true);
    renderCounters();
    setStatus(t('admin.counters.deleted', { name }), 'ok');
    $('btn-ctr-new').focus();
  });
}

export function init() {
  $('branch-form').addEventListener('submit', saveBranch);
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
  $('btn-svc-new').addEventListener('click', () => openSvc(null));
  $('btn-svc-cancel').addEventListener('click', () => closeSvc());
  $('svc-form').addEventListener('submit', saveSvc);
  $('svc-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeSvc(); });
  $('btn-ctr-new').addEventListener('click', () => openCtr(null));
  $('btn-ctr-cancel').addEventListener('click', () => closeCtr());
  $('ctr-form').addEventListener('submit', saveCtr);
  $('btn-plan-add').addEventListener('click', () => {
    if (plans.length >= MAX_PLANS) return;
    syncPlans();
    plans.push({ days: [], opens: '', closes: '', breaks: [] });
    renderPlans(planId(plans.length - 1, 'day-mon'));
  });
  $('ctr-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeCtr(); });
}
