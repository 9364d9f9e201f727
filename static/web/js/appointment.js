// appointment.js — the holder's page of an appointment at /a/{token} (the
// link given at booking): the service, the day and time, the state, the
// code and its QR code for the kiosk; move it to another free time of the
// same service, or cancel it, each after a confirmation.
//
// Test hook: window.seiraAppt = {
//   ready,     // the appointment (or the not-found page) is shown
//   view,      // "loading" | "appt" | "notfound" | "error"
//   lang,      // page language
//   state,     // "booked" | "checked_in" | "cancelled" | "no_show" | "done"; null before load
//   start,     // the appointment's start as the server gave it
//   code,      // its code
//   notFound,  // the link is not valid (404, or not a token)
//   moving,    // the move panel is open
//   picked,    // the new start picked in the move panel, or null
//   slots,     // the move panel's picker: {loading, from, day, loads}, or null
//   busy,      // a move or cancel request is under way
//   error,     // the last error code, or null
// }
//
// Element ids / test ids:
//   #lang-switch button[data-lang], #branch-name
//   #view-appt, #appt-state[data-state], #appt-detail, #appt-code[data-code], #appt-qr,
//     #appt-service, #appt-date, #appt-time, #appt-contact, #appt-notice, #appt-error,
//     #appt-onday, #btn-move, #btn-cancel
//   #move-panel, #picker (see book.js), #move-error, #btn-move-confirm, #btn-move-cancel
//   #cancel-dialog (<dialog>), #cancel-text, #cancel-error, #btn-cancel-confirm, #btn-cancel-keep
//   #not-found, #view-error, #btn-retry

import { t, lang, setLang, startLang, isLanguage, localName } from './i18n.js';
import { lastPathSegment, ApiError } from './api.js';
import { errorKey } from './errors.js';
import { openDialog, closeDialog } from './dialog.js';
import {
  bookingApi, branchInfo, SlotPicker, dayOf, fmtLongDay, fmtClock, fmtSpan, onDayText, showCode, showQR,
} from './book.js';

const $ = (id) => document.getElementById(id);
const LANG_KEY = 'seira.lang.appt';
const TOKEN_RE = /^[A-Za-z0-9_-]{16,200}$/;

const token = lastPathSegment();

const hook = (window.seiraAppt = {
  ready: false, view: 'loading', lang: 'el', state: null, start: null, code: null, notFound: false,
  moving: false, picked: null, slots: null, busy: false, error: null,
});

const ui = {
  appt: null,
  branch: null,
  today: null,
  picker: null,
  picked: null,       // the slot picked in the move panel
  notice: null,       // {key, params} of the last change made here
  errorKey: null,     // the page's error line (outside the panel and dialog)
  moveErrorKey: null,
  cancelErrorKey: null,
};

const VIEWS = { loading: 'view-loading', appt: 'view-appt', notfound: 'not-found', error: 'view-error' };

function showView(name) {
  hook.view = name;
  for (const [n, id] of Object.entries(VIEWS)) $(id).hidden = n !== name;
}

