// book.js — the public booking page at /book/{branch}: choose a bookable
// service, a day and a free time, leave a contact if wanted, book; the
// confirmation shows the appointment's code, its QR code, when to come and
// the holder's link (/a/{token}) to move or cancel it.
//
// It also exports what the holder's page (appointment.js) shares with it:
// the booking API calls, the slot picker and the date formatting. The page
// itself starts only on book.html (body[data-page="book"]).
//
// Test hook: window.seiraBook = {
//   ready,    // the form (or the error view) is shown
//   view,     // "loading" | "form" | "done" | "error"
//   lang,     // page language
//   service,  // the chosen service id, or null
//   day,      // the day shown in the picker ("2026-12-07"), or null
//   start,    // the chosen slot's start as the server gave it, or null
//   slots,    // the picker: {loading, from, day, loads} (loads counts finished week loads)
//   booking,  // a booking request is under way
//   error,    // the last error code, or null
//   code,     // the booked appointment's code, or null
// }
//
// Element ids / test ids:
//   #lang-switch button[data-lang], #branch-name
//   #view-loading, #view-form, #view-done, #view-error, #btn-retry
//   #service-list input[data-service], #no-services
//   #picker: .week-prev, .week-next, .week-label, input[data-day], input[data-start]
//   #slot-error (the chosen time was taken), #slot-bar, #slot-chosen, #btn-continue
//   #book-error, #contact, #contact-error, #sum-service, #sum-date, #sum-time, #btn-book
//   #appt-code[data-code], #appt-qr, #done-date, #done-time, #done-onday, #manage-link
//
// Dates and times are those of the branch: the slots' start strings carry
// the branch's offset, and they are formatted at that offset. "Today" is the
// server's (GET …/state "at"), never this device's clock.

import {
  t, tn, lang, setLang, startLang, localName, fmtDuration, intlLocale,
} from './i18n.js';
import { api, request, lastPathSegment, ApiError, h } from './api.js';
import { errorKey } from './errors.js';

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

// The check-in window around an appointment's start: the engine's
// defaults (queue.DefaultCheckinEarly, DefaultCheckinLate). The API does
// not say a service's own window.
export const CHECKIN_EARLY_MIN = 30;
export const CHECKIN_LATE_MIN = 10;

// ---- the booking API ----

/** Runs a write; a browser signed in as staff fetches its CSRF token once and tries again. */
async function write(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      await api.me().catch(() => {});
      return fn();
    }
    throw err;
  }
}

const branchPath = (b) => `/api/v1/branches/${enc(b)}`;

export const bookingApi = {
  /** GET …/slots: [{start, end, free}] of days days from day from. */
  slots: (b, service, from, days) => {
    const q = new URLSearchParams({ service, days: String(days) });
    if (from) q.set('from', from);
    return request('GET', `${branchPath(b)}/slots?${q}`).then((r) => (r.data && r.data.slots) || []);
  },
  book: (b, body) => write(() => request('POST', `${branchPath(b)}/appointments`, { body })).then((r) => r.data),
  appointment: (token) => request('GET', `/api/v1/appointments/${enc(token)}`).then((r) => r.data),
  move: (token, start) => write(() => request('PATCH', `/api/v1/appointments/${enc(token)}`, { body: { start } })).then((r) => r.data),
  cancel: (token) => write(() => request('DELETE', `/api/v1/appointments/${enc(token)}`)).then((r) => r.data),
  qrURL: (token) => `/api/v1/appointments/${enc(token)}/qr.png`,
};

/** The branch's name and today's date there ("2026-12-07"), from GET …/state. */
export async function branchInfo(b) {
  const st = await api.state(b);
  return { branch: st.branch || null, today: typeof st.at === 'string' ? st.at.slice(0, 10) : null };
}

// ---- dates at the branch's offset ----

/** The day of an RFC 3339 time at its own offset: "2026-12-07". */
export const dayOf = (iso) => String(iso).slice(0, 10);

/**
 * A Date whose UTC fields are the wall clock of iso at its own offset
 * ("…T09:15:00+02:00" → 09:15 UTC), to format with timeZone "UTC".
 */
function wall(iso) {
  const m = /([+-])(\d\d):?(\d\d)$/.exec(iso);
  const off = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return new Date(Date.parse(iso) + off * 60000);
}

