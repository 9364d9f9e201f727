// counter.js — the clerk's console at /counter/{branch}.
//
// Test hook: window.seiraCounter = {
//   ready,      // true once the console shows a counter (or the login / choice view is up: see view)
//   view,       // "loading" | "login" | "choose" | "console"
//   counter,    // chosen counter id or null
//   status,     // that counter's status: "open" | "paused" | "closed"
//   current,    // number of the current ticket, or null
//   currentState, // "called" | "serving" | null
//   currentAppt, // the current ticket's appointment {code, start, reference} when checked in from one, or null
//   currentRemote, // the current ticket was taken from home (source "remote")
//   busy,       // an action is in flight
//   connected,  // live socket up
//   user,       // signed-in username or null
// }
//
// Element ids / test ids:
//   #login-form, #login-username, #login-password, #btn-login, #login-error
//   #counter-list, button[data-counter="<id>"] (data-testid="counter-<id>")
//   #counter-name, #counter-status (data-status), #user-name, #btn-change-counter, #btn-logout,
//   #lang-switch button[data-lang]
//   #current-number, #current-service, #current-state (data-state), #current-priority,
//   #current-recalls, #current-appt (pill "Appointment HH:MM", data-code), #current-appt-ref
//   (the appointment's reference, when it has one), #current-remote (pill "From home"),
//   #current-elapsed, #my-waiting
//   #btn-next (N), #btn-recall (R), #btn-start (S), #btn-done (D), #btn-noshow (X),
//   #btn-transfer (T) → #transfer-panel, #transfer-service (select), #btn-transfer-confirm,
//   #btn-transfer-cancel, #btn-pause (P: pause / resume / open), #btn-close
//   #queue-table, #queue-body tr[data-service="<id>"] (data-served, data-open)
//   #status (role=status, data-kind="error"|"ok"|"info"), #offline
// The chosen counter is remembered in localStorage "seira.counter.<branch>".

import { t, tn, setLang, localName, setTimeZone, fmtNumber, fmtWait, fmtElapsed, fmtTime, startLang } from './i18n.js';
import { api, branchFromPath, h, ApiError } from './api.js';
import { Live } from './live.js';
import { signInForm, resumeSession } from './signin.js';
import { errorText as errorTextOf } from './errors.js';
import { stateLabel, priorityLabel } from './labels.js';

const $ = (id) => document.getElementById(id);
const branch = branchFromPath();
const COUNTER_KEY = `seira.counter.${branch}`;
const LANG_KEY = 'seira.lang.counter';

const hook = (window.seiraCounter = {
  ready: false, view: 'loading', counter: null, status: null, current: null, currentState: null, currentAppt: null,
  currentRemote: false, busy: false, connected: false, user: null,
});

const ui = {
  user: null,
  statusText: null, // the status line's message, as a function of the language
  counterId: null,
  busy: false,
  live: null,
  state: null,
  transferOpen: false,
  // The appointments of tickets called here, by number: a live call event
  // carries no appointment, the call's answer and the state do.
  appts: new Map(),
  // The numbers of remote tickets called here, likewise.
  remotes: new Set(),
};

