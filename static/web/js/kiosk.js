// kiosk.js — the ticket kiosk at /kiosk/{branch}.
//
// Test hook: window.seiraKiosk = {
//   ready,        // true once services are shown (state loaded, /me checked)
//   screen,       // "services" | "priority" | "checkin" | "notice" | "busy" | "ticket" | "error"
//   lang,         // page language
//   paired,       // false when GET /me said 401
//   connected,    // live socket up
//   contrast,     // high-contrast theme on
//   lastTicket,   // {number, service, priority, position, estimated_wait_s, print, source, appointment} or null
//                 //   print: the issue response's {printer, ok, error} (network printer) or null
//                 //   source: "walk_in" | "appointment"; appointment: {code, start, reference} or null
//   printFailed,  // the network printer failed for the last ticket (#print-failed shown)
//   error,        // last error code or null (check-in: "not_found", "already_checked_in",
//                 //   "too_early", "too_late", "conflict", "code_incomplete" …)
//   checkin,      // the appointment check-in: {code (as typed, normalised), notice (the notice
//                 //   screen's kind: "already_checked_in" | "too_early" | "too_late" | "conflict"),
//                 //   ticket (already_checked_in: its number), comeBackAt (too_early: ISO time)}
// }
//
// Element ids / test ids:
//   #lang-switch button[data-lang="el"|"en"]      language switch
//   #btn-contrast (aria-pressed)                   high-contrast theme (class "hc" on <html>;
//                                                  kept for the browser session; follows
//                                                  prefers-contrast: more until toggled)
//   #branch-name, #clock, #offline, #not-paired
//   #screen-services, #service-list,
//     button[data-service="<id>"] (data-testid="service-<id>", data-open="true|false", disabled when closed)
//       .svc-name, .svc-waiting, .svc-wait inside
//   #screen-priority, #btn-regular (data-testid="priority-none"),
//     button[data-priority="<category>"] (data-testid="priority-<category>"), #btn-priority-back
//   #screen-busy
//   #screen-ticket, #ticket-number, #ticket-service, #ticket-priority, #ticket-ahead,
//     #ticket-wait, #ticket-qr (img), #ticket-take-printed, #print-failed (network printer failed),
//     #btn-done, #ticket-countdown
//   #screen-error, #error-message, #btn-retry, #btn-error-back
//   appointments: #btn-checkin (data-testid="checkin-entry", shown when a service is bookable)
//     → #screen-checkin: #checkin-form, #checkin-code (input; keyboard and USB scanner type
//     into it, Enter submits), #checkin-keys button[data-key="<char>"] (the code alphabet),
//     #btn-checkin-del, #btn-checkin-back, #btn-checkin-go (submit), #checkin-error (unknown
//     code, incomplete code)
//     → #screen-notice (data-kind): #notice-title, #notice-number (already checked in),
//     #notice-message, #btn-walkin (too late: take a walk-in ticket), #btn-notice-back;
//     the ticket screen adds #ticket-appt ("appointment at HH:MM"), the printed one #print-appt
//   #kiosk-status (aria-live region), #print-ticket (the printed ticket)
//
// ?print=1 calls window.print() after a ticket is shown (unless the kiosk's
// network printer printed it: the issue response's "print" says ok); ?lang=en
// starts in English.

import {
  t, tn, setLang, lang, localName, setTimeZone, fmtNumber, fmtTime, fmtDateTime, fmtWait, startLang,
} from './i18n.js';
import { api, request, branchFromPath, newKey, h, ApiError } from './api.js';
import { Live } from './live.js';
import { errorKey } from './errors.js';
import { priorityLabel } from './labels.js';

const TICKET_SECONDS = 15;
const TICKET_SECONDS_NO_PRINT = 40; // time to note the number or scan the QR code
const IDLE_SECONDS = 45;

const $ = (id) => document.getElementById(id);
const branch = branchFromPath();
const params = new URLSearchParams(location.search);
const printMode = params.get('print') === '1';

