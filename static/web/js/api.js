// api.js — the HTTP side of the seira contract (API.md): fetch with the
// session cookie, the CSRF header on writes, Idempotency-Key for tickets, and
// errors as ApiError {status, code, message} (status 0 / code "network" when
// the server could not be reached).

export class ApiError extends Error {
  constructor(status, code, message, detail = null) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    // detail is the whole error object: fields a page acts on beside the
    // code and message (a check-in's "come_back_at", "ticket").
    this.detail = detail;
  }
  get network() { return this.status === 0; }
}

let csrfToken = '';

/** Sets the CSRF token (from /login or /me) sent with every write. */
export function setCsrf(token) { csrfToken = token || ''; }

/**
 * The last segment of the page path: the branch of /kiosk/{branch}, the
 * token of /t/{token}.
 */
export function lastPathSegment() {
  const segs = location.pathname.split('/').filter(Boolean);
  try {
    return decodeURIComponent(segs[segs.length - 1] || '');
  } catch {
    return segs[segs.length - 1] || '';
  }
}

/** The branch id: the last segment of the page path (/kiosk/{branch}). */
export const branchFromPath = lastPathSegment;

/** A fresh random key (UUID v4); works outside secure contexts too. */
export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') {
    try { return crypto.randomUUID(); } catch { /* insecure context */ }
  }
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const enc = encodeURIComponent;

/**
 * request(method, path, {body, idempotencyKey, timeoutMs}) →
 * {status, data} (data null for 204); throws ApiError.
 */
export async function request(method, path, { body, idempotencyKey, timeoutMs = 15000 } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: ctl.signal,
    });
  } catch (err) {
    throw new ApiError(0, 'network', String(err && err.message ? err.message : err));
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 204) return { status: 204, data: null };
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : {};
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e);
  }
  return { status: res.status, data };
}

const branchPath = (b) => `/api/v1/branches/${enc(b)}`;

export const api = {
  state: (b) => request('GET', `${branchPath(b)}/state`).then((r) => r.data),
  services: (b) => request('GET', `${branchPath(b)}/services`).then((r) => r.data.services),
  /** GET /me: {user|device, csrf_token}; sets the CSRF token. Throws 401. */
  me: async () => {
    const { data } = await request('GET', '/api/v1/me');
    setCsrf(data && data.csrf_token);
    return data;
  },
  login: async (username, password) => {
    const { data } = await request('POST', '/api/v1/login', { body: { username, password } });
    setCsrf(data && data.csrf_token);
    return data;
  },
  logout: async () => {
    try {
      await request('POST', '/api/v1/logout');
    } finally {
      setCsrf('');
    }
  },
  issueTicket: (b, { service, priority, lang }, key) =>
    request('POST', `${branchPath(b)}/tickets`, { body: { service, priority, lang }, idempotencyKey: key }).then((r) => r.data),
  qrURL: (token) => `/api/v1/tickets/${enc(token)}/qr.png`,
  /** GET /tickets/{token}: the holder's view of a ticket. */
  ticket: (token) => request('GET', `/api/v1/tickets/${enc(token)}`).then((r) => r.data),
  /** DELETE /tickets/{token}: cancel while waiting (409 otherwise). */
  cancelTicket: (token) => request('DELETE', `/api/v1/tickets/${enc(token)}`).then((r) => r.data),
  /** The WebSocket URL of a ticket's live channel. */
  ticketLiveURL: (token) => `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/tickets/${enc(token)}/live`,
  /**
   * The spoken announcement of a call (chime, then Greek, then English by
   * default; langs picks others, e.g. ["en", "el"]).
   */
  announceURL: (b, number, counter, langs) => {
    const q = new URLSearchParams({ number, counter });
    if (langs && langs.length) q.set('langs', langs.join(','));
    return `${branchPath(b)}/announce.wav?${q}`;
  },
  /** POST …/counters/{c}/{action}: {status, data}. */
  counter: (b, c, action, body) => request('POST', `${branchPath(b)}/counters/${enc(c)}/${action}`, { body }),
};

/** Waits ms milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Creates an element: h('button', {class: 'x', dataset: {a: 1}}, child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