/** Noon UTC of a day "2026-12-07", for formatting the day alone. */
function dayDate(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

/** The day n days after day. */
export function addDays(day, n) {
  const d = dayDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function daysBetween(a, b) {
  return Math.round((dayDate(b) - dayDate(a)) / 86400000);
}

function fmt(date, opts) {
  return new Intl.DateTimeFormat(intlLocale(), { timeZone: 'UTC', ...opts }).format(date);
}

/** "Thursday 26 November 2026" of a day or a time. */
export function fmtLongDay(dayOrIso, { year = true } = {}) {
  const d = dayOrIso.length > 10 ? wall(dayOrIso) : dayDate(dayOrIso);
  return fmt(d, { weekday: 'long', day: 'numeric', month: 'long', ...(year ? { year: 'numeric' } : {}) });
}

/** "09:15" of a time, at its offset. */
export function fmtClock(iso) {
  return fmt(wall(iso), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** "09:15–09:30". */
export function fmtSpan(start, end) {
  return end ? `${fmtClock(start)}–${fmtClock(end)}` : fmtClock(start);
}

/** The time minutes after (or before, when negative) iso, as "09:15". */
function clockPlus(iso, minutes) {
  return fmt(new Date(wall(iso).getTime() + minutes * 60000), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** What to do on the day: check in at the kiosk within the window. */
export function onDayText(appt) {
  // The service's own window, as the server gives it.
  const early = appt.checkin_early_min ?? CHECKIN_EARLY_MIN;
  const late = appt.checkin_late_min ?? CHECKIN_LATE_MIN;
  return t('book.onday_text', {
    date: fmtLongDay(appt.start, { year: false }),
    from: clockPlus(appt.start, -early),
    to: clockPlus(appt.start, late),
    start: fmtClock(appt.start),
    early,
    late,
  });
}

/** "K7P3QX" → "K7P 3QX". */
export const groupCode = (code) => (code && code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code || '');

/**
 * Shows code in el: grouped for the eye, letter by letter for a screen
 * reader; el.dataset.code keeps it as it is typed.
 */
export function showCode(el, code) {
  el.dataset.code = code || '';
  el.replaceChildren(
    h('span', { 'aria-hidden': 'true' }, groupCode(code)),
    h('span', { class: 'visually-hidden' }, (code || '').split('').join(' ')),
  );
}

/** Shows the QR code of an appointment's code. */
export function showQR(img, token, code) {
  const src = bookingApi.qrURL(token);
  if (img.getAttribute('src') !== src) img.src = src;
  img.alt = t('book.qr_alt', { code: groupCode(code) });
}

// ---- the slot picker ----

/**
 * A week of days and the free times of the chosen day, for one service.
 * Weeks start at the branch's today; the next week's slots are read ahead
 * to know whether there is one. onPick(slot|null) follows the choice of a
 * time, onChange(picker) every change (a day chosen, a week loaded).
 * current (a start) marks the holder's present time, which cannot be
 * chosen again.
 */
export class SlotPicker {
  constructor(root, { branch, service, prefix, onPick, current = null, onChange = null }) {
    Object.assign(this, { root, branch, service, prefix, onPick, current, onChange });
    this.today = null;
    this.from = null;
    this.list = [];
    this.day = null;
    this.start = null;
    this.loading = false;
    this.loads = 0;
    this.hasNext = false;
    this.failed = null;
    this.cache = new Map();
    this.seq = 0;

    const p = prefix;
    this.prev = h('button', { type: 'button', class: 'btn week-prev', 'data-testid': 'week-prev', onclick: () => this.week(-1) });
    this.next = h('button', { type: 'button', class: 'btn week-next', 'data-testid': 'week-next', onclick: () => this.week(1) });
    this.label = h('p', { class: 'week-label', id: `${p}-week` });
    this.dayLegend = h('legend', { class: 'visually-hidden' });
    this.days = h('div', { class: 'b-options day-list' });
    this.msg = h('p', { class: 'slots-msg', role: 'status', id: `${p}-msg` });
    this.retry = h('button', { type: 'button', class: 'btn slots-retry', hidden: true, onclick: () => this.refresh() });
    this.timeLegend = h('legend', { class: 'times-legend', id: `${p}-times-legend` });
    this.times = h('div', { class: 'b-options time-list' });
    this.timeSet = h('fieldset', { class: 'b-fieldset times' }, this.timeLegend, this.times);
    root.replaceChildren(
      h('div', { class: 'week-nav' }, this.prev, this.label, this.next),
      h('fieldset', { class: 'b-fieldset days', 'aria-describedby': `${p}-week` }, this.dayLegend, this.days),
      this.msg,
      this.retry,
      this.timeSet,
    );
    root.addEventListener('change', (e) => this.changed(e.target));
  }

  /** Opens on today's week, or the week of day. */
  async open(today, day) {
    this.today = today;
    const k = day && day > today ? Math.floor(daysBetween(today, day) / 7) : 0;
    this.from = addDays(today, 7 * k);
    this.day = day || null;
    await this.load();
  }

  /** Reads the week again (the slots changed under us) and keeps the day. */
  async refresh() {
    this.cache.clear();
    this.setStart(null);
    await this.load();
  }

  async week(dir) {
    const btn = dir < 0 ? this.prev : this.next;
    if (this.loading || btn.getAttribute('aria-disabled') === 'true') return;
    const from = addDays(this.from, 7 * dir);
    if (from < this.today) return;
    this.from = from;
    this.day = null;
    this.setStart(null);
    await this.load();
  }

  fetchWeek(from) {
    if (!this.cache.has(from)) {
      const p = bookingApi.slots(this.branch, this.service, from, 7);
      p.catch(() => this.cache.delete(from));
      this.cache.set(from, p);
    }
    return this.cache.get(from);
  }

  async load() {
    const seq = ++this.seq;
    this.loading = true;
    this.failed = null;
    this.render();
    try {
      const list = await this.fetchWeek(this.from);
      if (seq !== this.seq) return;
      this.list = list;
      const free = (d) => list.some((s) => dayOf(s.start) === d && s.free > 0 && s.start !== this.current);
      if (!this.day || !free(this.day)) this.day = this.weekDays().find(free) || null;
      if (this.start && !list.some((s) => s.start === this.start && s.free > 0)) this.setStart(null);
      // Whether there is a week after this one (read ahead, kept for the click).
      this.hasNext = false;
      this.fetchWeek(addDays(this.from, 7)).then((next) => {
        if (seq !== this.seq) return;
        this.hasNext = next.length > 0;
        this.renderNav();
      }, () => {});
    } catch (err) {
      if (seq !== this.seq) return;
      this.list = [];
      this.failed = err;
    } finally {
      if (seq === this.seq) {
        this.loading = false;
        this.loads++;
        this.render();
        if (this.onChange) this.onChange(this);
      }
    }
  }

  weekDays() {
    return Array.from({ length: 7 }, (_, i) => addDays(this.from, i));
  }

  changed(input) {
    if (!(input instanceof HTMLInputElement) || input.type !== 'radio') return;
    if (input.dataset.day) {
      this.day = input.dataset.day;
      this.setStart(null);
      this.renderTimes();
    } else if (input.dataset.start) {
      this.setStart(input.dataset.start);
    }
    if (this.onChange) this.onChange(this);
  }

  setStart(start) {
    if (this.start === start) return;
    this.start = start;
    const slot = start ? this.list.find((s) => s.start === start) || null : null;
    if (this.onPick) this.onPick(slot);
  }

  render() {
    this.renderNav();
    this.renderDays();
    this.renderTimes();
  }

  renderNav() {
    this.prev.textContent = t('book.slots.prev_week');
    this.next.textContent = t('book.slots.next_week');
    // aria-disabled, not disabled: the button keeps the focus while the
    // week loads.
    this.prev.setAttribute('aria-disabled', String(!this.from || this.from <= this.today));
    this.next.setAttribute('aria-disabled', String(this.loading || !this.hasNext));
    this.label.textContent = this.from ? t('book.slots.week', {
      from: fmt(dayDate(this.from), { day: 'numeric', month: 'short' }),
      to: fmt(dayDate(addDays(this.from, 6)), { day: 'numeric', month: 'short' }),
    }) : '';
  }

  renderDays() {
    const p = this.prefix;
    this.dayLegend.textContent = t('book.slots.day_legend');
    const items = this.from ? this.weekDays().map((d) => {
      const all = this.list.filter((s) => dayOf(s.start) === d);
      const free = all.filter((s) => s.free > 0 && s.start !== this.current).length;
      // i18n-keys: book.slots.day_none book.slots.day_full
      const status = this.loading ? '…' : all.length === 0 ? t('book.slots.day_none') : free === 0 ? t('book.slots.day_full') : tn('book.slots.day_free', free);
      const id = `${p}-day-${d}`;
      const dt = dayDate(d);
      return h('label', { class: 'b-opt day-opt', for: id, 'data-free': String(free) },
        h('input', {
          type: 'radio', name: `${p}-day`, id, value: d, 'data-day': d,
          checked: d === this.day, disabled: this.loading || free === 0,
        }),
        // The spaces between the parts keep the words apart for a screen
        // reader (a flex box does not draw them).
        h('span', { class: 'day-name' }, fmt(dt, { weekday: 'short' })), ' ',
        h('span', { class: 'day-date' }, fmt(dt, { day: 'numeric', month: 'short' })), ' ',
        h('span', { class: 'day-status' }, status), ' ',
        h('span', { class: 'visually-hidden' }, `(${fmtLongDay(d)})`));
    }) : [];
    this.days.replaceChildren(...items);
  }

  renderTimes() {
    const p = this.prefix;
    for (const input of this.days.querySelectorAll('input')) input.checked = input.dataset.day === this.day;
    let msg = '';
    if (this.loading) msg = t('book.slots.loading');
    // i18n-keys: book.error.not_bookable_service
    else if (this.failed) msg = t(errorKey(this.failed, { not_bookable: 'book.error.not_bookable_service' }));
    else if (!this.day) msg = this.list.length ? t('book.slots.week_full') : t('book.slots.week_none');
    this.msg.textContent = msg;
    this.msg.hidden = !msg;
    this.msg.classList.toggle('notice-error', !!this.failed);
    this.msg.classList.toggle('notice', !!this.failed);
    this.retry.hidden = !this.failed;
    this.retry.textContent = t('common.retry');
    const show = !this.loading && !!this.day;
    this.timeSet.hidden = !show;
    if (!show) {
      this.times.replaceChildren();
      return;
    }
    this.timeLegend.textContent = t('book.slots.times_legend', { date: fmtLongDay(this.day, { year: false }) });
    const items = this.list.filter((s) => dayOf(s.start) === this.day).map((s, i) => {
      const id = `${p}-t-${i}`;
      const mine = s.start === this.current;
      const full = s.free <= 0;
      // i18n-keys: book.slots.full book.slots.current
      const note = mine ? t('book.slots.current') : full ? t('book.slots.full') : '';
      return h('label', { class: 'b-opt time-opt', for: id, 'data-state': mine ? 'current' : full ? 'full' : 'free' },
        h('input', {
          type: 'radio', name: `${p}-time`, id, value: s.start, 'data-start': s.start,
          'data-time': fmtClock(s.start), checked: s.start === this.start, disabled: full || mine,
        }),
        h('span', { class: 'time-clock' }, fmtClock(s.start)),
        note ? ' ' : null,
        note ? h('span', { class: 'time-note' }, note) : null);
    });
    this.times.replaceChildren(...items);
  }
}

// ---- the booking page ----

const LANG_KEY = 'seira.lang.book';

// Contact: an e-mail address, or a phone number of 8 to 15 digits.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9 ().-]+$/;

/** The contact typed, trimmed, or an error key. */
export function checkContact(raw) {
  const v = raw.trim();
  if (!v) return { value: '' };
  if (v.length > 100) return { error: 'book.contact_invalid' };
  if (v.includes('@')) return EMAIL_RE.test(v) ? { value: v } : { error: 'book.contact_invalid' };
  const digits = v.replace(/\D/g, '').length;
  return PHONE_RE.test(v) && digits >= 8 && digits <= 15 ? { value: v } : { error: 'book.contact_invalid' };
}

// i18n-keys: book.contact_invalid book.error.slot_full book.error.not_bookable book.error.rate_limited book.error.validation book.error.not_found
const BOOK_ERRORS = {
  slot_full: 'book.error.slot_full',
  not_bookable: 'book.error.not_bookable',
  rate_limited: 'book.error.rate_limited',
  validation_failed: 'book.error.validation',
  not_found: 'book.error.not_found',
};

function startBookPage() {
  const branch = lastPathSegment();
  const hook = (window.seiraBook = {
    ready: false, view: 'loading', lang: 'el', service: null, day: null, start: null,
    slots: null, booking: false, error: null, code: null,
  });
  // errorKey is shown in #slot-error when errorAt is "slot", above the
  // button otherwise.
  const ui = {
    branch: null, today: null, services: [], service: null, picker: null, slot: null, appt: null,
    contactError: null, errorKey: null, errorAt: 'submit',
  };
  const VIEWS = { loading: 'view-loading', form: 'view-form', done: 'view-done', error: 'view-error' };

  function showView(name) {
    hook.view = name;
    for (const [n, id] of Object.entries(VIEWS)) $(id).hidden = n !== name;
  }

  function say(text) {
    const el = $('book-status');
    el.textContent = '';
    setTimeout(() => { el.textContent = text; }, 50);
  }

  function syncHook() {
    const p = ui.picker;
    Object.assign(hook, {
      lang: lang(), service: ui.service ? ui.service.id : null, day: p ? p.day : null, start: ui.slot ? ui.slot.start : null,
      slots: p ? { loading: p.loading, from: p.from, day: p.day, loads: p.loads } : null, code: ui.appt ? ui.appt.code : null,
    });
  }

  // ---- rendering ----

  function render() {
    $('branch-name').textContent = ui.branch ? localName(ui.branch.name) : '';
    document.title = hook.view === 'done' && ui.appt ? `${t('book.done_title')} · ${groupCode(ui.appt.code)}` : t('book.title');
    renderServices();
    if (ui.picker) ui.picker.render();
    renderSummary();
    renderError();
    renderContactError();
    if (ui.appt) renderDone();
    syncHook();
  }

  function renderServices() {
    const list = $('service-list');
    $('no-services').hidden = ui.services.length > 0;
    list.replaceChildren(...ui.services.map((s) => {
      const id = `svc-${s.id}`;
      return h('label', { class: 'b-opt svc-opt', for: id },
        h('input', { type: 'radio', name: 'service', id, value: s.id, 'data-service': s.id, checked: ui.service && ui.service.id === s.id }),
        h('span', { class: 'svc-name' }, localName(s.name) || s.id),
        s.slot_min ? ' ' : null,
        s.slot_min ? h('span', { class: 'svc-len' }, t('book.service_length', { duration: fmtDuration(s.slot_min * 60) })) : null);
    }));
  }

  function renderSummary() {
    $('step-contact').hidden = !ui.slot;
    $('slot-bar').hidden = !ui.slot;
    if (!ui.slot || !ui.service) return;
    $('slot-chosen').textContent = t('book.chosen', { date: fmtLongDay(ui.slot.start, { year: false }), time: fmtClock(ui.slot.start) });
    $('sum-service').textContent = localName(ui.service.name) || ui.service.id;
    $('sum-date').textContent = fmtLongDay(ui.slot.start);
    $('sum-time').textContent = fmtSpan(ui.slot.start, ui.slot.end);
  }

  function renderError() {
    for (const [id, at] of [['slot-error', 'slot'], ['book-error', 'submit']]) {
      const on = !!ui.errorKey && ui.errorAt === at;
      $(id).hidden = !on;
      $(id).textContent = on ? t(ui.errorKey) : '';
    }
  }

  function renderContactError() {
    const input = $('contact');
    const el = $('contact-error');
    el.hidden = !ui.contactError;
    el.textContent = ui.contactError ? t(ui.contactError) : '';
    if (ui.contactError) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function renderDone() {
    const a = ui.appt;
    showCode($('appt-code'), a.code);
    showQR($('appt-qr'), a.token, a.code);
    $('done-service').textContent = localName(a.service_name) || a.service;
    $('done-date').textContent = fmtLongDay(a.start);
    $('done-time').textContent = fmtSpan(a.start, a.end);
    $('done-onday').textContent = onDayText(a);
    const c = $('done-contact');
    c.hidden = !a.contact;
    c.textContent = a.contact ? t('book.contact_kept', { contact: a.contact }) : '';
    const link = $('manage-link');
    link.href = a.manage_url;
    link.textContent = a.manage_url;
    $('book-again').href = location.pathname;
  }

  // ---- choosing ----

  function chooseService(id) {
    const svc = ui.services.find((s) => s.id === id);
    if (!svc || (ui.service && ui.service.id === id)) return;
    ui.service = svc;
    ui.slot = null;
    ui.errorKey = null;
    $('step-slot').hidden = false;
    ui.picker = new SlotPicker($('picker'), {
      branch, service: svc.id, prefix: 'pick', onPick: pickSlot, onChange: syncHook,
    });
    render();
    ui.picker.open(ui.today).then(syncHook);
  }

  function pickSlot(slot) {
    ui.slot = slot;
    if (slot) ui.errorKey = null;
    renderSummary();
    renderError();
    syncHook();
    if (slot) say(t('book.chosen', { date: fmtLongDay(slot.start, { year: false }), time: fmtClock(slot.start) }));
  }

  // ---- booking ----

  async function submit(e) {
    e.preventDefault();
    if (hook.booking || !ui.service || !ui.slot) return;
    const c = checkContact($('contact').value);
    ui.contactError = c.error || null;
    renderContactError();
    if (c.error) {
      $('contact').focus();
      return;
    }
    const btn = $('btn-book');
    hook.booking = true;
    btn.disabled = true;
    btn.textContent = t('book.submitting');
    ui.errorKey = null;
    renderError();
    const body = { service: ui.service.id, start: ui.slot.start, lang: lang() };
    if (c.value) body.contact = c.value;
    try {
      ui.appt = await bookingApi.book(branch, body);
      hook.error = null;
      showView('done');
      render();
      $('done-title').focus();
      say(`${t('book.done_title')} ${t('book.code_label')} ${ui.appt.code.split('').join(' ')}`);
    } catch (err) {
      hook.error = err instanceof ApiError ? err.code : 'generic';
      ui.errorKey = errorKey(err, BOOK_ERRORS);
      ui.errorAt = 'submit';
      if (err instanceof ApiError && (err.code === 'slot_full' || err.code === 'not_bookable')) {
        // The time was just taken (or has begun): say so above the week,
        // read again as it is now.
        ui.errorAt = 'slot';
        ui.slot = null;
        ui.picker.refresh().then(syncHook);
      }
      render();
      $(ui.errorAt === 'slot' ? 'slot-error' : 'book-error').focus();
    } finally {
      hook.booking = false;
      btn.disabled = false;
      btn.textContent = t('book.submit');
      syncHook();
    }
  }

  // ---- start ----

  async function load() {
    showView('loading');
    try {
      const [info, services] = await Promise.all([branchInfo(branch), api.services(branch)]);
      ui.branch = info.branch;
      ui.today = info.today;
      ui.services = (services || []).filter((s) => s.bookable);
      showView('form');
      render();
      if (ui.services.length === 1) chooseService(ui.services[0].id);
    } catch (err) {
      hook.error = err instanceof ApiError ? err.code : 'generic';
      // i18n-keys: book.error.no_branch
      $('error-message').textContent = t(errorKey(err, { not_found: 'book.error.no_branch' }));
      showView('error');
    }
    hook.ready = true;
    document.body.dataset.ready = 'true';
    render();
  }

  async function main() {
    await startLang(LANG_KEY, async (code) => {
      await setLang(code);
      try { localStorage.setItem(LANG_KEY, lang()); } catch { /* storage unavailable */ }
    });
    window.addEventListener('langchange', render);
    $('service-list').addEventListener('change', (e) => {
      if (e.target && e.target.dataset && e.target.dataset.service) chooseService(e.target.dataset.service);
    });
    $('book-form').addEventListener('submit', submit);
    $('contact').addEventListener('input', () => {
      if (ui.contactError && !checkContact($('contact').value).error) {
        ui.contactError = null;
        renderContactError();
      }
    });
    $('btn-continue').addEventListener('click', () => $('contact').focus());
    $('btn-retry').addEventListener('click', load);
    await load();
  }

  main().catch((err) => {
    console.error(err);
    showView('error');
  });
}

if (document.body && document.body.dataset.page === 'book') startBookPage();