const hook = (window.seiraKiosk = {
  ready: false, screen: 'services', lang: 'el', paired: null, connected: false, contrast: false, lastTicket: null, printFailed: false,
  error: null, checkin: null,
});

// Appointment codes: six of these (queue.CodeAlphabet), typed or scanned;
// spaces, dashes and case do not matter.
const CODE_ALPHABET = 'ACDEFGHJKMNPRTUVWXY34679';
const CODE_LEN = 6;

const ui = {
  state: null,
  startLang: 'el',
  screen: 'services',
  chosen: null,      // {service, priority}
  key: null,         // Idempotency-Key of the current press
  ticket: null,
  busy: false,
  countdown: null,
  idle: null,
  meOK: false,
  meChecked: false,
  checkin: null,     // {code, walkIn} of the check-in being sent
  checkinError: null, // the error under the code field: {key, code}
  notice: null,      // what the notice screen says: {kind, ticket, comeBackAt}
};

const SCREENS = ['services', 'priority', 'checkin', 'notice', 'busy', 'ticket', 'error'];

function showScreen(name, { focus = true } = {}) {
  ui.screen = name;
  hook.screen = name;
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  const heading = $(`screen-${name}`).querySelector('h1');
  // The code field takes the focus, so that a scanner or keyboard types into it.
  if (focus && name === 'checkin') $('checkin-code').focus({ preventScroll: true });
  else if (focus && heading) heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  armIdle();
}

function announce(text) {
  const el = $('kiosk-status');
  el.textContent = '';
  // A fresh text node makes screen readers speak again.
  setTimeout(() => { el.textContent = text; }, 50);
}

// ---- language ----

async function switchLang(code) {
  if (code === lang()) return;
  await setLang(code);
  hook.lang = lang();
  renderAll();
  armIdle();
}

// ---- high contrast (black, white, yellow) ----

const CONTRAST_KEY = 'seira.kiosk.contrast';
const moreContrast = window.matchMedia ? window.matchMedia('(prefers-contrast: more)') : null;

function storedContrast() {
  try { return sessionStorage.getItem(CONTRAST_KEY); } catch { return null; }
}

function applyContrast(on) {
  document.documentElement.classList.toggle('hc', on);
  $('btn-contrast').setAttribute('aria-pressed', String(on));
  hook.contrast = on;
}

function toggleContrast() {
  const on = !document.documentElement.classList.contains('hc');
  try { sessionStorage.setItem(CONTRAST_KEY, on ? '1' : '0'); } catch { /* storage unavailable */ }
  applyContrast(on);
  armIdle();
}

function initContrast() {
  const s = storedContrast();
  applyContrast(s !== null ? s === '1' : !!(moreContrast && moreContrast.matches));
  if (moreContrast) {
    moreContrast.addEventListener('change', () => { if (storedContrast() === null) applyContrast(moreContrast.matches); });
  }
  $('btn-contrast').addEventListener('click', toggleContrast);
}

// ---- rendering ----

function renderAll() {
  renderHeader();
  renderServices();
  if (ui.screen === 'priority') renderPriority();
  if (ui.screen === 'ticket' && ui.ticket) renderTicket(ui.ticket);
  if (ui.screen === 'notice' && ui.notice) renderNotice();
  if (ui.screen === 'checkin') renderCheckinError();
}

function renderHeader() {
  const st = ui.state;
  const name = st ? localName(st.branch.name) : '';
  $('branch-name').textContent = name;
  document.title = name ? `${t('kiosk.title')} · ${name}` : t('kiosk.title');
  renderClock();
}

function renderClock() {
  $('clock').textContent = fmtTime(live ? live.now() : new Date());
}

function serviceById(id) {
  return ui.state && ui.state.services.find((s) => s.id === id);
}