// ---- helpers ----

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { /* storage unavailable */ }
}
function load(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

// setStatus shows a message; given as a function, it is written again in
// the new language when the clerk switches.
function setStatus(text, kind = 'info') {
  const el = $('status');
  ui.statusText = typeof text === 'function' ? text : null;
  el.dataset.kind = kind;
  el.textContent = ui.statusText ? ui.statusText() : text;
}

function showView(name) {
  for (const v of ['loading', 'login', 'choose', 'console']) $(`view-${v}`).hidden = v !== name;
  hook.view = name;
  const signedIn = !!ui.user && name !== 'login';
  $('btn-logout').hidden = !signedIn;
  $('user-name').hidden = !signedIn;
  $('btn-change-counter').hidden = name !== 'console';
  $('counter-name').hidden = name !== 'console';
  $('counter-status').hidden = name !== 'console';
  if (name !== 'console') closeTransfer();
  hook.ready = name === 'console' || name === 'login' || name === 'choose';
  document.body.dataset.view = name;
}

const counterOf = (id) => (ui.state ? ui.state.counters.find((c) => c.id === id) : null);
const serviceOf = (id) => (ui.state ? ui.state.services.find((s) => s.id === id) : null);
const serviceName = (id) => { const s = serviceOf(id); return s ? localName(s.name) : id; };
// i18n-keys: counter.status.open counter.status.paused counter.status.closed
const statusLabel = (s) => t(`counter.status.${s}`, null, { fallback: s });
// The console's words for the errors a clerk may meet (errors.js).
const ERRORS = {
  unauthenticated: 'counter.error.signed_out',
  forbidden: 'counter.error.forbidden',
  invalid_transition: 'counter.error.invalid_transition',
  conflict: 'counter.error.conflict',
  not_found: 'counter.error.not_found',
  rate_limited: 'counter.error.rate_limited',
  service_closed: 'counter.error.service_closed',
};
const errorText = (err) => errorTextOf(err, ERRORS);

// ---- language ----

async function pickLang(code) {
  await setLang(code);
  store(LANG_KEY, code);
  renderAll();
  if (ui.statusText) $('status').textContent = ui.statusText();
}

// ---- sign-in ----

function showLogin(message) {
  stopLive();
  ui.user = null;
  ui.counterId = null;
  Object.assign(hook, { user: null, counter: null, status: null, current: null, currentState: null });
  showView('login');
  loadBranchName();
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('login-password').value = '';
  $('login-username').focus();
}

// The header names the office before anyone signs in: its state is public.
async function loadBranchName() {
  if (ui.branchName) return;
  try {
    const st = await api.state(branch);
    ui.branchName = st.branch.name;
    renderAll();
  } catch { /* the header stays as it is; signing in reads it again */ }
}


async function signedIn(user) {
  ui.user = user;
  hook.user = user ? user.username : null;
  $('user-name').textContent = user ? user.name || user.username : '';
  if (user && Array.isArray(user.branches) && user.branches.length && !user.branches.includes(branch) && user.role !== 'admin') {
    setStatus(() => t('counter.error.no_branch_access', { branch }), 'error');
  } else {
    setStatus('');
  }
  showView('loading');
  startLive();
}

async function logout() {
  try {
    await api.logout();
  } catch { /* signed out anyway */ }
  setStatus(() => t('counter.msg.signed_out'), 'ok');
  showLogin();
}

// ---- live state ----

function startLive() {
  stopLive();
  ui.state = null;
  let first = true;
  ui.live = new Live(branch, {
    estimates: true,
    onState: (state) => {
      ui.state = state;
      setTimeZone(state.branch && state.branch.time_zone);
      if (first) {
        first = false;
        afterFirstState();
      }
      renderAll();
    },
    onError: (err) => {
      if (err.status === 404) setStatus(() => t('error.unknown_branch', { branch }), 'error');
      else setStatus(() => errorText(err), 'error');
    },
    onStatus: (up) => {
      hook.connected = up;
      $('offline').hidden = up;
    },
  });
  ui.live.start();
}

function stopLive() {
  if (ui.live) ui.live.stop();
  ui.live = null;
  hook.connected = false;
  $('offline').hidden = true;
}

function afterFirstState() {
  const remembered = load(COUNTER_KEY);
  if (remembered && counterOf(remembered)) enterConsole(remembered);
  else showChoose();
}

// ---- counter choice ----

function showChoose() {
  ui.counterId = null;
  hook.counter = null;
  showView('choose');
  renderChoose();
  const first = $('counter-list').querySelector('button');
  if (first) first.focus();
}

function renderChoose() {
  if (!ui.state) return;
  const me = ui.user ? ui.user.username : '';
  const list = $('counter-list');
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.counter : null;
  list.replaceChildren(...ui.state.counters.map((c) => {
    let held = '';
    let clerk = '';
    if (c.clerk && c.status !== 'closed') {
      held = c.clerk === me ? 'me' : 'other';
      clerk = held === 'me' ? t('counter.held_by_you') : t('counter.held_by', { clerk: c.clerk });
    }
    return h('button', {
      type: 'button', class: 'counter-choice', 'data-counter': c.id, 'data-testid': `counter-${c.id}`,
      'data-held': held || null, onclick: () => enterConsole(c.id),
    },
    h('span', { class: 'cc-name' }, localName(c.name)),
    h('span', { class: 'pill', 'data-status': c.status }, statusLabel(c.status)),
    clerk ? h('span', { class: 'cc-clerk' }, clerk) : null,
    c.current ? h('span', null, t('counter.current_short', { number: c.current.number })) : null,
    h('span', { class: 'cc-services' }, t('counter.serves', { services: (c.serves || []).map(serviceName).join(', ') })));
  }));
  if (focused) {
    const b = list.querySelector(`[data-counter="${CSS.escape(focused)}"]`);
    if (b) b.focus();
  }
}

async function enterConsole(id) {
  const c = counterOf(id);
  if (!c) { showChoose(); return; }
  ui.counterId = id;
  hook.counter = id;
  store(COUNTER_KEY, id);
  showView('console');
  renderConsole();
  $('btn-next').focus();
  const me = ui.user ? ui.user.username : '';
  // Already ours (e.g. a reload): leave it as it is, paused stays paused.
  if ((c.status === 'open' || c.status === 'paused') && c.clerk && c.clerk === me) return;
  hook.ready = false; // until the counter is ours
  try {
    ui.busy = true;
    renderButtons();
    const { data } = await api.counter(branch, id, 'open');
    applyCounterResponse(data);
    setStatus(() => t('counter.msg.opened', { counter: localName(c.name) }), 'ok');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'invalid_transition' && c.status === 'open') {
      // Already open: nothing to do.
    } else if (err instanceof ApiError && err.status === 401) {
      showLogin(t('counter.error.signed_out'));
      return;
    } else if (err instanceof ApiError && (err.status === 409 || err.status === 403)) {
      store(COUNTER_KEY, null);
      showChoose();
      setStatus(() => errorText(err), 'error');
      return;
    } else {
      setStatus(() => errorText(err), 'error');
    }
  } finally {
    ui.busy = false;
    if (hook.view === 'console') hook.ready = true;
    renderAll();
  }
}

