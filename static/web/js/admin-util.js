// admin-util.js — what the administration views share: the app state, the
// API calls of the administration (API.md "Sign-in and administration"),
// status and form-error reporting, small formatting helpers.

import { t, localName, fmtNumber } from './i18n.js';
import { request, ApiError, h } from './api.js';
import { errorText as errorTextOf } from './errors.js';

export const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

/** The state every view reads: who is signed in, which branch, its settings. */
export const app = {
  user: null,          // {username, name, role, branches}
  branch: null,        // current branch id
  branches: [],        // [Branch] the user may see
  settings: null,      // {branch, services, counters} of the current branch
  rules: null,         // GET /api/v1/rules: the limits and defaults the server checks
  users: null,         // [User] of the branch (for names), or null
  hook: null,          // window.seiraAdmin
  onUnauthorized: () => {},
  navigate: () => {},
};

export const isAdmin = () => !!(app.user && app.user.role === 'admin');

const bp = (b) => `/api/v1/branches/${enc(b || app.branch)}`;
const data = (r) => r.data;

/** The administration API. Each call returns the decoded JSON (null for 204). */
export const adm = {
  branches: () => request('GET', '/api/v1/branches').then(data).then((d) => d.branches || []),
  rules: () => request('GET', '/api/v1/rules').then(data),
  createBranch: (body) => request('POST', '/api/v1/branches', { body }).then(data),
  settings: (b) => request('GET', `${bp(b)}/settings`).then(data),
  updateBranch: (body) => request('PUT', bp(), { body }).then(data),
  createService: (body) => request('POST', `${bp()}/services`, { body }).then(data),
  // A merge patch: the fields the form shows change, the others stay.
  updateService: (id, body) => request('PATCH', `${bp()}/services/${enc(id)}`, { body }).then(data),
  deleteService: (id) => request('DELETE', `${bp()}/services/${enc(id)}`).then(data),
  createCounter: (body) => request('POST', `${bp()}/counters`, { body }).then(data),
  updateCounter: (id, body) => request('PUT', `${bp()}/counters/${enc(id)}`, { body }).then(data),
  deleteCounter: (id) => request('DELETE', `${bp()}/counters/${enc(id)}`).then(data),
  overview: () => request('GET', `${bp()}/overview`).then(data),
  state: () => request('GET', `${bp()}/state`).then(data),
  branchUsers: () => request('GET', `${bp()}/users`).then(data).then((d) => d.users || []),
  allUsers: () => request('GET', '/api/v1/users').then(data).then((d) => d.users || []),
  createUser: (body) => request('POST', `${bp()}/users`, { body }).then(data),
  updateUser: (username, body) => request('PUT', `/api/v1/users/${enc(username)}`, { body }).then(data),
  deleteUser: (username) => request('DELETE', `/api/v1/users/${enc(username)}`).then(data),
  devices: () => request('GET', `${bp()}/devices`).then(data).then((d) => d.devices || []),
  createDevice: (body) => request('POST', `${bp()}/devices`, { body }).then(data),
  updateDevice: (id, body) => request('PUT', `${bp()}/devices/${enc(id)}`, { body }).then(data),
  revokeDevice: (id) => request('DELETE', `${bp()}/devices/${enc(id)}`).then(data),
  pairing: (id) => request('POST', `${bp()}/devices/${enc(id)}/pairing`).then(data),
  statsQuery: (q) => new URLSearchParams(q).toString(),
  stats: (q) => request('GET', `${bp()}/stats?${adm.statsQuery(q)}`).then(data),
  statsCSV: (q) => `${bp()}/stats?${adm.statsQuery({ ...q, format: 'csv' })}`,
  events: (since, limit) => request('GET', `${bp()}/events?since=${since}&limit=${limit}`).then(data),
  // Appointments (staff): a day's list, one, book, move, cancel; free slots.
  appointments: (date) => request('GET', `${bp()}/appointments${date ? `?date=${enc(date)}` : ''}`).then(data),
  bookAppointment: (body) => request('POST', `${bp()}/appointments`, { body }).then(data),
  moveAppointment: (code, start) => request('PATCH', `${bp()}/appointments/${enc(code)}`, { body: { start } }).then(data),
  cancelAppointment: (code) => request('DELETE', `${bp()}/appointments/${enc(code)}`).then(data),
  /** GET …/slots: {slots: [{start, end, free}], last_day} (the last day bookable now). */
  slots: (service, from, days = 1) => request('GET', `${bp()}/slots?${new URLSearchParams({ service, from, days })}`).then(data),
};

// ---- status line and errors ----