function renderServices() {
  const list = $('service-list');
  const services = ui.state ? ui.state.services : [];
  $('no-services').hidden = !ui.state || services.length > 0;
  // Check-in, where appointments are taken.
  $('btn-checkin').hidden = !services.some((s) => s.bookable);
  // Rebuild only when the set of services changes, so focus stays put.
  const ids = services.map((s) => s.id).join('\n');
  if (list.dataset.ids !== ids) {
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.service : null;
    list.replaceChildren(...services.map((s) => h('button', {
      type: 'button', class: 'service', 'data-service': s.id, 'data-testid': `service-${s.id}`,
      onclick: () => chooseService(s.id),
    },
    h('span', { class: 'svc-prefix', 'aria-hidden': 'true' }),
    h('span', { class: 'svc-name' }),
    h('span', { class: 'svc-meta' }, h('span', { class: 'svc-waiting' }), h('span', { class: 'svc-wait' })))));
    list.dataset.ids = ids;
    if (focused) {
      const b = list.querySelector(`[data-service="${CSS.escape(focused)}"]`);
      if (b && !b.disabled) b.focus();
    }
  }
  for (const s of services) {
    const b = list.querySelector(`[data-service="${CSS.escape(s.id)}"]`);
    if (!b) continue;
    b.disabled = !s.open;
    b.dataset.open = String(!!s.open);
    b.querySelector('.svc-prefix').textContent = s.prefix || '';
    b.querySelector('.svc-name').textContent = localName(s.name);
    const waiting = b.querySelector('.svc-waiting');
    const wait = b.querySelector('.svc-wait');
    if (s.open) {
      waiting.textContent = tn('kiosk.waiting', s.waiting);
      // Warned before taking a ticket that the counters close first.
      const w = fmtWait(s.estimated_wait_s, { ahead: s.waiting });
      wait.textContent = s.after_closing ? `${w} · ${t('kiosk.after_closing')}` : w;
      wait.className = s.after_closing || s.estimated_wait_s === null ? 'svc-wait svc-late' : 'svc-wait';
    } else {
      waiting.textContent = '';
      wait.textContent = t('kiosk.closed');
      wait.className = 'svc-wait svc-closed';
    }
  }
}

function renderPriority() {
  const s = ui.chosen && serviceById(ui.chosen.service);
  $('priority-service').textContent = s ? t('kiosk.chosen_service', { service: localName(s.name) }) : '';
  const cats = (ui.state && ui.state.branch.priorities) || [];
  const list = $('priority-list');
  list.replaceChildren(...cats.map((c) => h('button', {
    type: 'button', class: 'k-btn', 'data-priority': c, 'data-testid': `priority-${c}`,
    onclick: () => issue(c),
  }, priorityLabel(c))));
}