// ---- actions ----

function applyCounterResponse(data) {
  if (!data || !ui.state) return;
  const c = data.counter;
  if (c && c.id !== undefined) {
    const i = ui.state.counters.findIndex((x) => x.id === c.id);
    const old = i >= 0 ? ui.state.counters[i] : null;
    const next = { ...c };
    if (!('clerk' in next) && old && old.clerk && next.status !== 'closed') next.clerk = old.clerk;
    if (i >= 0) ui.state.counters[i] = next; else ui.state.counters.push(next);
  }
}

/** What may be done now, from the counter's status and current ticket. */
function can() {
  const c = counterOf(ui.counterId);
  const none = { next: false, recall: false, start: false, done: false, 'no-show': false, transfer: false, pause: false, close: false };
  if (!c || ui.busy) return none;
  const cur = c.current;
  const st = cur ? cur.state : null;
  const active = st === 'called' || st === 'serving';
  return {
    next: c.status === 'open',
    recall: st === 'called',
    start: st === 'called',
    done: active,
    'no-show': st === 'called',
    transfer: active && transferTargets().length > 0,
    pause: true, // pause / resume / open by status
    close: c.status !== 'closed',
  };
}

function transferTargets() {
  const c = counterOf(ui.counterId);
  if (!c || !c.current || !ui.state) return [];
  return ui.state.services.filter((s) => s.open && s.id !== c.current.service);
}