/** Shows a message in the page's status line (role=status). */
export function setStatus(text, kind = 'info') {
  const el = $('status');
  el.dataset.kind = kind;
  el.textContent = text || '';
}

// The administration's words for errors, with the server's detail
// (errors.js).
// i18n-keys: admin.appt.error.slot_full admin.appt.error.not_bookable
const ERRORS = {
  unauthenticated: 'admin.error.signed_out',
  forbidden: 'admin.error.forbidden',
  not_found: 'admin.error.not_found',
  conflict: 'admin.error.conflict',
  validation_failed: 'admin.error.validation',
  bad_request: 'admin.error.validation',
  too_large: 'admin.error.too_large',
  rate_limited: 'admin.error.rate_limited',
  slot_full: 'admin.appt.error.slot_full',
  not_bookable: 'admin.appt.error.not_bookable',
  default: 'admin.error.other',
};

/** The text of an error, in the page language, with the server's detail. */
export const errorText = (err) => errorTextOf(err, ERRORS);

/** Records err in the test hook; signs out on 401. Returns its text. */
export function reportError(err) {
  if (app.hook) {
    app.hook.lastError = err instanceof ApiError
      ? { status: err.status, code: err.code, message: err.message }
      : { status: 0, code: 'client', message: String(err && err.message ? err.message : err) };
  }
  if (err instanceof ApiError && err.status === 401) {
    app.onUnauthorized();
  }
  if (!(err instanceof ApiError)) console.error(err);
  return errorText(err);
}

/** Shows an error next to a form (an element with role=alert). */
export function showError(el, err) {
  const text = typeof err === 'string' ? err : reportError(err);
  el.textContent = text;
  el.hidden = false;
  if (typeof err !== 'string' && err && err.code) el.dataset.code = err.code;
  return text;
}

export function clearError(el) {
  el.hidden = true;
  el.textContent = '';
  delete el.dataset.code;
}