function renderTicket(tk) {
  const ahead = Math.max(0, (tk.position || 1) - 1);
  const aheadText = ahead === 0 ? t('kiosk.ahead_none') : tn('kiosk.ahead', ahead);
  const service = localName(tk.service_name) || (serviceById(tk.service) ? localName(serviceById(tk.service).name) : tk.service);
  const prio = tk.priority && tk.priority !== 'none' ? t('kiosk.priority_badge', { category: priorityLabel(tk.priority) }) : '';
  const wait = fmtWait(tk.estimated_wait_s, { ahead });

  $('ticket-number').textContent = tk.number;
  $('ticket-service').textContent = service;
  $('ticket-priority').textContent = prio;
  $('ticket-priority').hidden = !prio;
  const appt = apptLine(tk);
  $('ticket-appt').textContent = appt;
  $('ticket-appt').hidden = !appt;
  $('ticket-ahead').textContent = aheadText;
  $('ticket-wait').textContent = wait;
  $('ticket-late').hidden = !tk.after_closing;
  const printFailed = !!(tk.print && tk.print.ok === false);
  $('print-failed').textContent = printFailed ? t('kiosk.print_failed', { number: tk.number }) : '';
  $('print-failed').hidden = !printFailed;
  // "Take your printed ticket" only when one is printed: by the network
  // printer, or by the browser (?print=1). Otherwise the citizen keeps the
  // number on the phone (QR) or in mind; the failed printer says so itself.
  const hint = $('ticket-take-printed');
  hint.textContent = t(printed(tk) ? 'kiosk.take_printed' : 'kiosk.note_number');
  hint.dataset.printed = String(printed(tk));
  hint.hidden = printFailed && !printMode;
  const qr = tk.token ? api.qrURL(tk.token) : '';
  $('ticket-qr-box').hidden = !qr;
  if (qr && $('ticket-qr').getAttribute('src') !== qr) $('ticket-qr').src = qr;

  // The printed ticket.
  $('print-branch').textContent = ui.state ? localName(ui.state.branch.name) : '';
  $('print-number').textContent = tk.number;
  $('print-service').textContent = service;
  $('print-priority').textContent = prio;
  // The slip says it as the network printer's does (kiosk/print.go).
  $('print-appt').textContent = appt ? t('print.appointment', { time: fmtTime(tk.appointment.start) }) : '';
  $('print-time').textContent = fmtDateTime(tk.issued_at || new Date());
  $('print-ahead').textContent = ahead === 0 ? t('kiosk.ahead_none') : fmtNumber(ahead);
  $('print-wait').textContent = wait;
  $('print-late').hidden = !tk.after_closing;
  if (qr) {
    if ($('print-qr').getAttribute('src') !== qr) $('print-qr').src = qr;
  } else {
    $('print-qr').removeAttribute('src');
  }
  return { service, aheadText, wait, appt };
}

// "Appointment at 09:15" for a ticket checked in from an appointment.
function apptLine(tk) {
  if (tk.source !== 'appointment' || !tk.appointment || !tk.appointment.start) return '';
  return t('checkin.appointment_at', { time: fmtTime(tk.appointment.start) });
}

// ---- flow ----

function chooseService(id) {
  if (ui.busy || ui.screen !== 'services') return;
  const s = serviceById(id);
  if (!s || !s.open) return;
  ui.chosen = { service: id, priority: 'none' };
  const cats = (ui.state && ui.state.branch.priorities) || [];
  if (cats.length === 0) {
    issue('none');
    return;
  }
  renderPriority();
  showScreen('priority');
}

function issue(priority) {
  if (ui.busy || !ui.chosen) return;
  ui.chosen.priority = priority;
  ui.key = newKey(); // one key per press; a retry reuses it
  send();
}

async function send() {
  if (ui.busy) return;
  ui.busy = true;
  hook.error = null;
  showScreen('busy');
  announce(t('kiosk.issuing'));
  const body = { service: ui.chosen.service, priority: ui.chosen.priority, lang: lang() };
  try {
    let tk;
    try {
      tk = await api.issueTicket(branch, body, ui.key);
    } catch (err) {
      // A stale CSRF token or an expired session: ask /me once and retry.
      if (err instanceof ApiError && (err.status === 403 || err.status === 401) && (await refreshMe())) {
        tk = await api.issueTicket(branch, body, ui.key);
      } else {
        throw err;
      }
    }
    ui.busy = false;
    showTicket(tk);
  } catch (err) {
    ui.busy = false;
    showError(err);
  }
}

// printed reports whether tk comes out on paper: the network printer
// printed it, or the browser prints every ticket (?print=1).
function printed(tk) {
  return !!(tk.print && tk.print.ok) || printMode;
}

