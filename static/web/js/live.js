// live.js — a branch's state kept current over the live WebSocket.
//
//   const live = new Live(branch, {
//     onState(state, info)  // after every change; info = {snapshot, event}
//     onEvent(msg, state)   // each event message, after it was applied
//     onStatus(connected)   // socket up/down (show "offline")
//     onError(err)          // initial state could not be loaded (ApiError)
//   });
//   live.start();
//
// The state is first read over HTTP (GET /state), then the socket resumes
// with ?since=seq. Each event's `services` and `counter` are applied, calls
// are prepended to recent_calls. A gap in seq reconnects with since=last; a
// closed socket reconnects with exponential backoff (1 s → 10 s, jitter).

import { api, ApiError } from './api.js';

const MAX_RECENT = 20;
const BACKOFF_MIN = 1000;
const BACKOFF_MAX = 10000;

/** Applies one event message to state in place. */
export function applyEvent(state, msg) {
  if (Array.isArray(msg.services)) state.services = msg.services;
  if (msg.counter && msg.counter.id !== undefined) {
    const list = state.counters || (state.counters = []);
    const i = list.findIndex((c) => c.id === msg.counter.id);
    const next = { ...msg.counter };
    if (i >= 0) {
      const old = list[i];
      // Public live views carry no clerk: keep the one a staff view gave us.
      if (!('clerk' in next) && old.clerk && next.status !== 'closed') next.clerk = old.clerk;
      list[i] = next;
    } else {
      list.push(next);
    }
  }
  if (msg.call && (msg.type === 'ticket.called' || msg.type === 'ticket.recalled')) {
    const call = { ...msg.call };
    if (msg.type === 'ticket.recalled') call.recall = true;
    state.recent_calls = [call, ...(state.recent_calls || [])].slice(0, MAX_RECENT);
  }
  state.seq = msg.seq;
  if (msg.at) state.at = msg.at;
  return state;
}

export class Live {
  constructor(branch, handlers = {}) {
    this.branch = branch;
    this.h = handlers;
    this.state = null;
    this.seq = null;
    this.ws = null;
    this.connected = null; // unknown until the first attempt
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    /** Server clock minus local clock, in ms (from state.at). */
    this.clockOffset = 0;
    this._onOnline = () => { if (!this.ws) this._reconnectSoon(0); };
    window.addEventListener('online', this._onOnline);
  }

  /** Server time now, as a Date. */
  now() { return new Date(Date.now() + this.clockOffset); }

  async start() {
    this.stopped = false;
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
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this._onOnline);
    if (this.ws) { const ws = this.ws; this.ws = null; ws.close(1000); }
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

  _connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this._url());
    } catch {
      this._reconnectSoon();
      return;
    }
    this.ws = ws;
    const openTimer = setTimeout(() => { if (ws.readyState === WebSocket.CONNECTING) ws.close(); }, 10000);
    ws.onopen = () => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this._status(true);
      // A connection that stays up resets the backoff.
      setTimeout(() => { if (this.ws === ws && ws.readyState === WebSocket.OPEN) this.attempt = 0; }, 5000);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      this.attempt = 0;
      this._message(msg);
    };
    ws.onclose = () => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this._status(false);
      this._reconnectSoon();
    };
    ws.onerror = () => { /* onclose follows */ };
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
      this._resync();
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
  }

  _resync() {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(4000, 'gap');
    this._status(false);
    // The first resync is immediate; repeated ones back off.
    this._reconnectSoon(this.attempt === 0 ? 0 : undefined);
  }

  _reconnectSoon(delay) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (delay === undefined) {
      delay = jitter(Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt));
      this.attempt++;
    } else {
      this.attempt++;
    }
    this.timer = setTimeout(() => this._connect(), delay);
  }
}

function jitter(ms, cap = BACKOFF_MAX) {
  // ±25 %, never above the cap
  return Math.min(cap, Math.round(ms * (0.75 + Math.random() * 0.5)));
}
