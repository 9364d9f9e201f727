// ticket.js — the citizen's ticket page at /t/{token} (from the ticket's QR
// code): the number, the place in the queue and the estimated wait, kept
// current over the ticket's live WebSocket; a loud full-screen "your turn"
// when called; "I'm leaving" to cancel.
//
// Test hook: window.seiraTicket = {
//   ready,       // the ticket (or the not-found page) is shown
//   state,       // "waiting" | "called" | "serving" | "done" | "no_show" | "cancelled" | "expired"; null before load
//   position,    // 1 = next to be called; 0 once called
//   called,      // the ticket is called now (state "called"); the full-screen view shows it
//   calledView,  // the full-screen #called-view is open
//   counter,     // the counter id it is called to / served at, or null
//   counterName, // that counter's name in the page language, or null
//   connected,   // live socket up
//   lang,        // page language
//   number,      // ticket number, e.g. "A012"
//   beThereBy,   // a remote ticket's "be there by" as shown ("10:47"), or null
//   notFound,    // the token is unknown (404) or malformed
//   calls,       // calls and recalls alerted so far (full-screen view opened)
//   chimes,      // chimes actually played
//   sound,       // "on" | "suspended" (needs a tap) | "unavailable"
//   transferred, // the ticket was transferred and waits in its new service
//   error,       // last error code or null
//   callLag,     // ms from the last call's message reaching the page to the full-screen view, for the "within 1 s" check
//   notices,     // ids of the office's announcements shown now (only while waiting), newest first
//   noticeTexts, // their texts as shown, in the page language (the other as fallback)
// }
//
// Element ids / test ids:
//   #lang-switch button[data-lang], #branch-name, #offline
//   #view-loading, #view-ticket, #ticket-number, #ticket-service, #ticket-be-there (a remote
//     ticket's "be there by HH:MM", while it waits), #ticket-priority,
//     #ticket-state, #ticket-detail, #ticket-transferred, #ticket-ahead, #ticket-wait,
//     #ticket-issued, #btn-sound, #sound-on, #btn-leave
//   #leave-dialog (<dialog>), #btn-leave-confirm, #btn-leave-cancel, #leave-error
//   #called-view (<dialog>, full screen), #called-number, #called-counter, #called-recall, #btn-called-ok
//   #not-found, #view-error, #btn-retry
//   #ticket-status (role=status, polite), #ticket-alert (role=alert, assertive: the call)
//   #ticket-notices (role=status, polite) > #ticket-notices-box > #ticket-notices-list > li[data-id]:
//     the office's announcements to everyone waiting, until their expires_at by the server's clock
//
// Times are shown in the branch's time zone: GET /branches/{branch}/state is
// read once for branch.time_zone and the branch name. The token is used only
// in same-origin API calls, never in anything sent elsewhere.

import {
  t, tn, setLang, lang, isLanguage, localName, setTimeZone, fmtTime, fmtWait, DEFAULT_LANG, startLang,
} from './i18n.js';
import { api, lastPathSegment, ApiError } from './api.js';
import { Socket, jitter, BACKOFF_MIN, BACKOFF_MAX } from './live.js';
import { newAudioContext, tone } from './sound.js';
import { priorityLabel } from './labels.js';
import { openDialog, closeDialog } from './dialog.js';

const $ = (id) => document.getElementById(id);
const LANG_KEY = 'seira.lang.ticket';
const FRESH_MS = 90 * 1000;     // a call older than this, found on load, is shown but not rung
const FINAL = ['done', 'no_show', 'cancelled', 'expired'];
const TOKEN_RE = /^[A-Za-z0-9_-]{8,200}$/;

const token = lastPathSegment();

const hook = (window.seiraTicket = {
  ready: false, state: null, position: null, called: false, calledView: false, counter: null, counterName: null,
  connected: false, lang: DEFAULT_LANG, number: null, beThereBy: null, notFound: false, calls: 0, chimes: 0, sound: 'unavailable',
  transferred: false, error: null, notices: [], noticeTexts: [],
});