async function act(action, body) {
  const c = counterOf(ui.counterId);
  if (!c || ui.busy) return;
  const allowed = can();
  if (action in allowed && !allowed[action]) return;
  ui.busy = true;
  hook.busy = true;
  renderButtons();
  const number = c.current ? c.current.number : '';
  try {
    const res = await api.counter(branch, c.id, action, body);
    if (action === 'next') {
      if (res.status === 204 || !res.data) {
        setStatus(() => t('counter.msg.nobody_waiting'), 'info');
      } else {
        const tk = res.data;
        const fresh = counterOf(c.id);
        if (fresh) {
          fresh.current = {
            number: tk.number, service: tk.service, state: tk.state || 'called', priority: tk.priority,
            called_at: tk.called_at || new Date(ui.live ? ui.live.now() : Date.now()).toISOString(), recalls: tk.recalls || 0,
            source: tk.source, appointment: tk.appointment,
          };
        }
        rememberAppt(tk);
        setStatus(() => t('counter.msg.called', { number: tk.number }), 'ok');
      }
    } else {
      applyCounterResponse(res.data);
      const msgKey = {
        recall: 'counter.msg.recalled', start: 'counter.msg.started', done: 'counter.msg.done',
        'no-show': 'counter.msg.no_show', transfer: 'counter.msg.transferred',
        pause: 'counter.msg.paused', open: 'counter.msg.resumed', close: 'counter.msg.closed',
      }[action];
      // i18n-keys: counter.msg.recalled counter.msg.started counter.msg.done counter.msg.no_show counter.msg.transferred counter.msg.paused counter.msg.resumed counter.msg.closed
      setStatus(() => t(msgKey, { number, service: body && body.service ? serviceName(body.service) : '' }), 'ok');
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showLogin(t('counter.error.signed_out'));
      return;
    }
    setStatus(() => errorText(err), 'error');
    if (err instanceof ApiError && err.status === 409) resync();
  } finally {
    ui.busy = false;
    hook.busy = false;
    renderAll();
  }
}

// After a conflict, read the state again: someone else changed it.
async function resync() {
  try {
    const st = await api.state(branch);
    if (ui.state && st.seq >= ui.state.seq) {
      ui.state.counters = st.counters;
      ui.state.services = st.services;
      renderAll();
    }
  } catch { /* the live socket will catch up */ }
}

function togglePause() {
  const c = counterOf(ui.counterId);
  if (!c || ui.busy) return;
  if (c.status === 'open') act('pause');
  else act('open');
}

function openTransfer() {
  if (!can().transfer) return;
  const sel = $('transfer-service');
  sel.replaceChildren(...transferTargets().map((s) => h('option', { value: s.id }, localName(s.name))));
  ui.transferOpen = true;
  $('transfer-panel').hidden = false;
  $('btn-transfer').setAttribute('aria-expanded', 'true');
  sel.focus();
}

function closeTransfer() {
  ui.transferOpen = false;
  $('transfer-panel').hidden = true;
  $('btn-transfer').setAttribute('aria-expanded', 'false');
}

async function confirmTransfer(e) {
  e.preventDefault();
  const service = $('transfer-service').value;
  if (!service) return;
  closeTransfer();
  $('btn-transfer').focus();
  await act('transfer', { service });
}

// ---- rendering ----

function renderAll() {
  const st = ui.state;
  if (st) ui.branchName = st.branch.name;
  $('branch-name').textContent = ui.branchName ? localName(ui.branchName) : '';
  if (hook.view === 'choose') renderChoose();
  if (hook.view === 'console') renderConsole();
}