function showTicket(tk) {
  ui.ticket = tk;
  const printFailed = !!(tk.print && tk.print.ok === false);
  hook.lastTicket = {
    number: tk.number, service: tk.service, priority: tk.priority, position: tk.position, estimated_wait_s: tk.estimated_wait_s,
    print: tk.print || null, source: tk.source || 'walk_in', appointment: tk.appointment || null,
  };
  hook.printFailed = printFailed;
  const { service, aheadText, wait, appt } = renderTicket(tk);
  showScreen('ticket');
  // #print-failed (role=alert) speaks for itself; the summary follows politely.
  const late = tk.after_closing ? ` ${t('kiosk.after_closing_long')}` : '';
  announce(t('kiosk.ticket_announce', { number: tk.number, service, ahead: aheadText, wait }) + (appt ? ` ${appt}.` : '') + late);
  startCountdown(printed(tk) ? TICKET_SECONDS : TICKET_SECONDS_NO_PRINT);
  // The network printer printed it: no second ticket from the browser.
  if (printMode && !(tk.print && tk.print.ok)) printWhenReady();
}

// The page is as long as the ticket: 80 mm wide, cut below the footer.
function sizePrintPage() {
  const el = $('print-ticket');
  el.classList.add('pt-measure');
  const px = el.getBoundingClientRect().height;
  el.classList.remove('pt-measure');
  if (!px) return;
  const mm = Math.ceil((px * 25.4) / 96) + 2;
  let style = $('print-page-size');
  if (!style) {
    style = document.createElement('style');
    style.id = 'print-page-size';
    document.head.append(style);
  }
  style.textContent = `@page { size: 80mm ${mm}mm; margin: 0; }`;
}

function printWhenReady() {
  const img = $('print-qr');
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    sizePrintPage();
    try { window.print(); } catch { /* no printer */ }
  };
  if (!img.getAttribute('src') || (img.complete && img.naturalWidth > 0)) {
    setTimeout(go, 50);
    return;
  }
  img.addEventListener('load', go, { once: true });
  img.addEventListener('error', go, { once: true });
  setTimeout(go, 3000);
}

function startCountdown(seconds = TICKET_SECONDS) {
  clearInterval(ui.countdown);
  let left = seconds;
  const tick = () => {
    $('ticket-countdown').textContent = t('kiosk.returning', { n: fmtNumber(left) });
    if (left <= 0) reset();
    left--;
  };
  tick();
  ui.countdown = setInterval(tick, 1000);
}

// The kiosk's words for the errors a citizen may meet (errors.js).
const ERRORS = {
  unauthenticated: 'kiosk.error.not_paired',
  forbidden: 'kiosk.error.not_paired',
  service_closed: 'kiosk.error.closed',
  rate_limited: 'kiosk.error.rate_limited',
  not_found: 'kiosk.error.not_found',
  validation_failed: 'kiosk.error.invalid',
  bad_request: 'kiosk.error.invalid',
};

function showError(err) {
  const key = errorKey(err, ERRORS);
  hook.error = err instanceof ApiError ? err.code : 'generic';
  // i18n-keys: kiosk.error.not_paired kiosk.error.closed kiosk.error.rate_limited kiosk.error.not_found kiosk.error.invalid error.network error.unavailable error.generic
  const msg = t(key);
  $('error-message').textContent = msg;
  // Retrying helps after network trouble or a rate limit, not for a closed service.
  const retryable = ['error.network', 'error.unavailable', 'kiosk.error.rate_limited', 'error.generic'].includes(key);
  $('btn-retry').hidden = !retryable;
  showScreen('error');
  announce(msg);
  if (key === 'kiosk.error.closed' || key === 'kiosk.error.not_found') refreshServices();
}

async function refreshServices() {
  try {
    const services = await api.services(branch);
    if (ui.state && Array.isArray(services)) {
      ui.state.services = services;
      renderServices();
    }
  } catch { /* the live socket will catch up */ }
}

async function reset() {
  clearInterval(ui.countdown);
  ui.countdown = null;
  ui.chosen = null;
  ui.key = null;
  ui.ticket = null;
  ui.busy = false;
  clearCheckin();
  hook.printFailed = false;
  $('print-failed').hidden = true;
  // The next citizen starts in the kiosk's own language.
  if (lang() !== ui.startLang) await switchLang(ui.startLang);
  renderServices();
  showScreen('services');
}