/** Clears aria-invalid marks in a form. */
export function clearInvalid(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** The visible label of a form control. */
export function labelOf(input) {
  if (input.dataset.label) return input.dataset.label;
  const l = input.labels && input.labels[0];
  return l ? l.textContent.trim() : input.id;
}

/**
 * Client-side checks: required fields that are empty and inputs that fail
 * their own constraints (number ranges, lengths). Marks them aria-invalid,
 * shows one message in errorEl and focuses the first. Returns true when
 * the form may be sent. extra is a list of [input, message] to add.
 */
export function checkForm(form, errorEl, extra = []) {
  clearInvalid(form);
  clearError(errorEl);
  const missing = [];
  const bad = [];
  for (const el of form.querySelectorAll('input, select, textarea')) {
    if (el.disabled || el.readOnly || el.closest('[hidden]')) continue;
    const empty = el.type === 'checkbox' ? false : !String(el.value).trim();
    if (el.required && empty) missing.push(el);
    else if (!empty && el.validity && !el.validity.valid) bad.push(el);
  }
  const msgs = [];
  if (missing.length) msgs.push(t('admin.error.required', { fields: missing.map(labelOf).join(', ') }));
  if (bad.length) msgs.push(t('admin.error.invalid', { fields: bad.map(labelOf).join(', ') }));
  const extraBad = [];
  for (const [el, msg] of extra) {
    if (!msg) continue;
    if (el) extraBad.push(el);
    msgs.push(msg);
  }
  const all = [...missing, ...bad, ...extraBad];
  for (const el of all) el.setAttribute('aria-invalid', 'true');
  if (msgs.length) {
    showError(errorEl, msgs.join(' '));
    if (app.hook) app.hook.lastError = { status: 0, code: 'client_validation', message: msgs.join(' ') };
    (all[0] || errorEl).focus();
    return false;
  }
  return true;
}

/** A valid id: 1–64 of a-z, 0-9, - and _ (queue.ValidID). */
export const validId = (s) => new RegExp(app.rules.id_pattern).test(s);

/**
 * Gives the forms the server's bounds: an element's data-rule-max,
 * data-rule-min or data-rule-maxlength names a rule (GET /api/v1/rules),
 * divided by a number after a slash where the form counts in other units
 * ("service_s_max/60": minutes).
 */
export function applyRules(root = document) {
  for (const attr of ['max', 'min', 'maxlength']) {
    for (const el of root.querySelectorAll(`[data-rule-${attr}]`)) {
      const [name, by] = el.dataset[`rule${attr === 'maxlength' ? 'Maxlength' : attr[0].toUpperCase() + attr.slice(1)}`].split('/');
      const v = app.rules[name];
      if (typeof v === 'number') el.setAttribute(attr, String(by ? v / Number(by) : v));
    }
  }
}

/** A {el, en} text with empty languages left out; null when all empty. */
export function textOf(el, en) {
  const o = {};
  if (el && el.trim()) o.el = el.trim();
  if (en && en.trim()) o.en = en.trim();
  return Object.keys(o).length ? o : null;
}

/** Disables a submit button while fn runs; what fn throws shows in errorEl. */
export async function busy(button, errorEl, fn) {
  if (button) button.disabled = true;
  try {
    await fn();
  } catch (ex) {
    showError(errorEl, ex);
  } finally {
    if (button) button.disabled = false;
  }
}

/** Runs fn (a row's action); what it throws shows in the status line. */
export async function orStatus(fn) {
  try {
    await fn();
  } catch (ex) {
    setStatus(reportError(ex), 'error');
  }
}

/** A change went through: says so in the status line, forgets the last error. */
export function reportSaved(text) {
  setStatus(text, 'ok');
  if (app.hook) app.hook.lastError = null;
}

/** Opens an edit form afresh (no error, no invalid marks) and focuses first. */
export function showForm(form, errorEl, first) {
  clearError(errorEl);
  clearInvalid(form);
  form.hidden = false;
  form.scrollIntoView({ block: 'nearest' });
  first.focus();
}

/** Focuses the Edit button of row id in a table body, else fallback (if any). */
export function focusEdit(tbody, id, fallback) {
  const btn = id ? tbody.querySelector(`button[data-edit="${CSS.escape(id)}"]`) : null;
  if (btn || fallback) (btn || fallback).focus();
}

// ---- formatting ----

/** Seconds as a clock: 0:16, 12:05, 1:02:09; "—" for null. */
export function fmtSecs(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return '—';
  const v = Math.max(0, Math.round(s));
  const hh = Math.floor(v / 3600);
  const mm = Math.floor((v % 3600) / 60);
  const ss = String(v % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** 0.8 → "80 %". */
export function fmtPercent(x) {
  if (x === null || x === undefined) return '—';
  try {
    return new Intl.NumberFormat(document.documentElement.lang || 'el', { style: 'percent', maximumFractionDigits: 0 }).format(x);
  } catch {
    return `${Math.round(x * 100)} %`;
  }
}

export const num = (n) => (n === null || n === undefined ? '—' : fmtNumber(n));

/** Names of services, counters and users of the current branch. */
export function serviceName(id) {
  const s = app.settings && app.settings.services.find((x) => x.id === id);
  return s ? localName(s.name) : id;
}
export function counterName(id) {
  const c = app.settings && app.settings.counters.find((x) => x.id === id);
  return c ? localName(c.name) : id;
}
export function userName(username) {
  const u = app.users && app.users.find((x) => x.username === username);
  return u && u.name ? u.name : username;
}
export function branchName(id) {
  const b = app.branches.find((x) => x.id === id);
  return b ? localName(b.name) : id;
}

/** Loads the current branch's settings (services and counters) if needed. */
export async function ensureSettings(force = false) {
  if (!force && app.settings && app.settings.branch.id === app.branch) return app.settings;
  app.settings = await adm.settings(app.branch);
  return app.settings;
}

/** Loads the branch's users (for names) if allowed; errors are ignored. */
export async function ensureUsers(force = false) {
  if (!force && app.users) return app.users;
  try {
    // Administrators see every user (admins work in no branch).
    app.users = isAdmin() ? await adm.allUsers() : await adm.branchUsers();
  } catch {
    app.users = app.users || [];
  }
  return app.users;
}

/** A status pill. */
export function pill(text, attrs = {}) {
  return h('span', { class: 'pill', ...attrs }, text);
}

/** A small button for table rows. */
export function rowButton(text, onclick, { class: cls = '', ...rest } = {}) {
  return h('button', { type: 'button', class: `btn btn-sm ${cls}`.trim(), ...rest, onclick }, text);
}

/** Copies text to the clipboard (with a fallback for plain-HTTP pages). */
export async function copyText(text, fallbackInput) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* try the fallback */ }
  try {
    const el = fallbackInput || h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true' }, text);
    if (!fallbackInput) document.body.append(el);
    el.select();
    const ok = document.execCommand('copy');
    if (!fallbackInput) el.remove();
    return ok;
  } catch {
    return false;
  }
}

/** Today's date (YYYY-MM-DD) in time zone tz. */
export function todayIn(tz) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/** A YYYY-MM-DD day as a Date at noon UTC (safe for formatting the day). */
export const dayDate = (day) => new Date(`${day}T12:00:00Z`);

/** Ask before something irreversible. */
export function confirmAction(text) {
  return window.confirm(text);
}