function renderConsole() {
  const c = counterOf(ui.counterId);
  if (!c) return;
  document.title = `${localName(c.name)} · ${t('counter.title')}`;
  $('counter-name').textContent = localName(c.name);
  const pill = $('counter-status');
  pill.textContent = statusLabel(c.status);
  pill.dataset.status = c.status;
  hook.status = c.status;

  const cur = c.current;
  hook.current = cur ? cur.number : null;
  hook.currentState = cur ? cur.state : null;
  const num = $('current-number');
  // With no ticket, words say so (a large dash said nothing).
  num.textContent = cur ? cur.number : t('counter.no_current_short');
  num.dataset.empty = String(!cur);
  $('current-service').textContent = cur ? serviceName(cur.service) : (c.status === 'open' ? t('counter.no_current_hint') : '');
  const stEl = $('current-state');
  stEl.hidden = !cur;
  if (cur) { stEl.textContent = stateLabel(cur.state); stEl.dataset.state = cur.state; }
  const pr = $('current-priority');
  const isPrio = cur && cur.priority && cur.priority !== 'none';
  pr.hidden = !isPrio;
  if (isPrio) pr.textContent = priorityLabel(cur.priority);
  renderAppt(cur);
  renderRemote(cur);
  const rc = $('current-recalls');
  rc.hidden = !(cur && cur.recalls > 0);
  if (cur && cur.recalls > 0) rc.textContent = tn('counter.recalls', cur.recalls);
  renderElapsed();

  // Waiting for this counter's services.
  let waiting = 0;
  for (const id of c.serves || []) { const s = serviceOf(id); if (s) waiting += s.waiting; }
  $('my-waiting').textContent = c.status === 'closed' ? t('counter.closed_hint') : tn('counter.my_waiting', waiting);

  renderButtons();
  renderQueues(c);
  if (ui.transferOpen && !can().transfer) closeTransfer();
}

// rememberAppt keeps a ticket's appointment by its number (and whether
// it was taken from home).
function rememberAppt(tk) {
  if (!tk || !tk.number) return;
  if (tk.source === 'remote') ui.remotes.add(tk.number);
  else if (tk.source) ui.remotes.delete(tk.number);
  if (ui.remotes.size > 200) ui.remotes.delete(ui.remotes.values().next().value);
  if (tk.source === 'appointment' && tk.appointment) ui.appts.set(tk.number, tk.appointment);
  // A number comes again the next day: what it was then is no more.
  else if (tk.source) ui.appts.delete(tk.number);
  if (ui.appts.size > 200) ui.appts.delete(ui.appts.keys().next().value);
}

/** The appointment of the current ticket, or null. */
function apptOf(cur) {
  if (!cur) return null;
  if (cur.source === 'appointment' && cur.appointment) return cur.appointment;
  // A lean live call (no source): what the call's answer or the state said.
  if (!cur.source) return ui.appts.get(cur.number) || null;
  return null;
}

function renderAppt(cur) {
  if (cur && cur.source) rememberAppt(cur);
  const a = apptOf(cur);
  hook.currentAppt = a;
  const pillEl = $('current-appt');
  pillEl.hidden = !a;
  pillEl.textContent = a ? t('counter.appt.marker', { time: a.start ? fmtTime(a.start) : '' }).trim() : '';
  if (a) pillEl.dataset.code = a.code || ''; else delete pillEl.dataset.code;
  const ref = $('current-appt-ref');
  ref.hidden = !(a && a.reference);
  ref.textContent = a && a.reference ? t('counter.appt.reference', { reference: a.reference }) : '';
}

/** Marks a current ticket taken from home: its holder may still be on the way. */
function renderRemote(cur) {
  const remote = !!cur && (cur.source ? cur.source === 'remote' : ui.remotes.has(cur.number));
  hook.currentRemote = remote;
  $('current-remote').hidden = !remote;
}

function renderElapsed() {
  const c = counterOf(ui.counterId);
  const el = $('current-elapsed');
  const cur = c && c.current;
  if (!cur || !cur.called_at) { el.textContent = ''; return; }
  const now = ui.live ? ui.live.now().getTime() : Date.now();
  const secs = (now - Date.parse(cur.called_at)) / 1000;
  el.textContent = t('counter.since_call', { elapsed: fmtElapsed(secs) });
}