// Return to the start when a half-finished choice is left alone.
function armIdle() {
  clearTimeout(ui.idle);
  if (['priority', 'error', 'checkin', 'notice'].includes(ui.screen)) {
    ui.idle = setTimeout(() => { if (!ui.busy) reset(); }, IDLE_SECONDS * 1000);
  }
}

async function refreshMe() {
  try {
    const me = await api.me();
    ui.meOK = true;
    hook.paired = !!(me && (me.device || me.user));
    $('not-paired').hidden = true;
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      hook.paired = false;
      $('not-paired').hidden = false;
    }
    return false;
  }
}

// ---- appointment check-in ----

/** The code as typed or scanned: capitals of the code alphabet, at most six. */
function normalizeCode(s) {
  let out = '';
  for (const ch of String(s).toUpperCase()) {
    if (CODE_ALPHABET.includes(ch) && out.length < CODE_LEN) out += ch;
  }
  return out;
}

function renderKeys() {
  const box = $('checkin-keys');
  if (box.childElementCount) return;
  box.replaceChildren(...[...CODE_ALPHABET].map((ch) => h('button', {
    type: 'button', class: 'ci-key', 'data-key': ch, 'data-testid': `key-${ch}`,
    // Touching a key leaves the focus in the field (a scanner keeps typing there).
    onmousedown: (e) => e.preventDefault(),
    onclick: () => typeKey(ch),
  }, ch)));
}

function typeKey(ch) {
  const el = $('checkin-code');
  el.value = normalizeCode(el.value + ch);
  codeChanged();
}

function deleteKey() {
  const el = $('checkin-code');
  el.value = normalizeCode(el.value).slice(0, -1);
  codeChanged();
}

function codeChanged() {
  const el = $('checkin-code');
  const v = normalizeCode(el.value);
  if (el.value !== v) el.value = v;
  // The error was about another code: it goes as the code changes.
  if (ui.checkinError && ui.checkinError.code !== v) setCheckinError(null);
  armIdle();
}

// The error under the field: {key, code}, written again on a language switch.
function setCheckinError(e) {
  ui.checkinError = e;
  renderCheckinError();
}

function renderCheckinError() {
  const el = $('checkin-error');
  const e = ui.checkinError;
  el.hidden = !e;
  el.textContent = e ? t(e.key, { code: e.code, n: fmtNumber(CODE_LEN) }) : '';
  $('checkin-code').toggleAttribute('aria-invalid', !!e);
}

// clearCheckin forgets a check-in begun: its code, answer and notice.
function clearCheckin() {
  ui.checkin = null;
  ui.notice = null;
  hook.error = null;
  hook.checkin = null;
  $('checkin-code').value = '';
  setCheckinError(null);
}

function openCheckin() {
  if (ui.busy) return;
  renderKeys();
  clearCheckin();
  showScreen('checkin');
}

function submitCheckin(e) {
  if (e) e.preventDefault();
  if (ui.busy) return;
  const code = normalizeCode($('checkin-code').value);
  $('checkin-code').value = code;
  if (code.length !== CODE_LEN) {
    hook.error = 'code_incomplete';
    setCheckinError({ key: 'checkin.error.incomplete', code });
    $('checkin-code').focus();
    return;
  }
  ui.checkin = { code, walkIn: false };
  hook.checkin = { code };
  sendCheckin();
}

