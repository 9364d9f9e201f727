// live.js — a branch's state kept current over the live WebSocket.
//
//   const live = new Live(branch, {
//     onState(state, info)  // after every change; info = {snapshot, event}
//     onEvent(msg, state)   // each event message, after it was applied
//     onStatus(connected)   // socket up/down (show "offline")
//     onError(err)          // initial state could not be loaded (ApiError)
//     estimates: true       // keep the services' estimated waits current too
//   });
//   live.start();
//
// The state is first read over HTTP (GET /state), then the socket resumes
// with ?since=seq. Events are lean (API: what changed, by id): applyEvent
// turns them into the state, calls are prepended to recent_calls, and a
// snapshot (after a change of settings, or a resume) replaces the state. A
// gap in seq reconnects with since=last; a closed socket reconnects with
// exponential backoff (1 s → 10 s, jitter). Events carry no estimates:
// pages that show them (estimates: true) read GET /services a second after
// a burst of events, and every 30 s as estimates age.
// Socket, the reconnecting WebSocket under Live, serves other channels too
// (the ticket page's).

import { api, ApiError } from './api.js';

const MAX_RECENT = 20;
export const BACKOFF_MIN = 1000;
export const BACKOFF_MAX = 10000;

const ESTIMATES_AFTER = 1000;  // ms after a burst of events
const ESTIMATES_EVERY = 30000; // ms, as estimates age

/** Applies one lean event message to state in place. */
export function applyEvent(state, msg) {
  const service = (id) => (state.services || []).find((s) => s.id === id);
  const counter = (id) => (state.counters || []).find((c) => c.id === id);
  for (const [id, n] of Object.entries(msg.waiting || {})) { const s = service(id); if (s) s.waiting = n; }
  for (const [id, n] of Object.entries(msg.waiting_priority || {})) { const s = service(id); if (s) s.waiting_priority = n; }
  const c = counter(msg.call ? msg.call.counter : msg.counter);
  const current = c && c.current && (msg.call ? c.current.number === msg.call.number : c.current.number === msg.number);
  switch (msg.type) {
    case 'ticket.called':
    case 'ticket.recalled': {
      const call = msg.call;
      const recall = msg.type === 'ticket.recalled';
      if (c) {
        c.status = 'open';
        if (recall && current) {
          c.current.state = 'called';
          c.current.recalls = (c.current.recalls || 0) + 1;
        } else {
          c.current = { number: call.number, service: call.service, state: 'called', priority: call.priority || 'none', called_at: msg.at };
        }
      }
      const entry = { number: call.number, service: call.service, counter: call.counter, at: msg.at, recall };
      if (c && c.name) entry.counter_name = c.name;
      state.recent_calls = [entry, ...(state.recent_calls || [])].slice(0, MAX_RECENT);
      break;
    }
    case 'ticket.started':
      if (current) c.current.state = 'serving';
      break;
    case 'ticket.done':
    case 'ticket.no_show':
    case 'ticket.transferred':
      if (current) c.current = null;
      break;
    case 'counter.opened':
      if (c) c.status = 'open';
      break;
    case 'counter.paused':
      if (c) c.status = 'paused';
      break;
    case 'counter.closed':
      if (c) { c.status = 'closed'; c.current = null; delete c.clerk; }
      break;
    // The office's announcements to the waiting: the posted one whole, the withdrawn by id.
    case 'announcement.posted':
    case 'announcement.withdrawn':
      if (msg.announcement) {
        const rest = (state.announcements || []).filter((a) => a.id !== msg.announcement.id);
        state.announcements = msg.type === 'announcement.posted' ? [...rest, msg.announcement] : rest;
      }
      break;
    default:
  }
  state.seq = msg.seq;
  if (msg.at) state.at = msg.at;
  return state;
}

/**
 * A WebSocket that reconnects by itself: a connection that does not open in
 * 10 s is dropped; a closed one is tried again with exponential backoff
 * (1 s → 10 s, jitter), reset once a connection has stayed up 5 s.
 *
 *   const sock = new Socket(() => url, {
 *     onOpen()          // connected
 *     onMessage(msg)    // each message, parsed as JSON
 *     onClose()         // connection lost (a retry follows)
 *     onRetry(attempt)  // a retry is scheduled; attempt counts them
 *   });
 *   sock.start(); sock.now(); sock.stop();
 */
export class Socket {
  constructor(url, handlers = {}) {
    this.url = url;
    this.h = handlers;
    this.ws = null;
    this.timer = null;
    this.attempt = 0; // retries since the last good connection (the backoff)
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) { const ws = this.ws; this.ws = null; ws.close(1000); }
  }

  /** Connects at once if running and down (came online, page visible). */
  now() {
    if (this.stopped || this.ws) return;
    this.retry(0);
  }

  /**
   * Drops the connection and connects again: at once the first time, with
   * backoff when it repeats.
   */
  reconnect(code, reason) {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(code, reason);
    if (this.h.onClose) this.h.onClose();
    this.retry(this.attempt === 0 ? 0 : undefined);
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    const openTimer = setTimeout(() => { if (ws.readyState === WebSocket.CONNECTING) ws.close(); }, 10000);
    ws.onopen = () => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      if (this.h.onOpen) this.h.onOpen();
      // A connection that stays up resets the backoff.
      setTimeout(() => { if (this.ws === ws && ws.readyState === WebSocket.OPEN) this.attempt = 0; }, 5000);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (this.h.onMessage) this.h.onMessage(msg);
    };
    ws.onclose = () => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.h.onClose) this.h.onClose();
      this.retry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  /** Connects again after delay ms (by default the next backoff step). */
  retry(delay) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (delay === undefined) delay = jitter(Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt));
    this.attempt++;
    if (this.h.onRetry) this.h.onRetry(this.attempt);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

