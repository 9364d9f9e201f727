// admin.js — the administration pages at /admin and /admin/{view}.
//
// Routes: /admin/{view}?branch={id}; /admin#view works too. Views: overview,
// appointments, settings, users, devices, tokens, stats, audit, webhooks, announcements, branches, ops (administrators).
// The chosen branch is remembered in localStorage "seira.admin.branch", the
// language in "seira.lang.admin".
//
// Test hook: window.seiraAdmin = {
//   ready,      // true once the current view has shown its data (false while it loads)
//   view,       // "loading" | "login" | "clerk" | "overview" | "appointments" | "settings" | "users"
//               // | "devices" | "stats" | "audit" | "branches" | "ops"
//   branch,     // the current branch id, or null
//   user,       // the signed-in username, or null
//   lastError,  // {status, code, message} of the last failed request or client-side check, or null
//   connected,  // overview: the live socket is up
//   statsRows,  // statistics: rows in the last report
//   apptRows,   // appointments: rows of the day shown
//   tokenRows,  // API tokens: rows in the list
// }
//
// Element ids:
//   header: #branch-select, #user-name, #lang-switch button[data-lang], #btn-logout,
//     #nav a[data-view] (#nav-overview … #nav-ops, aria-current="page"), #status (data-kind), #offline
//   sign-in: #login-form, #login-username, #login-password, #btn-login, #login-error
//   clerk: #view-clerk, #clerk-counter-link
//   every view: section#view-{view}, its h1 (#ov-title, #set-title, …) takes focus on navigation
//   overview: #ov-day, #ov-updated, #ov-issued, #ov-served, #ov-noshow, #ov-waiting, #ov-longest,
//     #ov-median, #ov-within, #ov-services-body tr[data-service], #ov-counters-body tr[data-counter]
//     (td[data-called-at] ticks)
//   settings: #branch-form (#br-name-el, #br-name-en, #br-tz, #br-cap, #br-retention, #br-prio-list
//     input[value], #br-prio-extra, #br-hours-on, #br-hours fieldset[data-day] (#hr-{day}-{i}-from/-to,
//     #hr-{day}-add), #btn-hours-copy, #br-msg-el, #br-msg-en, #btn-branch-save, #branch-error);
//     services: #btn-svc-new, #svc-form (#svc-id, #svc-name-el, #svc-name-en, #svc-prefix, #svc-order,
//     #svc-default [min], #svc-limit, #svc-target [min], #svc-open, #btn-svc-save, #btn-svc-cancel,
//     #svc-error), #svc-body tr[data-service] button[data-edit|data-delete];
//     counters: #btn-ctr-new, #ctr-form (#ctr-id, #ctr-name-el, #ctr-name-en, #ctr-serves
//     li[data-service] (#ctr-sv-{id} checkbox, #ctr-up-{id}, #ctr-down-{id}), #btn-ctr-save,
//     #btn-ctr-cancel, #ctr-error), #ctr-body tr[data-counter] button[data-edit|data-delete]
//   users: #users-scope (administrators), #btn-user-new, #user-form (#user-username, #user-fullname,
//     #user-role, #user-password, #user-branches input[value], #user-disabled, #btn-user-save,
//     #btn-user-cancel, #user-error), #users-body tr[data-user] button[data-edit|data-delete]
//   devices: #dev-create-form (#dev-kind, #dev-name, #btn-dev-create, #dev-create-error),
//     #dev-secret (#dev-token, #btn-copy-token, #dev-pairing-link, #btn-copy-pairing,
//     #dev-pairing-expires, #btn-secret-close), #dev-form (#dev-edit-name, #dev-printer-on,
//     #dev-printer-addr, #dev-printer-cp, #dev-printer-width, #btn-dev-save, #btn-dev-cancel,
//     #dev-error), #dev-body tr[data-device] button[data-edit|data-pair|data-revoke]
//   appointments: #appt-day-form (#appt-date, #btn-appt-show, #btn-appt-prev, #btn-appt-today,
//     #btn-appt-next), #appt-day, #appt-count, #appt-none, #appt-error, #appt-body tr[data-code][data-state]
//     (td[data-ticket], button[data-move|data-cancel] while booked), #btn-appt-new → #appt-book-form
//     (#appt-book-service, #appt-book-date, #appt-book-slot, #appt-book-lang, #appt-book-contact,
//     #btn-appt-book, #btn-appt-book-cancel, #appt-book-error) → #appt-booked[data-code];
//     #appt-move-form (#appt-move-date, #appt-move-slot, #btn-appt-move, #btn-appt-move-cancel, #appt-move-error)
//   settings, appointments: the service form's #svc-appt-on, #svc-appt-slot, #svc-appt-per, #svc-appt-days,
//     #svc-appt-early, #svc-appt-late; the branch form's #br-appt-cap, #br-closed-list li[data-date]
//     (button: remove), #br-closed-date, #btn-closed-add
//   stats: #stats-form (#stats-from, #stats-to, #stats-by, #btn-stats), #stats-csv, #stats-error,
//     #stats-result, #stats-empty, #stats-table (#stats-body tr[data-key], #stats-foot),
//     #chart-counts svg#svg-counts, #chart-wait svg#svg-wait
//   audit: #audit-form (#audit-filter, #audit-search, #audit-limit, #btn-audit-refresh),
//     #audit-count, #audit-body tr[data-seq][data-type][data-category], #btn-audit-older
//   branches: #branches-body tr[data-branch] button[data-open], #branch-create-form (#nb-id,
//     #nb-name-el, #nb-name-en, #nb-tz, #nb-copy, #btn-nb-create, #nb-error)
//   tokens: #tok-create-form (#tok-name, #tok-branch, #tok-scopes input[value], #btn-tok-create,
//     #tok-create-error), #tok-secret (#tok-secret-value, #btn-tok-copy, #btn-tok-secret-done), #tok-none,
//     #tok-body tr[data-token][data-revoked] (td[data-last-used], button[data-revoke]),
//     #tok-revoke-dialog (#tok-revoke-text, #btn-tok-revoke-confirm, #btn-tok-revoke-keep, #tok-revoke-error)
//   webhooks: #wh-form (#wh-url, #wh-secret, #wh-events input[value], #btn-wh-create, #wh-error),
//     #wh-secret-panel (#wh-secret-value, #btn-wh-copy, #btn-wh-secret-close), #wh-none,
//     #wh-body tr[data-webhook] button[data-deliveries|data-delete], #wh-deliveries (#btn-wh-refresh,
//     #wh-del-none, #wh-del-body tr[data-delivery][data-state] button[data-replay])
//   ops: #ops-backup, #ops-metrics, #ops-healthz, #ops-readyz
//   announcements (admin-announcements.js): #notices-form (#notices-text-el, #notices-text-en,
//     #notices-minutes, #btn-notices-post, #notices-error), #notices-none, #notices-body tr[data-id]
//     button[data-withdraw]