function renderButtons() {
  const c = counterOf(ui.counterId);
  const ok = can();
  const map = { 'btn-next': 'next', 'btn-recall': 'recall', 'btn-start': 'start', 'btn-done': 'done', 'btn-noshow': 'no-show', 'btn-transfer': 'transfer', 'btn-pause': 'pause', 'btn-close': 'close' };
  for (const [id, a] of Object.entries(map)) $(id).disabled = !ok[a];
  const label = !c ? '' : c.status === 'open' ? t('counter.pause') : c.status === 'paused' ? t('counter.resume') : t('counter.open');
  $('btn-pause-label').textContent = label;
  $('btn-pause').dataset.mode = c ? (c.status === 'open' ? 'pause' : 'open') : '';
}

function renderQueues(c) {
  const body = $('queue-body');
  const serves = c.serves || [];
  const services = [...ui.state.services].sort((a, b) => {
    const ia = serves.indexOf(a.id); const ib = serves.indexOf(b.id);
    return (ia < 0 ? 1e6 : ia) - (ib < 0 ? 1e6 : ib);
  });
  body.replaceChildren(...services.map((s) => h('tr', {
    'data-service': s.id, 'data-served': String(serves.includes(s.id)), 'data-open': String(!!s.open),
  },
  h('td', null, localName(s.name), s.open ? '' : ` (${t('counter.service_closed')})`),
  h('td', { class: 'num' }, fmtNumber(s.waiting)),
  h('td', { class: 'num' }, fmtNumber(s.waiting_priority || 0)),
  h('td', { class: 'num' }, s.open ? fmtWait(s.estimated_wait_s, { ahead: s.waiting, short: true }) : '—'))));
}

// ---- keyboard ----

const KEYS = { KeyN: 'next', KeyR: 'recall', KeyS: 'start', KeyD: 'done', KeyX: 'no-show', KeyT: 'transfer', KeyP: 'pause' };

function onKey(e) {
  if (hook.view !== 'console') return;
  if (e.key === 'Escape' && ui.transferOpen) { closeTransfer(); $('btn-transfer').focus(); return; }
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  const tg = e.target;
  if (tg && (tg.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(tg.tagName))) return;
  // e.code is the physical key, so a Greek keyboard layout works too.
  const a = KEYS[e.code];
  if (!a) return;
  e.preventDefault();
  if (a === 'transfer') openTransfer();
  else if (a === 'pause') togglePause();
  else act(a);
}

// ---- start ----

async function main() {
  await startLang(LANG_KEY, pickLang);

  $('login-form').addEventListener('submit', signInForm({
    keys: { missing: 'counter.error.missing_credentials', bad: 'counter.error.bad_credentials', limited: 'counter.error.rate_limited' },
    errorText, onSignedIn: signedIn,
  }));
  $('btn-logout').addEventListener('click', logout);
  $('btn-change-counter').addEventListener('click', () => { store(COUNTER_KEY, null); closeTransfer(); showChoose(); });
  for (const b of document.querySelectorAll('.actions [data-action]')) b.addEventListener('click', () => act(b.dataset.action));
  $('btn-pause').addEventListener('click', togglePause);
  $('btn-transfer').addEventListener('click', () => (ui.transferOpen ? closeTransfer() : openTransfer()));
  $('transfer-panel').addEventListener('submit', confirmTransfer);
  // Enter on a <select> does not submit a form by itself.
  $('transfer-service').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); $('transfer-panel').requestSubmit(); }
  });
  $('btn-transfer-cancel').addEventListener('click', () => { closeTransfer(); $('btn-transfer').focus(); });
  document.addEventListener('keydown', onKey);
  setInterval(renderElapsed, 1000);

  await resumeSession({ errorText, onSignedIn: signedIn, onSignedOut: showLogin });
}

main().catch((err) => {
  console.error(err);
  setStatus(String(err && err.message ? err.message : err), 'error');
});