export class Live {
  constructor(branch, handlers = {}) {
    this.branch = branch;
    this.h = handlers;
    this.state = null;
    this.seq = null;
    this.connected = null; // unknown until the first attempt
    this.stopped = false;
    /** Server clock minus local clock, in ms (from state.at). */
    this.clockOffset = 0;
    this.sock = new Socket(() => this._url(), {
      onOpen: () => this._status(true),
      onMessage: (msg) => {
        this.sock.attempt = 0; // the server is answering: no backoff
        this._message(msg);
      },
      onClose: () => this._status(false),
    });
    // Back online: connect now, even while the first state is still loading
    // (the socket's snapshot then comes first).
    this._onOnline = () => {
      if (this.stopped) return;
      if (this.sock.stopped) this.sock.start(); else this.sock.now();
    };
    window.addEventListener('online', this._onOnline);
  }

  /** Server time now, as a Date. */
  now() { return new Date(Date.now() + this.clockOffset); }

  async start() {
    this.stopped = false;
    if (this.h.estimates && !this._estEvery) this._estEvery = setInterval(() => this._readEstimates(), ESTIMATES_EVERY);
    let delay = BACKOFF_MIN;
    for (;;) {
      try {
        const st = await api.state(this.branch);
        this._setSnapshot(st, st.seq, true);
        break;
      } catch (err) {
        if (this.stopped) return;
        this._status(false);
        if (this.h.onError) this.h.onError(err instanceof ApiError ? err : new ApiError(0, 'network', String(err)));
        // A missing branch may be created later; keep trying, slowly.
        const max = err && err.status === 404 ? 30000 : BACKOFF_MAX;
        await new Promise((r) => setTimeout(r, jitter(delay, max)));
        delay = Math.min(max, delay * 2);
      }
    }
    this.sock.start();
  }

  stop() {
    this.stopped = true;
    clearInterval(this._estEvery);
    clearTimeout(this._estTimer);
    this._estEvery = this._estTimer = null;
    window.removeEventListener('online', this._onOnline);
    this.sock.stop();
  }

  _status(up) {
    if (this.connected === up) return;
    this.connected = up;
    if (this.h.onStatus) this.h.onStatus(up);
  }

  _setSnapshot(state, seq, fromHTTP) {
    this.state = state;
    this.state.seq = seq;
    this.seq = seq;
    if (state.at) {
      const at = Date.parse(state.at);
      if (!Number.isNaN(at)) this.clockOffset = at - Date.now();
    }
    if (this.h.onState) this.h.onState(this.state, { snapshot: true, http: !!fromHTTP });
  }

  _url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let u = `${proto}//${location.host}/api/v1/branches/${encodeURIComponent(this.branch)}/live`;
    if (this.seq !== null && this.seq !== undefined) u += `?since=${this.seq}`;
    return u;
  }

  _message(msg) {
    if (!msg || typeof msg.type !== 'string') return;
    if (msg.type === 'snapshot') {
      if (msg.state) this._setSnapshot(msg.state, msg.seq ?? msg.state.seq, false);
      return;
    }
    if (typeof msg.seq !== 'number') return;
    if (this.seq === null) return; // no snapshot yet: cannot apply
    if (msg.seq <= this.seq) return; // already applied
    if (msg.seq !== this.seq + 1) {
      // Missed something: resume from the last applied event.
      this.sock.reconnect(4000, 'gap');
      return;
    }
    applyEvent(this.state, msg);
    this.seq = msg.seq;
    if (msg.at) {
      // An event cannot happen after the server's "now": one that seems to
      // means our clock is behind. Events in the past say nothing (they may
      // be replayed after a reconnect), so they never move the clock back.
      const at = Date.parse(msg.at);
      if (!Number.isNaN(at) && at - this.now().getTime() > 5000) this.clockOffset = at - Date.now();
    }
    if (this.h.onEvent) this.h.onEvent(msg, this.state);
    if (this.h.onState) this.h.onState(this.state, { snapshot: false, event: msg });
    if (this.h.estimates) this._estimatesSoon();
  }

  // _estimatesSoon reads the services' estimates a moment after events
  // come (one read for a burst of them).
  _estimatesSoon() {
    if (this._estTimer) return;
    this._estTimer = setTimeout(() => this._readEstimates(), ESTIMATES_AFTER);
  }

  async _readEstimates() {
    clearTimeout(this._estTimer);
    this._estTimer = null;
    if (this.stopped || !this.state) return;
    let list;
    try {
      list = await api.services(this.branch);
    } catch {
      return; // the next event or tick tries again
    }
    for (const s of list) {
      const mine = (this.state.services || []).find((x) => x.id === s.id);
      if (!mine) continue;
      mine.estimated_wait_s = s.estimated_wait_s;
      mine.open = s.open;
      if (s.after_closing) mine.after_closing = true; else delete mine.after_closing;
    }
    if (this.h.onState) this.h.onState(this.state, { snapshot: false, estimates: true });
  }
}

/** ±25 %, never above the cap. */
export function jitter(ms, cap = BACKOFF_MAX) {
  return Math.min(cap, Math.round(ms * (0.75 + Math.random() * 0.5)));
}