import { t, setLang, localName, setTimeZone, startLang } from './i18n.js';
import { api, h, ApiError } from './api.js';
import { $, app, adm, isAdmin, setStatus, reportError, errorText, applyRules } from './admin-util.js';
import * as overview from './admin-overview.js';
import * as appointments from './admin-appointments.js';
import * as settings from './admin-settings.js';
import * as users from './admin-users.js';
import * as devices from './admin-devices.js';
import * as tokens from './admin-tokens.js';
import * as stats from './admin-stats.js';
import * as audit from './admin-audit.js';
import * as branches from './admin-branches.js';
import * as announcements from './admin-announcements.js';
import * as webhooks from './admin-webhooks.js';
import { signInForm, resumeSession } from './signin.js';

const ops = { init() {}, enter: async () => {}, leave() {}, render() {} };
const VIEWS = { overview, appointments, settings, users, devices, tokens, stats, audit, webhooks, branches, ops, announcements };
const VIEW_NAMES = Object.keys(VIEWS);
const PAGE_VIEWS = ['loading', 'login', 'clerk', ...VIEW_NAMES];
const TITLES = {
  overview: 'admin.nav.overview', appointments: 'admin.appt.nav', settings: 'admin.nav.settings', users: 'admin.nav.users', devices: 'admin.nav.devices',
  tokens: 'tokens.nav', stats: 'admin.nav.stats', audit: 'admin.nav.audit', webhooks: 'webhooks.nav', branches: 'admin.nav.branches', ops: 'admin.nav.ops',
  login: 'admin.login.title', clerk: 'admin.clerk.title', announcements: 'notices.nav',
};
// i18n-keys: admin.nav.overview admin.nav.settings admin.nav.users admin.nav.devices admin.nav.stats
// i18n-keys: admin.nav.audit admin.nav.branches admin.nav.ops admin.login.title admin.clerk.title admin.appt.nav tokens.nav webhooks.nav