const ui = {
  ticket: null,
  branch: null,       // view.Branch from /state, or null
  transferred: false,
  view: 'loading',
  lastAhead: null,
  audio: null,
  soundConfirmed: false,
  leaving: false,
  clockOffset: 0,     // server clock minus ours, from /state
  notices: new Map(), // id → announcement, from /state and the live channel
  noticeTimer: null,
};

// ---- small helpers ----

function store(key, value) {
  try { localStorage.setItem(key, value); } catch { /* storage unavailable */ }
}
function load(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

const VIEWS = { loading: 'view-loading', ticket: 'view-ticket', notfound: 'not-found', error: 'view-error' };

function showView(name) {
  ui.view = name;
  for (const [n, id] of Object.entries(VIEWS)) $(id).hidden = n !== name;
}

function say(text) {
  const el = $('ticket-status');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

function alertSay(text) {
  const el = $('ticket-alert');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

const isActive = (st) => st === 'waiting' || st === 'called';

// ---- language ----

async function switchLang(code, remember) {
  const secondary = ui.view === 'notfound' ? otherLang(code) : null;
  await setLang(code, { secondary });
  if (remember) store(LANG_KEY, lang());
  hook.lang = lang();
  render();
}

function otherLang(code) {
  return code === 'el' ? 'en' : 'el';
}

// ---- rendering ----

function counterName(tk) {
  if (!tk || !tk.counter) return '';
  return localName(tk.counter_name) || t('ticket.counter_n', { counter: tk.counter });
}

function stateWords(tk) {
  const counter = counterName(tk);
  // i18n-keys: ticket.status.waiting ticket.status.called ticket.status.serving ticket.status.done ticket.status.no_show ticket.status.cancelled ticket.status.expired
  // i18n-keys: ticket.state.waiting ticket.state.called ticket.state.serving ticket.state.done ticket.state.no_show ticket.state.cancelled ticket.state.expired
  return t(`ticket.status.${tk.state}`, { counter }, { fallback: t(`ticket.state.${tk.state}`, null, { fallback: tk.state }) });
}

function stateDetail(tk) {
  if (tk.state === 'waiting') return '';
  // i18n-keys: ticket.detail.called ticket.detail.serving ticket.detail.done ticket.detail.no_show ticket.detail.cancelled ticket.detail.expired
  return t(`ticket.detail.${tk.state}`, { counter: counterName(tk) }, { fallback: '' });
}

function aheadText(tk) {
  const ahead = Math.max(0, (tk.position || 1) - 1);
  return ahead === 0 ? t('ticket.ahead_next') : tn('ticket.ahead', ahead);
}

function render() {
  renderHeader();
  const tk = ui.ticket;
  if (!tk) return;
  const st = tk.state;
  document.body.dataset.state = st;
  document.title = st === 'called' ? `${t('ticket.called_title')} · ${tk.number}` : `${tk.number} · ${t('ticket.title')}`;

  $('ticket-number').textContent = tk.number;
  $('called-number').textContent = tk.number;
  $('ticket-service').textContent = localName(tk.service_name) || tk.service;
  const appt = $('ticket-appointment');
  appt.hidden = !tk.appointment;
  if (tk.appointment) appt.textContent = t('ticket.appointment', { time: fmtTime(tk.appointment.start) });
  // Taken from home: when to be in the office, fixed at issue (the live
  // estimate below may move).
  const there = $('ticket-be-there');
  const beThere = tk.be_there_by && tk.state === 'waiting' ? fmtTime(tk.be_there_by) : null;
  there.hidden = !beThere;
  there.textContent = beThere ? t('remote.be_there_by', { time: beThere }) : '';
  hook.beThereBy = beThere;
  const prio = tk.priority && tk.priority !== 'none' ? t('ticket.priority_badge', { category: priorityLabel(tk.priority) }) : '';
  $('ticket-priority').textContent = prio;
  $('ticket-priority').hidden = !prio;

  const stEl = $('ticket-state');
  stEl.textContent = stateWords(tk);
  stEl.dataset.state = st;
  const detail = stateDetail(tk);
  $('ticket-detail').textContent = detail;
  $('ticket-detail').hidden = !detail;

  const tr = $('ticket-transferred');
  tr.hidden = !(ui.transferred && st === 'waiting');
  if (!tr.hidden) tr.textContent = t('ticket.transferred', { service: localName(tk.service_name) || tk.service });

  const waiting = st === 'waiting';
  $('fact-ahead').hidden = !waiting;
  $('fact-wait').hidden = !waiting;
  if (waiting) {
    $('ticket-ahead').textContent = aheadText(tk);
    $('ticket-ahead').dataset.next = String((tk.position || 1) <= 1);
    $('ticket-wait').textContent = fmtWait(tk.estimated_wait_s, { ahead: Math.max(0, (tk.position || 1) - 1) });
  } else {
    $('ticket-ahead').textContent = '';
    $('ticket-wait').textContent = '';
  }
  const issued = $('ticket-issued');
  if (tk.issued_at) {
    issued.textContent = fmtTime(tk.issued_at);
    issued.dateTime = tk.issued_at;
  }
  // The counters' plans close them before this ticket's turn: say so,
  // rather than let the estimate promise a call that may not come.
  $('ticket-late').hidden = !(waiting && tk.after_closing);
  $('ticket-keep-open').hidden = !waiting;
  $('btn-leave').hidden = !waiting;

  // The full-screen call.
  $('called-counter').textContent = counterName(tk);
  $('called-recall').hidden = !(tk.recalls > 0);

  renderSound();
  renderNotices();
  Object.assign(hook, {
    state: st, position: tk.position, called: st === 'called', counter: tk.counter || null,
    counterName: tk.counter ? counterName(tk) : null, number: tk.number, transferred: !!(ui.transferred && waiting),
  });
}

function renderHeader() {
  const name = ui.branch ? localName(ui.branch.name) : '';
  $('branch-name').textContent = name;
  if (!ui.ticket) document.title = ui.view === 'notfound' ? t('ticket.not_found_title') : t('ticket.title');
}

// ---- the office's announcements (notices) ----

function setNotices(list) {
  ui.notices = new Map((Array.isArray(list) ? list : []).filter((a) => a && a.id).map((a) => [a.id, a]));
  renderNotices();
}

/** Shows the announcements still active by the server's clock, while the ticket waits. */
function renderNotices() {
  clearTimeout(ui.noticeTimer);
  const now = Date.now() + ui.clockOffset;
  const active = [...ui.notices.values()]
    .filter((a) => Date.parse(a.expires_at) > now)
    .sort((a, b) => b.id - a.id);
  for (const [id, a] of ui.notices) if (Date.parse(a.expires_at) <= now) ui.notices.delete(id);
  const show = ui.view === 'ticket' && !!ui.ticket && ui.ticket.state === 'waiting' && active.length > 0;
  const list = $('ticket-notices-list');
  const items = show ? active.map((a) => {
    const text = localName(a.text);
    const li = document.createElement('li');
    li.dataset.id = String(a.id);
    li.textContent = text;
    // Text in the other language (the only one given) says so to screen readers.
    const own = a.text && a.text[lang()];
    if (!own) li.lang = a.text && a.text.el ? 'el' : 'en';
    return li;
  }) : [];
  const key = items.map((li) => `${li.dataset.id}:${li.textContent}`).join('|');
  if (list.dataset.key !== key) {
    list.replaceChildren(...items);
    list.dataset.key = key;
  }
  $('ticket-notices-box').hidden = !show;
  hook.notices = show ? active.map((a) => a.id) : [];
  hook.noticeTexts = items.map((li) => li.textContent);
  // Hide each at its expiry, by the server's clock.
  if (active.length) {
    const next = Math.min(...active.map((a) => Date.parse(a.expires_at))) - now;
    ui.noticeTimer = setTimeout(renderNotices, Math.min(Math.max(next, 0) + 50, 2 ** 31 - 1));
  }
}

/** A live message about announcements: the snapshot's list, one posted, one withdrawn. */
function applyNotices(msg) {
  // As on the displays (live.js): an event cannot happen after the
  // server's "now", so one that seems to means our clock is behind.
  const at = msg.at ? Date.parse(msg.at) : NaN;
  if (!Number.isNaN(at) && at - (Date.now() + ui.clockOffset) > 5000) ui.clockOffset = at - Date.now();
  if (msg.type === 'snapshot') {
    setNotices(msg.announcements);
  } else if (msg.type === 'announcement.posted' && msg.announcement) {
    ui.notices.set(msg.announcement.id, msg.announcement);
    renderNotices();
  } else if (msg.type === 'announcement.withdrawn' && msg.announcement) {
    ui.notices.delete(msg.announcement.id);
    renderNotices();
  }
}

// ---- applying a new view of the ticket ----

/**
 * Applies a ticket view from HTTP or the socket. type is the live message
 * type ("snapshot", "position", "ticket.called", …) or "http".
 */
function apply(tk, type) {
  if (!tk || typeof tk !== 'object' || !tk.state) return;
  const prev = ui.ticket;
  ui.ticket = tk;

  if (tk.state === 'waiting') {
    if (type === 'ticket.transferred' || (prev && prev.service !== tk.service)) ui.transferred = true;
  } else {
    ui.transferred = false;
  }

  // A call: the event itself, or a change seen in a snapshot after a reconnect.
  let call = null; // null | "call" | "recall"
  if (tk.state === 'called') {
    if (type === 'ticket.recalled') call = 'recall';
    else if (type === 'ticket.called') call = 'call';
    else if (prev && prev.state !== 'called') call = 'call';
    else if (prev && (tk.recalls || 0) > (prev.recalls || 0)) call = 'recall';
    else if (prev && tk.called_at && prev.called_at !== tk.called_at) call = 'call';
    else if (!prev) call = 'load';
  }

  render();

  if (call) {
    const fresh = call !== 'load' || (tk.called_at && Date.now() + ui.clockOffset - Date.parse(tk.called_at) < FRESH_MS);
    openCalled({ ring: !!fresh, recall: call === 'recall' || tk.recalls > 0 });
  } else if (tk.state !== 'called') {
    closeCalled();
  }

  if (tk.state !== 'waiting' && $('leave-dialog').open) closeLeave();

  // Polite news for screen readers: the place in the queue, the state.
  if (tk.state === 'waiting') {
    const ahead = Math.max(0, (tk.position || 1) - 1);
    if (prev && prev.state === 'waiting' && ui.lastAhead !== null && ahead !== ui.lastAhead) say(aheadText(tk));
    if (prev && prev.state !== 'waiting') say(ui.transferred ? t('ticket.transferred', { service: localName(tk.service_name) }) : stateWords(tk));
    else if (type === 'ticket.transferred') say(t('ticket.transferred', { service: localName(tk.service_name) }));
    ui.lastAhead = ahead;
  } else {
    ui.lastAhead = null;
    if (prev && prev.state !== tk.state && tk.state !== 'called') say(`${stateWords(tk)} ${stateDetail(tk)}`.trim());
  }

  if (FINAL.includes(tk.state)) stopLive();
}

// ---- the full-screen call ----

function openCalled({ ring, recall }) {
  const dlg = $('called-view');
  $('called-recall').hidden = !recall;
  if ($('leave-dialog').open) closeLeave();
  dlg.hidden = false;
  openDialog(dlg);
  // Restart the attention animation.
  dlg.classList.remove('ring');
  void dlg.offsetWidth;
  dlg.classList.add('ring');
  $('btn-called-ok').focus();
  hook.calledView = true;
  hook.calls++;
  // i18n-keys: ticket.recalled_announce ticket.called_announce
  const text = t(recall ? 'ticket.recalled_announce' : 'ticket.called_announce', {
    number: ui.ticket.number, counter: counterName(ui.ticket),
  });
  alertSay(text);
  if (ring) {
    chime();
    try { if (navigator.vibrate) navigator.vibrate([300, 150, 300]); } catch { /* not allowed */ }
  }
}

function closeCalled() {
  const dlg = $('called-view');
  closeDialog(dlg);
  dlg.hidden = true;
  dlg.classList.remove('ring');
  hook.calledView = false;
}

// ---- sound: a short WebAudio chime ----

function audioCtx() {
  if (!ui.audio) ui.audio = newAudioContext(renderSound);
  return ui.audio;
}

function renderSound() {
  const ctx = ui.audio;
  const s = !ctx ? 'unavailable' : ctx.state === 'running' ? 'on' : 'suspended';
  hook.sound = s;
  const active = ui.ticket && isActive(ui.ticket.state);
  $('btn-sound').hidden = !(active && s === 'suspended');
  $('sound-on').hidden = !(active && s === 'on' && ui.soundConfirmed);
}

async function enableSound(confirm) {
  const ctx = audioCtx();
  if (!ctx) return;
  if (ctx.state !== 'running') {
    try { await ctx.resume(); } catch { /* still blocked */ }
  }
  if (confirm && ctx.state === 'running') {
    ui.soundConfirmed = true;
    tone(ctx, 880, ctx.currentTime + 0.02, 0.25, { peak: 0.25 });
    say(t('ticket.sound_on'));
  }
  renderSound();
}

/** Three rising tones, twice: loud enough to be heard from a pocket. */
function chime() {
  const ctx = ui.audio;
  if (!ctx || ctx.state !== 'running') return;
  const t0 = ctx.currentTime + 0.05;
  const notes = [659.25, 783.99, 1046.5]; // E5 G5 C6
  for (let r = 0; r < 2; r++) {
    notes.forEach((f, i) => tone(ctx, f, t0 + r * 1.1 + i * 0.22, 0.6, { peak: 0.5 }));
  }
  hook.chimes++;
}

// ---- leaving ----

function openLeave() {
  if (!ui.ticket || ui.ticket.state !== 'waiting') return;
  $('leave-text').textContent = t('ticket.leave_text', { number: ui.ticket.number });
  $('leave-error').hidden = true;
  $('btn-leave-confirm').disabled = false;
  openDialog($('leave-dialog'));
  $('btn-leave-cancel').focus();
}

function closeLeave() {
  closeDialog($('leave-dialog'));
}

async function confirmLeave() {
  if (ui.leaving) return;
  ui.leaving = true;
  $('btn-leave-confirm').disabled = true;
  $('leave-error').hidden = true;
  try {
    let tk;
    try {
      tk = await api.cancelTicket(token);
    } catch (err) {
      // A browser signed in as staff sends its cookie: fetch the CSRF token once.
      if (err instanceof ApiError && err.status === 403) {
        await api.me().catch(() => {});
        tk = await api.cancelTicket(token);
      } else {
        throw err;
      }
    }
    closeLeave();
    apply(tk, 'ticket.cancelled');
    $('ticket-state').focus();
  } catch (err) {
    hook.error = err instanceof ApiError ? err.code : 'generic';
    let msg;
    if (err instanceof ApiError && err.status === 409) msg = t('ticket.leave_error_state');
    else if (err instanceof ApiError && err.status === 404) msg = t('ticket.not_found_text');
    else if (err instanceof ApiError && err.network) msg = t('error.network');
    else msg = t('error.generic');
    $('leave-error').textContent = msg;
    $('leave-error').hidden = false;
    $('btn-leave-confirm').disabled = false;
    if (err instanceof ApiError && err.status === 409) refresh();
  } finally {
    ui.leaving = false;
  }
}

// ---- loading ----

async function loadBranch(branch) {
  try {
    const st = await api.state(branch);
    ui.branch = st.branch || null;
    if (ui.branch) setTimeZone(ui.branch.time_zone);
    const at = Date.parse(st.at);
    if (!Number.isNaN(at)) ui.clockOffset = at - Date.now();
    setNotices(st.announcements);
  } catch { /* keep the default time zone (Europe/Athens) */ }
}

async function showNotFound() {
  showView('notfound');
  hook.notFound = true;
  hook.state = null;
  stopLive();
  closeCalled();
  closeLeave();
  await switchLang(lang(), false);
  markReady();
}

function showError(err) {
  hook.error = err instanceof ApiError ? err.code : 'generic';
  $('error-message').textContent = err instanceof ApiError && err.network ? t('error.network')
    : err instanceof ApiError && err.status >= 500 ? t('error.unavailable') : t('error.generic');
  showView('error');
}

async function first() {
  let tk;
  let delay = BACKOFF_MIN;
  for (;;) {
    try {
      tk = await api.ticket(token);
      break;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
        await showNotFound();
        return;
      }
      showError(err);
      await new Promise((r) => { ui.retryNow = r; setTimeout(r, jitter(delay)); });
      delay = Math.min(BACKOFF_MAX, delay * 2);
    }
  }
  // The language chosen at the kiosk, unless this phone chose one here.
  if (!load(LANG_KEY) && !new URLSearchParams(location.search).get('lang') && tk.lang && tk.lang !== lang() && (await isLanguage(tk.lang))) {
    await setLang(tk.lang);
    hook.lang = lang();
  }
  await loadBranch(tk.branch);
  showView('ticket');
  apply(tk, 'http');
  markReady();
  if (!FINAL.includes(tk.state)) live.start();
}

async function refresh() {
  try {
    apply(await api.ticket(token), 'http');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) showNotFound();
  }
}

function markReady() {
  if (hook.ready) return;
  hook.ready = true;
  document.body.dataset.ready = 'true';
}

// ---- live: the ticket's own channel (live.js Socket: reconnects with backoff) ----

const live = new Socket(() => api.ticketLiveURL(token), {
  onOpen: () => setConnected(true),
  onMessage: (msg) => {
    if (!msg || typeof msg.type !== 'string') return;
    const arrived = performance.now();
    applyNotices(msg);
    // The snapshot is the whole ticket; later messages only what changed.
    if (msg.ticket) apply(msg.ticket, msg.type);
    else if (msg.change && ui.ticket) apply({ ...ui.ticket, ...msg.change }, msg.type);
    else return;
    if (msg.type === 'ticket.called' && hook.calledView) hook.callLag = performance.now() - arrived;
  },
  onClose: () => setConnected(false),
  // Every third failure, ask over HTTP: the ticket may be gone (404), and
  // the page stays current even where WebSockets are blocked.
  onRetry: (attempt) => { if (attempt % 3 === 0) refresh(); },
});

function setConnected(up, quiet) {
  hook.connected = up;
  // Offline matters only while the ticket can still change.
  $('offline').hidden = up || quiet || live.stopped;
}

function stopLive() {
  live.stop();
  setConnected(false, true);
}

// ---- start ----

async function main() {
  await startLang(LANG_KEY, (code) => switchLang(code, true));
  hook.lang = lang();
  window.addEventListener('langchange', () => { hook.lang = lang(); });

  audioCtx();
  renderSound();
  $('btn-sound').addEventListener('click', () => enableSound(true));
  // Any tap unlocks sound under the browsers' autoplay rules.
  for (const ev of ['pointerdown', 'keydown', 'touchend']) {
    document.addEventListener(ev, (e) => {
      if (e.target && e.target.closest && e.target.closest('#btn-sound')) return; // its click confirms
      if (ui.audio && ui.audio.state !== 'running') enableSound(false);
    }, { passive: true });
  }
  $('btn-leave').addEventListener('click', openLeave);
  $('btn-leave-cancel').addEventListener('click', () => { closeLeave(); $('btn-leave').focus(); });
  $('btn-leave-confirm').addEventListener('click', confirmLeave);
  $('leave-dialog').addEventListener('close', () => { if (!$('btn-leave').hidden) $('btn-leave').focus(); });
  $('btn-called-ok').addEventListener('click', closeCalled);
  // Escape closes the call view like the OK button (the ticket stays called).
  $('called-view').addEventListener('cancel', (e) => { e.preventDefault(); closeCalled(); });
  $('btn-retry').addEventListener('click', () => { if (ui.retryNow) ui.retryNow(); });
  window.addEventListener('online', () => live.now());
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') live.now(); });

  if (!TOKEN_RE.test(token)) {
    await showNotFound();
    return;
  }
  await first();
}

main().catch((err) => {
  console.error(err);
  showError(err);
});