function store(key, value) {
  try { localStorage.setItem(key, value); } catch { /* storage unavailable */ }
}
function stored(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

function syncHook() {
  const a = ui.appt;
  const p = ui.picker;
  Object.assign(hook, {
    lang: lang(), state: a ? a.state : null, start: a ? a.start : null, code: a ? a.code : null,
    moving: !$('move-panel').hidden, picked: ui.picked ? ui.picked.start : null,
    slots: p ? { loading: p.loading, from: p.from, day: p.day, loads: p.loads } : null,
  });
}

// ---- rendering ----

// i18n-keys: appt.state.booked appt.state.checked_in appt.state.cancelled appt.state.no_show appt.state.done
// i18n-keys: appt.detail.checked_in appt.detail.cancelled appt.detail.no_show appt.detail.done
function render() {
  $('branch-name').textContent = ui.branch ? localName(ui.branch.name) : '';
  const a = ui.appt;
  if (hook.view === 'notfound') document.title = t('appt.not_found_title');
  if (!a) {
    if (hook.view !== 'notfound') document.title = t('appt.title');
    syncHook();
    return;
  }
  const booked = a.state === 'booked';
  document.title = `${fmtLongDay(a.start, { year: false })} ${fmtClock(a.start)} · ${t('appt.title')}`;
  const st = $('appt-state');
  st.textContent = t(`appt.state.${a.state}`, null, { fallback: a.state });
  st.dataset.state = a.state;
  const detail = booked ? '' : t(`appt.detail.${a.state}`, { ticket: a.ticket || '' }, { fallback: '' });
  $('appt-detail').textContent = detail;
  $('appt-detail').hidden = !detail;

  showCode($('appt-code'), a.code);
  // The QR code is for checking in: only while that can still happen.
  const qr = $('appt-qr');
  qr.hidden = !booked;
  if (booked) showQR(qr, a.token, a.code);
  $('appt-service').textContent = localName(a.service_name) || a.service;
  $('appt-date').textContent = fmtLongDay(a.start);
  $('appt-time').textContent = fmtSpan(a.start, a.end);
  const c = $('appt-contact');
  c.hidden = !(a.contact && booked);
  c.textContent = a.contact ? t('book.contact_kept', { contact: a.contact }) : '';

  $('appt-onday').hidden = !booked;
  if (booked) $('onday-text').textContent = onDayText(a);
  $('appt-actions').hidden = !booked;
  if (!booked) closeMove(false);

  const n = $('appt-notice');
  n.hidden = !ui.notice;
  if (ui.notice) n.textContent = t(ui.notice.key, ui.notice.params ? ui.notice.params() : null);
  const e = $('appt-error');
  e.hidden = !ui.errorKey;
  e.textContent = ui.errorKey ? t(ui.errorKey) : '';

  renderMove();
  renderCancel();
  syncHook();
}

function renderMove() {
  if (ui.picker) ui.picker.render();
  const btn = $('btn-move-confirm');
  btn.disabled = !ui.picked || hook.busy;
  btn.textContent = ui.picked
    ? t('appt.move_confirm', { date: fmtLongDay(ui.picked.start, { year: false }), time: fmtClock(ui.picked.start) })
    : t('appt.move_pick_first');
  const e = $('move-error');
  e.hidden = !ui.moveErrorKey;
  e.textContent = ui.moveErrorKey ? t(ui.moveErrorKey) : '';
}

function renderCancel() {
  const a = ui.appt;
  if (a) $('cancel-text').textContent = t('appt.cancel_text', { date: fmtLongDay(a.start, { year: false }), time: fmtClock(a.start) });
  const e = $('cancel-error');
  e.hidden = !ui.cancelErrorKey;
  e.textContent = ui.cancelErrorKey ? t(ui.cancelErrorKey) : '';
}

/** Takes a new view of the appointment from the server. */
function apply(a) {
  if (!a || typeof a !== 'object' || !a.state) return;
  ui.appt = a;
  render();
}

// ---- moving ----

async function openMove() {
  if (!ui.appt || ui.appt.state !== 'booked') return;
  ui.picked = null;
  ui.moveErrorKey = null;
  ui.notice = null;
  ui.errorKey = null;
  $('move-panel').hidden = false;
  $('btn-move').setAttribute('aria-expanded', 'true');
  render();
  $('move-title').focus();
  if (!ui.today) {
    try {
      const info = await branchInfo(ui.appt.branch);
      ui.branch = info.branch;
      ui.today = info.today;
    } catch (err) {
      ui.moveErrorKey = errorKey(err);
      renderMove();
      return;
    }
  }
  ui.picker = new SlotPicker($('picker'), {
    branch: ui.appt.branch, service: ui.appt.service, prefix: 'move', current: ui.appt.start,
    onPick: (slot) => { ui.picked = slot; if (slot) ui.moveErrorKey = null; renderMove(); syncHook(); },
    onChange: syncHook,
  });
  const day = dayOf(ui.appt.start);
  await ui.picker.open(ui.today, day >= ui.today ? day : ui.today);
  syncHook();
}

function closeMove(focus) {
  const panel = $('move-panel');
  if (panel.hidden) return;
  panel.hidden = true;
  $('btn-move').setAttribute('aria-expanded', 'false');
  ui.picker = null;
  ui.picked = null;
  ui.moveErrorKey = null;
  $('picker').replaceChildren();
  if (focus) $('btn-move').focus();
}

// i18n-keys: appt.error.slot_full appt.error.not_bookable appt.error.state appt.moved appt.cancelled
const MOVE_ERRORS = { slot_full: 'appt.error.slot_full', not_bookable: 'appt.error.not_bookable', conflict: 'appt.error.state' };

async function confirmMove() {
  if (hook.busy || !ui.picked) return;
  hook.busy = true;
  ui.moveErrorKey = null;
  renderMove();
  try {
    const a = await bookingApi.move(token, ui.picked.start);
    hook.error = null;
    hook.busy = false;
    closeMove(false);
    ui.notice = { key: 'appt.moved', params: () => ({ date: fmtLongDay(a.start, { year: false }), time: fmtClock(a.start) }) };
    apply(a);
    $('appt-notice').focus();
  } catch (err) {
    hook.busy = false;
    hook.error = err instanceof ApiError ? err.code : 'generic';
    if (err instanceof ApiError && err.status === 404) {
      await showNotFound();
      return;
    }
    ui.moveErrorKey = errorKey(err, MOVE_ERRORS);
    if (err instanceof ApiError && (err.code === 'slot_full' || err.code === 'not_bookable')) {
      ui.picked = null;
      ui.picker.refresh().then(syncHook);
    }
    renderMove();
    $('move-error').focus();
    if (err instanceof ApiError && err.code === 'conflict') refresh();
  } finally {
    syncHook();
  }
}

// ---- cancelling ----

function openCancel() {
  if (!ui.appt || ui.appt.state !== 'booked') return;
  ui.cancelErrorKey = null;
  renderCancel();
  $('btn-cancel-confirm').disabled = false;
  openDialog($('cancel-dialog'));
  $('btn-cancel-keep').focus();
}

function closeCancel() {
  closeDialog($('cancel-dialog'));
}

// i18n-keys: appt.error.cancel_state
async function confirmCancel() {
  if (hook.busy) return;
  hook.busy = true;
  $('btn-cancel-confirm').disabled = true;
  ui.cancelErrorKey = null;
  renderCancel();
  try {
    const a = await bookingApi.cancel(token);
    hook.error = null;
    hook.busy = false;
    closeCancel();
    ui.notice = { key: 'appt.cancelled' };
    apply(a);
    $('appt-state').focus();
  } catch (err) {
    hook.busy = false;
    hook.error = err instanceof ApiError ? err.code : 'generic';
    if (err instanceof ApiError && err.status === 404) {
      closeCancel();
      await showNotFound();
      return;
    }
    ui.cancelErrorKey = errorKey(err, { conflict: 'appt.error.cancel_state' });
    renderCancel();
    $('btn-cancel-confirm').disabled = false;
    // Checked in (or over) meanwhile: show it as it is.
    if (err instanceof ApiError && err.status === 409) refresh();
  } finally {
    syncHook();
  }
}

// ---- loading ----

async function showNotFound() {
  showView('notfound');
  hook.notFound = true;
  ui.appt = null;
  closeMove(false);
  await setLang(lang(), { secondary: lang() === 'el' ? 'en' : 'el' });
  render();
  markReady();
}

function showError(err) {
  hook.error = err instanceof ApiError ? err.code : 'generic';
  $('error-message').textContent = t(errorKey(err));
  showView('error');
  markReady();
}

async function load() {
  showView('loading');
  let a;
  try {
    a = await bookingApi.appointment(token);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
      await showNotFound();
      return;
    }
    showError(err);
    return;
  }
  // The language booked in, unless this browser chose one here.
  if (!stored(LANG_KEY) && !new URLSearchParams(location.search).get('lang') && a.lang && a.lang !== lang() && (await isLanguage(a.lang))) {
    await setLang(a.lang);
  }
  try {
    const info = await branchInfo(a.branch);
    ui.branch = info.branch;
    ui.today = info.today;
  } catch { /* the name is a nicety; moving asks again */ }
  showView('appt');
  apply(a);
  markReady();
}