const BRANCH_KEY = 'seira.admin.branch';
const LANG_KEY = 'seira.lang.admin';

const hook = (window.seiraAdmin = {
  ready: false, view: 'loading', branch: null, user: null, lastError: null, connected: false, statsRows: null,
  apptRows: null, tokenRows: null,
});
app.hook = hook;

let current = null; // the view shown
let routeSeq = 0;

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
  } catch { /* storage unavailable */ }
}
function load(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

// ---- page chrome ----

function showPage(name) {
  for (const v of PAGE_VIEWS) $(`view-${v}`).hidden = v !== name;
  hook.view = name;
  document.body.dataset.view = name;
  const staff = !!app.user && app.user.role !== 'clerk' && VIEW_NAMES.includes(name);
  $('nav').hidden = !staff;
  $('branch-picker').hidden = !staff || !app.branches.length;
  $('btn-logout').hidden = !app.user;
  $('user-name').hidden = !app.user;
  for (const a of $('nav').querySelectorAll('a[data-view]')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  updateTitle();
}

function updateTitle() {
  const parts = [];
  const key = TITLES[hook.view];
  if (key) parts.push(t(key));
  if (app.branch && VIEW_NAMES.includes(hook.view) && hook.view !== 'ops') {
    const b = app.branches.find((x) => x.id === app.branch);
    if (b) parts.push(localName(b.name));
  }
  parts.push(t('admin.title'));
  document.title = parts.join(' · ');
}

function navHref(view) {
  return app.branch ? `/admin/${view}?branch=${encodeURIComponent(app.branch)}` : `/admin/${view}`;
}

function renderNav() {
  for (const a of $('nav').querySelectorAll('a[data-view]')) a.href = navHref(a.dataset.view);
  $('nav-ops').hidden = !isAdmin();
}

function renderPicker() {
  const sel = $('branch-select');
  sel.replaceChildren(...app.branches.map((b) => h('option', { value: b.id, selected: b.id === app.branch }, localName(b.name))));
  $('branch-picker').hidden = !app.branches.length || !VIEW_NAMES.includes(hook.view);
}

async function pickLang(code) {
  await setLang(code);
  store(LANG_KEY, code);
  renderPicker();
  updateTitle();
  if (current && VIEWS[current].render) VIEWS[current].render();
}

function fillTimeZones() {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { zones = ['Europe/Athens', 'Europe/Nicosia', 'UTC']; }
  $('tz-list').replaceChildren(...zones.map((z) => h('option', { value: z })));
}

// ---- routing ----

function parseRoute() {
  const m = location.pathname.match(/^\/admin\/?([a-z]*)/);
  let view = m && m[1] ? m[1] : '';
  const hash = location.hash.replace(/^#\/?/, '');
  if (!view && VIEW_NAMES.includes(hash)) view = hash;
  if (!VIEW_NAMES.includes(view)) view = 'overview';
  const branch = new URLSearchParams(location.search).get('branch');
  return { view, branch };
}

/** Shows a view (pushing history unless replace), loading its data. */
function navigate(view, { replace = false, focus = true } = {}) {
  const url = navHref(view);
  if (`${location.pathname}${location.search}` !== url || location.hash) {
    history[replace ? 'replaceState' : 'pushState'](null, '', url);
  }
  return route({ focus });
}
app.navigate = navigate;

async function route({ focus = false } = {}) {
  if (!app.user || app.user.role === 'clerk') return;
  let { view } = parseRoute();
  if (view === 'ops' && !isAdmin()) view = 'overview';
  if (!app.branch && view !== 'ops') view = 'branches';
  const seq = ++routeSeq;
  if (current && VIEWS[current].leave) VIEWS[current].leave();
  current = view;
  hook.ready = false;
  hook.lastError = null;
  renderNav();
  renderPicker();
  showPage(view);
  const heading = $(`view-${view}`).querySelector('h1');
  if (focus && heading) heading.focus();
  try {
    await VIEWS[view].enter();
  } catch (err) {
    if (seq === routeSeq) setStatus(reportError(err), 'error');
  }
  if (seq === routeSeq) hook.ready = true;
}

/** Switches to branch id and shows view (the current one by default). */
async function selectBranch(id, view) {
  if (!app.branches.some((b) => b.id === id)) return;
  app.branch = id;
  app.settings = null;
  app.users = null;
  hook.branch = id;
  store(BRANCH_KEY, id);
  const b = app.branches.find((x) => x.id === id);
  setTimeZone(b && b.time_zone);
  await navigate(view || current || 'overview');
}
app.selectBranch = selectBranch;
app.onBranchesChanged = () => { renderPicker(); updateTitle(); };

// ---- sign-in ----

function showLogin(message) {
  if (current && VIEWS[current].leave) VIEWS[current].leave();
  current = null;
  app.user = null;
  app.settings = null;
  app.users = null;
  hook.user = null;
  showPage('login');
  hook.ready = true;
  const err = $('login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('login-password').value = '';
  $('login-username').focus();
}

app.onUnauthorized = () => {
  if (hook.view !== 'login') showLogin(t('admin.error.signed_out'));
};


async function signedIn(user) {
  app.user = user;
  hook.user = user.username;
  $('user-name').textContent = user.name || user.username;
  if (user.role === 'clerk') {
    const b = (user.branches || [])[0];
    const link = $('clerk-counter-link');
    link.hidden = !b;
    if (b) link.href = `/counter/${encodeURIComponent(b)}`;
    showPage('clerk');
    hook.ready = true;
    return;
  }
  hook.ready = false;
  showPage('loading');
  [app.branches, app.rules] = await Promise.all([adm.branches(), adm.rules()]);
  applyRules();
  const { branch } = parseRoute();
  const remembered = load(BRANCH_KEY);
  const has = (id) => id && app.branches.some((b) => b.id === id);
  app.branch = has(branch) ? branch : has(remembered) ? remembered : (app.branches[0] ? app.branches[0].id : null);
  hook.branch = app.branch;
  const b = app.branches.find((x) => x.id === app.branch);
  setTimeZone(b && b.time_zone);
  if (app.branch) store(BRANCH_KEY, app.branch);
  // Put the branch into the address so that it can be shared.
  const { view } = parseRoute();
  history.replaceState(null, '', navHref(view));
  await route();
}

async function logout() {
  try {
    await api.logout();
  } catch { /* signed out anyway */ }
  setStatus(t('admin.signed_out'), 'ok');
  showLogin();
}

// ---- start ----

async function main() {
  await startLang(LANG_KEY, pickLang);
  fillTimeZones();
  for (const v of Object.values(VIEWS)) v.init();

  $('login-form').addEventListener('submit', signInForm({
    keys: { missing: 'admin.login.missing', bad: 'admin.login.bad_credentials', limited: 'admin.error.rate_limited' },
    errorText, onSignedIn: signedIn,
    onFailed: (ex) => { hook.lastError = ex instanceof ApiError ? { status: ex.status, code: ex.code, message: ex.message } : null; },
  }));
  $('btn-logout').addEventListener('click', logout);
  $('branch-select').addEventListener('change', (e) => selectBranch(e.target.value));
  $('nav').addEventListener('click', (e) => {
    const a = e.target.closest('a[data-view]');
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(a.dataset.view);
  });
  window.addEventListener('popstate', () => route({ focus: true }));
  window.addEventListener('hashchange', () => {
    const v = location.hash.replace(/^#\/?/, '');
    if (VIEW_NAMES.includes(v)) navigate(v, { replace: true });
  });

  await resumeSession({ errorText, onSignedIn: signedIn, onSignedOut: showLogin });
}

main().catch((err) => {
  console.error(err);
  hook.lastError = { status: 0, code: 'client', message: String(err && err.message ? err.message : err) };
  setStatus(String(err && err.message ? err.message : err), 'error');
});
