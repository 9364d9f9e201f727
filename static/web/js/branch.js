// branch.js — the office's public page at /b/{branch}: each open service
// with the people waiting and the wait a number taken now would have,
// read again every 20 s; where the service allows it, "join the queue"
// solves the server's proof of work (pow.js), takes a number from home and
// goes to its ticket page /t/{token}, which says when to be there.
//
// Words are honest: a service nobody serves has no estimate (never "no
// wait"), a closed one says closed.
//
// Test hook: window.seiraBranch = {
//   ready,     // the list (or the error view) is shown
//   view,      // "loading" | "list" | "error"
//   lang,      // page language
//   services,  // [{id, waiting, estimate, open, remote}] as last read
//   refreshes, // how many reads of the services have finished
//   joining,   // the service id being joined, or null
//   error,     // the last error code (remote_closed's reason when it has one), or null
// }
//
// Element ids / test ids:
//   #lang-switch button[data-lang], #branch-name, #offline
//   #view-loading, #view-list, #view-error, #btn-retry, #error-message
//   #rq-services li[data-service] (.rq-waiting, .rq-wait, button[data-join])
//   #rq-error (why a join failed), #rq-none, #rq-updated, #rq-status (role=status)

import { t, tn, lang, setLang, startLang, localName, setTimeZone, fmtTime, fmtWait } from './i18n.js';
import { api, request, lastPathSegment, ApiError, h } from './api.js';
import { errorKey } from './errors.js';
import { solve } from './pow.js';

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;
const branch = lastPathSegment();
const LANG_KEY = 'seira.lang.branch';
const REFRESH_MS = 20000;

const hook = (window.seiraBranch = {
  ready: false, view: 'loading', lang: null, services: [], refreshes: 0, joining: null, error: null,
});

const ui = {
  branch: null,
  services: [],
  readAt: null,
  errorKey: null,
  timer: null,
  online: true,
};

// The catalogue keys of the join's failures.
// i18n-keys: remote.reason.not_allowed remote.reason.closed remote.reason.closing_soon remote.reason.cap_reached remote.reason.unstaffed
const REASONS = ['not_allowed', 'closed', 'closing_soon', 'cap_reached', 'unstaffed'];
const JOIN_ERRORS = {
  challenge: 'remote.error.challenge',
  rate_limited: 'remote.error.rate_limited',
  not_found: 'remote.reason.not_allowed',
  service_closed: 'remote.reason.closed',
};

function showView(name) {
  for (const v of ['loading', 'list', 'error']) $(`view-${v}`).hidden = v !== name;
  hook.view = name;
}