async function refresh() {
  try {
    apply(await bookingApi.appointment(token));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) showNotFound();
  }
}

function markReady() {
  if (hook.ready) return;
  hook.ready = true;
  document.body.dataset.ready = 'true';
}

async function main() {
  await startLang(LANG_KEY, async (code) => {
    await setLang(code, hook.view === 'notfound' ? { secondary: code === 'el' ? 'en' : 'el' } : {});
    store(LANG_KEY, lang());
  });
  window.addEventListener('langchange', render);
  $('btn-move').addEventListener('click', () => ($('move-panel').hidden ? openMove() : closeMove(true)));
  $('btn-move-cancel').addEventListener('click', () => closeMove(true));
  $('btn-move-confirm').addEventListener('click', confirmMove);
  $('btn-cancel').addEventListener('click', openCancel);
  $('btn-cancel-keep').addEventListener('click', closeCancel);
  $('btn-cancel-confirm').addEventListener('click', confirmCancel);
  $('cancel-dialog').addEventListener('close', () => {
    if (!$('appt-actions').hidden) $('btn-cancel').focus();
    else if (hook.view === 'appt') $('appt-state').focus();
  });
  $('btn-retry').addEventListener('click', load);

  if (!TOKEN_RE.test(token)) {
    await showNotFound();
    return;
  }
  await load();
}

main().catch((err) => {
  console.error(err);
  showError(err);
});
