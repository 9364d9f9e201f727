// admin-appointments.js — a day's appointments (GET …/appointments?date),
// with what staff do for a citizen: book one on the phone (POST
// …/appointments, a free slot from GET …/slots), move one to another free
// slot (PATCH …/appointments/{code}) or cancel it (DELETE).

import { t, tn, localName, fmtTime, fmtDate, languages } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, setStatus, clearError, showError, checkForm, busy, orStatus, reportSaved, showForm, pill,
  rowButton, ensureSettings, serviceName, dayDate, confirmAction,
} from './admin-util.js';

const STATES = ['booked', 'checked_in', 'done', 'cancelled', 'no_show'];
// i18n-keys: admin.appt.state.booked admin.appt.state.checked_in admin.appt.state.done admin.appt.state.cancelled admin.appt.state.no_show
const stateLabel = (s) => t(`admin.appt.state.${s}`, null, { fallback: s });

const st = {
  date: '',        // the day shown (YYYY-MM-DD, the office's)
  today: '',       // the office's today, as the server said
  list: [],        // its appointments
  branch: null,    // the branch they are of
  moving: null,    // the appointment being moved, or null
  slots: { book: [], move: [] }, // the free slots offered in each form
  asked: { book: 0, move: 0 },    // the last slots request of each form (older answers are dropped)
  answered: { book: 0, move: 0 }, // the last one answered
  langs: [],
};

// ---- days ----