async function sendCheckin() {
  if (ui.busy || !ui.checkin) return;
  ui.busy = true;
  hook.error = null;
  showScreen('busy');
  announce(t('kiosk.issuing'));
  const body = { code: ui.checkin.code, walk_in: ui.checkin.walkIn };
  const post = () => request('POST', `/api/v1/branches/${encodeURIComponent(branch)}/checkin`, { body }).then((r) => r.data);
  try {
    let tk;
    try {
      tk = await post();
    } catch (err) {
      // A stale CSRF token or an expired session: ask /me once and retry.
      if (err instanceof ApiError && (err.status === 403 || err.status === 401) && (await refreshMe())) tk = await post();
      else throw err;
    }
    ui.busy = false;
    showTicket(tk);
  } catch (err) {
    ui.busy = false;
    checkinFailed(err);
  }
}

// detail reads a field the server sends beside an error's code and message
// ("ticket", "come_back_at", "walk_in_offer").
function detail(err, name) {
  const d = err && err.detail;
  return d && d[name] !== undefined ? d[name] : null;
}

function checkinFailed(err) {
  const code = err instanceof ApiError ? err.code : '';
  const c = ui.checkin || {};
  switch (code) {
    case 'not_found':
      // Most likely mistyped: back to the field, the code kept for correcting.
      hook.error = code;
      ui.checkin = null;
      $('checkin-code').value = c.code || '';
      setCheckinError({ key: 'checkin.error.not_found', code: c.code || '' });
      showScreen('checkin');
      announce(t('checkin.error.not_found', { code: c.code || '' }));
      return;
    case 'already_checked_in':
      showNotice({ kind: code, ticket: detail(err, 'ticket') });
      return;
    case 'too_early':
      showNotice({ kind: code, comeBackAt: detail(err, 'come_back_at') });
      return;
    case 'too_late':
      if (!c.walkIn) {
        showNotice({ kind: code });
        return;
      }
      break;
    case 'conflict':
      showNotice({ kind: code });
      return;
    default:
  }
  showError(err);
}

// comeBack is the time to come back at, from the server's come_back_at.
function comeBack(at) {
  return at ? fmtTime(at) : '';
}

function showNotice(n) {
  ui.notice = n;
  hook.error = n.kind;
  hook.checkin = { ...(hook.checkin || {}), notice: n.kind, ticket: n.ticket || null, comeBackAt: n.comeBackAt || null };
  renderNotice();
  showScreen('notice');
  announce([$('notice-title').textContent, $('notice-number').hidden ? '' : $('notice-number').textContent, $('notice-message').textContent]
    .filter(Boolean).join('. '));
}

// i18n-keys: checkin.already.title checkin.already.message checkin.already.message_no_number
// i18n-keys: checkin.too_early.title checkin.too_early.message checkin.too_early.message_no_time
// i18n-keys: checkin.too_late.title checkin.too_late.message checkin.conflict.title checkin.conflict.message
function renderNotice() {
  const n = ui.notice;
  if (!n) return;
  const kind = { already_checked_in: 'already', too_early: 'too_early', too_late: 'too_late', conflict: 'conflict' }[n.kind];
  $('screen-notice').dataset.kind = n.kind;
  $('notice-title').textContent = t(`checkin.${kind}.title`);
  let msg;
  if (kind === 'already') msg = n.ticket ? t('checkin.already.message', { number: n.ticket }) : t('checkin.already.message_no_number');
  else if (kind === 'too_early') msg = n.comeBackAt ? t('checkin.too_early.message', { time: comeBack(n.comeBackAt) }) : t('checkin.too_early.message_no_time');
  else msg = t(`checkin.${kind}.message`);
  $('notice-message').textContent = msg;
  $('notice-number').textContent = n.ticket || '';
  $('notice-number').hidden = !(kind === 'already' && n.ticket);
  $('btn-walkin').hidden = kind !== 'too_late';
}

function acceptWalkIn() {
  if (ui.busy || !ui.checkin || !ui.notice || ui.notice.kind !== 'too_late') return;
  ui.checkin = { ...ui.checkin, walkIn: true };
  sendCheckin();
}

