// admin-settings-counters.js — the branch's counters, the services each
// serves in order, and their plans (POST/PUT/DELETE …/counters).

import { t, localName } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, setStatus, checkForm, validId, textOf, busy, orStatus, reportSaved, showForm, focusEdit, pill, rowButton, ensureSettings, confirmAction, serviceName,
} from './admin-util.js';
import { DAYS, dayName, HHMM, TIME_INPUT, sortedServices } from './admin-settings-common.js';

let ctrEditing = undefined; // undefined: closed; null: new; id: editing
let serves = []; // [{id, on}] in the counter's preference order
// The plans of the counter being edited: [{days, opens, closes, breaks: [{at, minutes}]}].
let plans = [];

export function enter() {
  closeCtr(false);
  renderCounters();
}

/** Language change: labels only; what is being typed stays. */
export function render() {
  renderCounters();
  if (ctrEditing !== undefined) { ctrTitle(); renderServes(); syncPlans(); renderPlans(); }
}


const statusLabel = (s) => t(`admin.counter_status.${s}`, null, { fallback: s });
// i18n-keys: admin.counter_status.open admin.counter_status.paused admin.counter_status.closed

export function renderCounters() {
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
  if (s.days && s.days.length) parts.push(DAYS().filter((d) => s.days.includes(d)).map((d) => t(`admin.day_short.${d}`)).join(', '));
  if (s.opens || s.closes) parts.push(t('admin.counters.hours_summary', { from: s.opens || '…', to: s.closes || '…' }));
  for (const b of s.breaks || []) parts.push(t('admin.counters.break_summary', { at: b.at, minutes: b.minutes }));
  return parts.join(' · ');
}

// The server's bound on a counter's plans: one a weekday.

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
        h('div', { id: id('days'), class: 'days-list', 'data-testid': id('days') }, DAYS().map((d) => h('span', { class: 'check-row' },
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
          id: id(`br-${i}-min`), type: 'number', min: 1, max: app.rules.break_minutes_max, step: 1, required: true, class: 'minutes', value: String(b.minutes),
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
  $('btn-plan-add').disabled = plans.length >= app.rules.plans_max;
  if (focusId && $(focusId)) $(focusId).focus();
}

/** Reads what the form's fields hold into plans, before they are drawn
 * again or sent (typed values and ticks are the fields'). */
function syncPlans() {
  plans.forEach((p, k) => {
    const id = (name) => planId(k, name);
    if (!$(id('opens'))) return; // not drawn yet
    p.days = DAYS().filter((d) => $(id(`day-${d}`)).checked);
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
    const days = DAYS().filter((d) => p.days.includes(d));
    if (days.length) sched.days = days;
    if (opens) sched.opens = opens;
    if (closes) sched.closes = closes;
    const sorted = [...p.breaks].sort((a, b) => (a.at < b.at ? -1 : 1));
    const bad = p.breaks.findIndex((b) => !re.test(b.at || '') || !(Number.isInteger(b.minutes) && b.minutes >= 1 && b.minutes <= app.rules.break_minutes_max));
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
  $('btn-ctr-new').addEventListener('click', () => openCtr(null));
  $('btn-ctr-cancel').addEventListener('click', () => closeCtr());
  $('ctr-form').addEventListener('submit', saveCtr);
  $('btn-plan-add').addEventListener('click', () => {
    if (plans.length >= app.rules.plans_max) return;
    syncPlans();
    plans.push({ days: [], opens: '', closes: '', breaks: [] });
    renderPlans(planId(plans.length - 1, 'day-mon'));
  });
  $('ctr-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeCtr(); });
}