/** YYYY-MM-DD plus n days. */
function addDays(day, n) {
  const d = dayDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const dayText = (day) => fmtDate(dayDate(day), { year: true });
const when = (iso) => `${fmtDate(iso)} ${fmtTime(iso)}`;
const svcName = (a) => localName(a.service_name) || serviceName(a.service);
const bookable = () => (app.settings ? app.settings.services : []).filter((s) => s.appointments && s.appointments.enabled);

// ---- the list ----

async function load(date) {
  const d = await adm.appointments(date);
  st.list = d.appointments || [];
  st.date = d.date;
  st.branch = app.branch;
  if (!date) st.today = d.date;
  $('appt-date').value = st.date;
  if (app.hook) app.hook.apptRows = st.list.length;
  renderList();
}

export async function enter() {
  await ensureSettings();
  if (!st.langs.length) st.langs = await languages();
  closeBook(false);
  closeMove(false);
  $('appt-booked').hidden = true;
  clearError($('appt-error'));
  // A branch of its own: start at its today (the server's, in its zone).
  await load(st.branch === app.branch && st.date ? st.date : '');
  if (!st.today || st.branch !== app.branch) st.today = st.date;
}

export function leave() {}

/** Language change: labels only; what is being typed stays. */
export function render() {
  renderList();
  renderSlots('book');
  renderSlots('move');
  if (st.moving) moveTitle();
  if (!$('appt-booked').hidden && st.booked) renderBooked();
}

function renderList() {
  $('appt-day').textContent = st.date ? dayText(st.date) : '';
  const list = st.list;
  $('appt-none').hidden = list.length > 0;
  const counts = STATES.map((s) => [s, list.filter((a) => a.state === s).length]).filter(([, n]) => n > 0);
  $('appt-count').textContent = list.length
    ? `${tn('admin.appt.count', list.length)} · ${counts.map(([s, n]) => `${stateLabel(s)}: ${n}`).join(' · ')}`
    : '';
  $('appt-body').replaceChildren(...list.map((a) => {
    const label = `${a.code} ${fmtTime(a.start)}`;
    return h('tr', { 'data-code': a.code, 'data-state': a.state, 'data-service': a.service },
      h('td', { class: 'nowrap appt-time' }, `${fmtTime(a.start)}–${fmtTime(a.end)}`),
      h('th', { scope: 'row' }, h('span', { class: 'mono appt-code' }, a.code)),
      h('td', null, svcName(a)),
      h('td', null, pill(stateLabel(a.state), { 'data-appt-state': a.state })),
      h('td', { 'data-ticket': a.ticket || '' }, a.ticket ? h('span', { class: 'ticket-no' }, a.ticket) : '—'),
      h('td', { class: 'break' }, a.reference || '—'),
      h('td', null, a.has_contact ? t('admin.appt.contact_yes') : '—'),
      h('td', { class: 'actions' }, a.state === 'booked'
        ? [
          rowButton(t('admin.appt.move'), (e) => openMove(a, e.currentTarget), { 'data-move': a.code, 'aria-label': t('admin.appt.move_label', { label }) }),
          rowButton(t('admin.appt.cancel'), () => cancel(a), { class: 'btn-danger', 'data-cancel': a.code, 'aria-label': t('admin.appt.cancel_label', { label }) }),
        ]
        : '—'));
  }));
}

async function showDay(date) {
  clearError($('appt-error'));
  await busy($('btn-appt-show'), $('appt-error'), async () => {
    await load(date);
    if (app.hook) app.hook.lastError = null;
  });
}

async function submitDay(e) {
  e.preventDefault();
  if (!checkForm($('appt-day-form'), $('appt-error'))) return;
  await showDay($('appt-date').value);
}

// ---- free slots ----

function renderSlots(which) {
  const sel = $(`appt-${which}-slot`);
  const keep = sel.value;
  const list = st.slots[which].filter((s) => s.free > 0 && !(which === 'move' && st.moving && sameTime(s.start, st.moving.start)));
  sel.replaceChildren(...list.map((s) => h('option', { value: s.start, selected: s.start === keep },
    tn('admin.appt.slot_free', s.free, { time: `${fmtTime(s.start)}–${fmtTime(s.end)}` }))));
  const loading = st.asked[which] !== st.answered[which];
  $(`appt-${which}-slot-hint`).textContent = loading ? t('common.loading') : (list.length ? '' : t('admin.appt.no_slots'));
}

const sameTime = (a, b) => Date.parse(a) === Date.parse(b);

async function loadSlots(which, service, date) {
  const n = ++st.asked[which];
  st.slots[which] = [];
  if (!service || !date) {
    st.answered[which] = n;
    renderSlots(which);
    return;
  }
  renderSlots(which);
  try {
    const d = await adm.slots(service, date, 1);
    if (n !== st.asked[which]) return;
    st.answered[which] = n;
    st.slots[which] = (d && d.slots) || [];
    // No day past the last one bookable is worth choosing.
    if (d && d.last_day) $(`appt-${which}-date`).max = d.last_day;
  } catch (err) {
    if (n !== st.asked[which]) return;
    st.answered[which] = n;
    st.slots[which] = [];
    showError($(`appt-${which}-error`), err);
  }
  renderSlots(which);
}

// ---- book for a citizen (on the phone) ----

function openBook() {
  const svcs = bookable();
  if (!svcs.length) {
    setStatus(t('admin.appt.none_bookable'), 'error');
    return;
  }
  closeMove(false);
  $('appt-booked').hidden = true;
  const sel = $('appt-book-service');
  const keep = sel.value;
  sel.replaceChildren(...svcs.map((s) => h('option', { value: s.id, selected: s.id === keep }, localName(s.name))));
  $('appt-book-lang').replaceChildren(...st.langs.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === 'el' }, l.name)));
  $('appt-book-date').value = st.date && st.date >= st.today ? st.date : st.today;
  $('appt-book-date').min = st.today;
  $('appt-book-contact').value = '';
  showForm($('appt-book-form'), $('appt-book-error'), $('appt-book-service'));
  $('btn-appt-new').setAttribute('aria-expanded', 'true');
  loadSlots('book', sel.value, $('appt-book-date').value);
}

function closeBook(restoreFocus = true) {
  const was = !$('appt-book-form').hidden;
  $('appt-book-form').hidden = true;
  $('btn-appt-new').setAttribute('aria-expanded', 'false');
  if (restoreFocus && was) $('btn-appt-new').focus();
}

function renderBooked() {
  const a = st.booked;
  const el = $('appt-booked');
  el.dataset.code = a.code;
  el.replaceChildren(
    t('admin.appt.booked_lead'), ' ',
    h('strong', { class: 'mono', 'data-testid': 'appt-booked-code' }, a.code), ' · ',
    `${svcName(a)}, ${when(a.start)}. `,
    t('admin.appt.booked_tell'),
  );
}