function say(text) {
  const el = $('rq-status');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

// ---- drawing ----

function waitWords(s) {
  if (!s.open) return t('remote.closed');
  // null: no counter serving it is open or paused, so there is no
  // estimate: say so, never "no wait".
  if (s.estimated_wait_s === null || s.estimated_wait_s === undefined) return t('remote.no_estimate');
  return fmtWait(s.estimated_wait_s, { ahead: s.waiting || 0 });
}

function serviceItem(s) {
  const name = localName(s.name) || s.id;
  const titleId = `rq-svc-${s.id}`;
  const joining = hook.joining === s.id;
  const facts = h('dl', { class: 'rq-facts' },
    h('div', { class: 'rq-fact' }, h('dt', null, t('remote.waiting_label')),
      h('dd', { class: 'rq-waiting', 'data-testid': `waiting-${s.id}` }, tn('remote.waiting', s.waiting || 0))),
    h('div', { class: 'rq-fact' }, h('dt', null, t('remote.estimate_label')),
      h('dd', { class: 'rq-wait', 'data-testid': `wait-${s.id}` }, waitWords(s))));
  let action;
  if (s.open && s.remote_join) {
    action = h('button', {
      type: 'button', class: 'btn btn-primary rq-join', 'data-join': s.id, 'data-testid': `join-${s.id}`,
      'aria-describedby': titleId, disabled: hook.joining !== null,
      onclick: () => join(s),
    }, joining ? t('remote.joining') : t('remote.join'));
  } else if (s.open) {
    action = h('p', { class: 'rq-note' }, t('remote.at_office'));
  }
  return h('li', { class: 'rq-service', 'data-service': s.id, 'data-open': String(!!s.open), 'data-remote': String(!!s.remote_join) },
    h('h2', { id: titleId, class: 'rq-name' }, name),
    facts,
    s.open && s.after_closing ? h('p', { class: 'rq-note' }, t('remote.after_closing')) : null,
    action);
}

function render() {
  $('branch-name').textContent = ui.branch ? localName(ui.branch.name) : '';
  document.title = ui.branch ? `${localName(ui.branch.name)} · ${t('remote.title')}` : t('remote.title');
  hook.lang = lang();
  if (hook.view !== 'list') return;
  // Redrawing would move the focus off a join button: keep it where it was.
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.join : null;
  $('rq-services').replaceChildren(...ui.services.map(serviceItem));
  if (focused) {
    const again = document.querySelector(`button[data-join="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  $('rq-none').hidden = ui.services.length > 0;
  $('rq-updated').textContent = ui.readAt ? t('remote.updated', { time: fmtTime(ui.readAt, { seconds: false }) }) : '';
  const err = $('rq-error');
  err.hidden = !ui.errorKey;
  err.textContent = ui.errorKey ? t(ui.errorKey) : '';
}

// ---- reading ----

async function refresh() {
  try {
    const list = await api.services(branch);
    ui.services = (list || []).filter((s) => s.open || s.waiting > 0 || s.remote_join);
    ui.readAt = new Date();
    ui.online = true;
    $('offline').hidden = true;
    hook.services = ui.services.map((s) => ({
      id: s.id, waiting: s.waiting, estimate: s.estimated_wait_s ?? null, open: !!s.open, remote: !!s.remote_join,
    }));
  } catch (err) {
    // Keep what was shown, marked offline: an old figure with its time
    // beside it, not a blank page.
    ui.online = false;
    $('offline').hidden = !(err instanceof ApiError && err.network);
  } finally {
    hook.refreshes++;
    render();
  }
}

function schedule() {
  clearTimeout(ui.timer);
  ui.timer = setTimeout(async () => {
    if (!document.hidden) await refresh();
    schedule();
  }, REFRESH_MS);
}

// ---- joining ----

const remotePath = `/api/v1/branches/${enc(branch)}/remote-tickets`;

async function takeNumber(s) {
  const ch = (await request('GET', `${remotePath}/challenge`)).data;
  const nonce = await solve(ch.challenge, ch.difficulty);
  const post = () => request('POST', remotePath, { body: { service: s.id, lang: lang(), challenge: ch.challenge, nonce } });
  try {
    return (await post()).data;
  } catch (err) {
    // A browser signed in as staff needs its CSRF token: fetch it once.
    if (!(err instanceof ApiError && err.status === 403)) throw err;
    await api.me().catch(() => {});
    return (await post()).data;
  }
}

async function join(s) {
  if (hook.joining) return;
  hook.joining = s.id;
  hook.error = null;
  ui.errorKey = null;
  render();
  say(t('remote.joining'));
  try {
    let tk;
    try {
      tk = await takeNumber(s);
    } catch (err) {
      // A challenge that expired while the phone slept: once more, fresh.
      if (!(err instanceof ApiError && err.code === 'challenge')) throw err;
      tk = await takeNumber(s);
    }
    hook.error = null;
    location.assign(`/t/${enc(tk.token)}`);
    return;
  } catch (err) {
    const reason = err instanceof ApiError && err.detail && REASONS.includes(err.detail.reason) ? err.detail.reason : null;
    hook.error = reason || (err instanceof ApiError ? err.code : 'generic');
    ui.errorKey = reason ? `remote.reason.${reason}` : errorKey(err, JOIN_ERRORS);
    hook.joining = null;
    await refresh();
    $('rq-error').focus();
  }
}

// ---- start ----

async function load() {
  showView('loading');
  try {
    const st = await api.state(branch);
    ui.branch = st.branch || null;
    if (ui.branch && ui.branch.time_zone) setTimeZone(ui.branch.time_zone);
    showView('list');
    await refresh();
    schedule();
  } catch (err) {
    hook.error = err instanceof ApiError ? err.code : 'generic';
    $('error-message').textContent = t(errorKey(err, { not_found: 'remote.error.no_branch' }));
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
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && hook.view === 'list') refresh();
  });
  $('btn-retry').addEventListener('click', load);
  await load();
}

main().catch((err) => {
  console.error(err);
  showView('error');
});