// A scanner (or a keyboard) typing a code on the start screen opens the
// check-in, and what it types goes on into the code field.
function onKeyCheckin(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const field = $('checkin-code');
  if (ui.screen === 'services' && !ui.busy && !$('btn-checkin').hidden && e.key.length === 1
    && CODE_ALPHABET.includes(e.key.toUpperCase()) && !['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName)) {
    // The field takes the focus now: the key's character lands in it.
    openCheckin();
    return true;
  }
  if (ui.screen !== 'checkin' || e.target === field) return false;
  // On a key of the keypad: letters still reach the field, Enter on the
  // field's own keys keeps pressing them.
  if (e.key.length === 1 && CODE_ALPHABET.includes(e.key.toUpperCase())) {
    e.preventDefault();
    typeKey(e.key.toUpperCase());
    return true;
  }
  if (e.key === 'Backspace') {
    e.preventDefault();
    deleteKey();
    return true;
  }
  // A scanner's Enter after a whole code submits it, the focus on a key of
  // the keypad (or nowhere) as on the field.
  const onKey = e.target === document.body || (e.target.classList && e.target.classList.contains('ci-key'));
  if (e.key === 'Enter' && onKey && normalizeCode(field.value).length === CODE_LEN) {
    e.preventDefault();
    submitCheckin();
    return true;
  }
  return false;
}

// ---- wiring ----

let live = null;

function onState(state) {
  ui.state = state;
  setTimeZone(state.branch && state.branch.time_zone);
  renderHeader();
  renderServices();
  markReady();
}

function markReady() {
  if (hook.ready || !ui.state || !ui.meChecked) return;
  hook.ready = true;
  document.body.dataset.ready = 'true';
}

function onLoadError(err) {
  if (ui.state) return;
  const key = err && err.status === 404 ? 'error.unknown_branch' : 'error.network';
  $('no-services').hidden = false;
  // i18n-keys: error.unknown_branch error.network
  $('no-services').textContent = t(key, { branch });
}

async function main() {
  ui.startLang = await startLang(null, switchLang);
  hook.lang = lang();
  initContrast();
  window.addEventListener('langchange', () => { hook.lang = lang(); });

  window.addEventListener('beforeprint', sizePrintPage);
  $('btn-regular').addEventListener('click', () => issue('none'));
  $('btn-priority-back').addEventListener('click', () => reset());
  $('btn-done').addEventListener('click', () => reset());
  $('btn-retry').addEventListener('click', () => {
    if (ui.checkin) sendCheckin();
    else if (ui.chosen && ui.key) send();
    else reset();
  });
  $('btn-checkin').addEventListener('click', () => openCheckin());
  $('checkin-form').addEventListener('submit', submitCheckin);
  $('checkin-code').addEventListener('input', codeChanged);
  $('btn-checkin-del').addEventListener('mousedown', (e) => e.preventDefault());
  $('btn-checkin-del').addEventListener('click', deleteKey);
  $('btn-checkin-back').addEventListener('click', () => reset());
  $('btn-walkin').addEventListener('click', acceptWalkIn);
  $('btn-notice-back').addEventListener('click', () => reset());
  $('btn-error-back').addEventListener('click', () => reset());
  document.addEventListener('pointerdown', armIdle, { passive: true });
  document.addEventListener('keydown', (e) => {
    armIdle();
    if (onKeyCheckin(e)) return;
    if (e.key === 'Escape' && ['priority', 'error', 'ticket', 'checkin', 'notice'].includes(ui.screen)) reset();
  });

  live = new Live(branch, {
    onState,
    estimates: true,
    onError: onLoadError,
    onStatus: (up) => {
      hook.connected = up;
      $('offline').hidden = up;
    },
  });
  const me = refreshMe();
  live.start();
  await me;
  ui.meChecked = true;
  markReady();
  setInterval(renderClock, 5000);
}

main().catch((err) => {
  console.error(err);
  document.body.replaceChildren(h('p', { class: 'page-error', role: 'alert' }, String(err && err.message ? err.message : err)));
});