async function book(e) {
  e.preventDefault();
  const form = $('appt-book-form');
  const err = $('appt-book-error');
  if (!checkForm(form, err)) return;
  const body = {
    service: $('appt-book-service').value,
    start: $('appt-book-slot').value,
    lang: $('appt-book-lang').value || 'el',
    contact: $('appt-book-contact').value.trim(),
  };
  await busy($('btn-appt-book'), err, async () => {
    const a = await adm.bookAppointment(body);
    st.booked = a;
    closeBook(false);
    await load(a.start.slice(0, 10));
    renderBooked();
    $('appt-booked').hidden = false;
    $('appt-booked').focus();
    reportSaved(t('admin.appt.booked', { code: a.code, when: when(a.start) }));
  });
}

// ---- move ----

function moveTitle() {
  const a = st.moving;
  $('appt-move-title').textContent = t('admin.appt.move_title', { code: a.code });
  $('appt-move-now').textContent = t('admin.appt.move_now', { service: svcName(a), when: when(a.start) });
}

function openMove(a) {
  closeBook(false);
  $('appt-booked').hidden = true;
  st.moving = a;
  moveTitle();
  const day = a.start.slice(0, 10);
  $('appt-move-date').value = day >= st.today ? day : st.today;
  $('appt-move-date').min = st.today;
  showForm($('appt-move-form'), $('appt-move-error'), $('appt-move-date'));
  loadSlots('move', a.service, $('appt-move-date').value);
}

function closeMove(restoreFocus = true) {
  const was = st.moving;
  st.moving = null;
  $('appt-move-form').hidden = true;
  if (restoreFocus && was) {
    const btn = $('appt-body').querySelector(`button[data-move="${CSS.escape(was.code)}"]`);
    (btn || $('btn-appt-new')).focus();
  }
}

async function move(e) {
  e.preventDefault();
  const a = st.moving;
  if (!a) return;
  const form = $('appt-move-form');
  const err = $('appt-move-error');
  if (!checkForm(form, err)) return;
  const start = $('appt-move-slot').value;
  await busy($('btn-appt-move'), err, async () => {
    const moved = await adm.moveAppointment(a.code, start);
    closeMove(false);
    await load(st.date);
    reportSaved(t('admin.appt.moved', { code: moved.code, when: when(moved.start) }));
    const btn = $('appt-body').querySelector(`button[data-move="${CSS.escape(moved.code)}"]`);
    (btn || $('appt-title')).focus();
  });
}

// ---- cancel ----

async function cancel(a) {
  if (!confirmAction(t('admin.appt.confirm_cancel', { code: a.code, when: when(a.start) }))) return;
  await orStatus(async () => {
    await adm.cancelAppointment(a.code);
    if (st.moving && st.moving.code === a.code) closeMove(false);
    await load(st.date);
    reportSaved(t('admin.appt.cancelled', { code: a.code }));
    $('btn-appt-new').focus();
  });
}

export function init() {
  $('appt-day-form').addEventListener('submit', submitDay);
  $('btn-appt-prev').addEventListener('click', () => showDay(addDays($('appt-date').value || st.date, -1)));
  $('btn-appt-next').addEventListener('click', () => showDay(addDays($('appt-date').value || st.date, 1)));
  $('btn-appt-today').addEventListener('click', () => showDay(''));
  $('btn-appt-new').setAttribute('aria-controls', 'appt-book-form');
  $('btn-appt-new').setAttribute('aria-expanded', 'false');
  $('btn-appt-new').addEventListener('click', () => ($('appt-book-form').hidden ? openBook() : closeBook()));
  $('appt-book-form').addEventListener('submit', book);
  $('btn-appt-book-cancel').addEventListener('click', () => closeBook());
  $('appt-book-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeBook(); });
  const bookSlots = () => {
    clearError($('appt-book-error'));
    loadSlots('book', $('appt-book-service').value, $('appt-book-date').value);
  };
  $('appt-book-service').addEventListener('change', bookSlots);
  $('appt-book-date').addEventListener('change', bookSlots);
  $('appt-move-form').addEventListener('submit', move);
  $('btn-appt-move-cancel').addEventListener('click', () => closeMove());
  $('appt-move-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeMove(); });
  $('appt-move-date').addEventListener('change', () => {
    clearError($('appt-move-error'));
    if (st.moving) loadSlots('move', st.moving.service, $('appt-move-date').value);
  });
}
