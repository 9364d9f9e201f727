// display.js — the waiting-room wall display at /display/{branch}.
//
// Test hook: window.seiraDisplay = {
//   ready,       // state loaded and shown
//   lastSeq,     // seq of the last applied event / snapshot
//   connected,   // live socket up
//   latest,      // {number, counter} shown in the big panel, or null
//   announced,   // announcements finished (the WAV played to its end, or the fallback chime)
//   queued,      // announcements waiting their turn (not counting the one playing)
//   playing,     // an announcement is playing now
//   lastAnnouncement, // URL path (with query) of the last announcement started, or null
//   silenced,    // calls whose turn came (or was cut short) while muted
//   skipped,     // queued calls dropped because they were older than 90 s when their turn came
//   chimes,      // WebAudio chimes played (the fallback when a WAV fails)
//   sound,       // "on" | "muted" | "suspended" (autoplay blocked: #btn-enable-sound shown)
//   arrivals,    // {number: performance.now() when its call event arrived}, for the "within 1 s" check
//   shown,       // {number: performance.now() when it was first in the big panel}
//   now(),       // the server's time as the display reckons it, in ms since the epoch
//   message,     // the message line's text (page language), or null
//   announcement, // id of the office's announcement shown in the message line, or null (the standing message)
// }
//
// Ages are by the server's clock (live.now(): the snapshot's "at", moved on
// by events): a call older than the branch's call_shown_s leaves the big
// panel and the list, and a recall is marked "again" until its announcement
// has played and recall_badge_s has passed. The clock tick re-checks both.
//
// Announcements: every fresh ticket.called / ticket.recalled queues one
// GET /api/v1/branches/{branch}/announce.wav?number=&counter= (chime, Greek,
// English), played in an <audio> element one after another, never
// overlapping; the big panel shows each call while it is announced. Muting
// stops the current one and lets the rest pass silently. If play() is refused
// (autoplay policy) the queue waits and "enable sound" shows; if a WAV fails
// to load or play, a WebAudio chime stands in. Calls replayed after a
// reconnect that are older than 90 s are not announced.
//
// Element ids / test ids:
//   #branch-name, #clock-time, #clock-date, #offline
//   #message-line (#message-primary, #message-secondary): the newest active announcement to the
//     waiting (data-kind="announcement"), else the office's standing message (data-kind="message")
//   #latest (data-empty, class "flash" while highlighted), #latest-number, #latest-counter,
//     #latest-counter-secondary, #latest-recall
//   #recent-list > li[data-number] (.r-number, .r-counter, .r-recall)
//   #waiting-list > li[data-service="<id>"] (.w-count)
//   #btn-mute (aria-pressed), #btn-enable-sound (shown while sound is blocked)
//   #announce-audio (the <audio> element)
//
// URL options: ?lang=en (primary language), ?lang2=none|el|en (secondary, default
// the other of el/en), ?muted=1.

import {
  t, setLang, lang, secondaryLang, initialLang, localName, setTimeZone, fmtNumber, fmtTime, fmtDate,
} from './i18n.js';
import { api, branchFromPath, h, sleep } from './api.js';
import { Live } from './live.js';
import { newAudioContext, tone } from './sound.js';

const $ = (id) => document.getElementById(id);
const branch = branchFromPath();
const params = new URLSearchParams(location.search);
const MUTE_KEY = 'seira.display.muted';
const RECENT_SHOWN = 8;
const CHIME_S = 1.9;          // length of the two tones
const ANNOUNCE_GAP_MS = 1100; // silence between two announcements
const MUTED_HOLD_MS = 3000;   // how long a call is highlighted when muted
const FRESH_MS = 90 * 1000;   // replayed calls older than this are not announced
const LOAD_TIMEOUT_MS = 10000; // a WAV that does not start by then has failed

const hook = (window.seiraDisplay = {
  ready: false, lastSeq: null, connected: false, latest: null, announced: 0, queued: 0, playing: false,
  lastAnnouncement: null, silenced: 0, skipped: 0, chimes: 0, sound: 'suspended', arrivals: {}, shown: {},
  now: () => (live ? live.now() : new Date()).getTime(),
});

const ui = {
  state: null,
  shown: null,     // the call in the big panel
  queue: [],       // calls waiting to be announced
  running: false,
  muted: false,
  blocked: false,  // play() was refused: wait for a click
  soundOK: false,  // a WAV played, or someone clicked: autoplay is allowed
  stopCurrent: null,
  current: null,   // the call being announced
  audio: null,     // AudioContext for the fallback chime
  drawn: '',       // agesKey() when ages were last looked at
};

let live = null;

// ---- sound ----

function audioCtx() {
  if (!ui.audio) ui.audio = newAudioContext(renderSound);
  return ui.audio;
}

function renderSound() {
  const ctx = ui.audio;
  let s;
  if (ui.muted) s = 'muted';
  else if (ui.blocked || !(ui.soundOK || (ctx && ctx.state === 'running'))) s = 'suspended';
  else s = 'on';
  hook.sound = s;
  $('btn-enable-sound').hidden = s !== 'suspended';
  $('btn-mute').setAttribute('aria-pressed', String(ui.muted));
  $('btn-mute-label').textContent = ui.muted ? t('display.sound_off') : t('display.sound_on');
}

/** A click or key press: audio may play from now on; resume the queue. */
async function enableSound() {
  ui.blocked = false;
  ui.soundOK = true;
  const ctx = audioCtx();
  renderSound();
  if (!ui.running && ui.queue.length) runQueue();
  if (ctx && ctx.state !== 'running') {
    try { await ctx.resume(); } catch { /* still blocked */ }
  }
  renderSound();
}

function setMuted(m) {
  ui.muted = m;
  try { localStorage.setItem(MUTE_KEY, m ? '1' : '0'); } catch { /* ignore */ }
  if (m && ui.stopCurrent) ui.stopCurrent();
  if (!m) enableSound();
  renderSound();
}

/** Two soft sine tones (a falling third): the fallback when a WAV fails. */
function chime() {
  const ctx = ui.audio;
  if (ui.muted || !ctx || ctx.state !== 'running') return sleep(CHIME_S * 1000);
  const t0 = ctx.currentTime + 0.05;
  const master = ctx.createGain();
  master.gain.value = 0.3;
  master.connect(ctx.destination);
  tone(ctx, 659.25, t0, 1.1, { attack: 0.04, out: master });       // E5
  tone(ctx, 523.25, t0 + 0.55, 1.3, { attack: 0.04, out: master }); // C5
  hook.chimes++;
  setTimeout(() => master.disconnect(), (CHIME_S + 0.3) * 1000);
  return sleep(CHIME_S * 1000);
}

// ---- announcements: one at a time, in order ----

/** The languages of the spoken call: the server's default (Greek, then English) unless the display says otherwise. */
function announceLangs() {
  const langs = [lang(), secondaryLang()].filter(Boolean);
  return langs.join(',') === 'el,en' ? null : langs;
}

function announceURL(call) {
  return api.announceURL(branch, call.number, call.counter, announceLangs());
}

/**
 * Plays one announcement in the <audio> element. Resolves "ended",
 * "failed" (could not load or play), "blocked" (autoplay refused) or
 * "stopped" (muted meanwhile).
 */
function playAnnouncement(url) {
  const a = $('announce-audio');
  return new Promise((resolve) => {
    let settled = false;
    let timer = null;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      a.removeEventListener('ended', onEnded);
      a.removeEventListener('error', onError);
      ui.stopCurrent = null;
      hook.playing = false;
      if (result !== 'ended') {
        a.pause();
        a.removeAttribute('src');
        try { a.load(); } catch { /* nothing loaded */ }
      }
      resolve(result);
    };
    const onEnded = () => finish('ended');
    const onError = () => finish('failed');
    a.addEventListener('ended', onEnded);
    a.addEventListener('error', onError);
    ui.stopCurrent = () => finish('stopped');
    timer = setTimeout(() => finish('failed'), LOAD_TIMEOUT_MS);
    hook.lastAnnouncement = url;
    hook.playing = true;
    a.src = url;
    let p;
    try { p = a.play(); } catch (err) { p = Promise.reject(err); }
    Promise.resolve(p).then(() => {
      if (settled) return;
      ui.soundOK = true;
      ui.blocked = false;
      renderSound();
      // Never hang on a stream that stops without "ended".
      clearTimeout(timer);
      const secs = Number.isFinite(a.duration) ? a.duration : 30;
      timer = setTimeout(() => finish('ended'), (secs + 5) * 1000);
    }, (err) => finish(err && err.name === 'NotAllowedError' ? 'blocked' : 'failed'));
  });
}

function enqueue(call) {
  ui.queue.push(call);
  hook.queued = ui.queue.length;
  if (ui.blocked) {
    // Sound waits for a click; the screen does not.
    showLatest(call, true);
    return;
  }
  if (!ui.running) runQueue();
}

const ageOf = (call) => {
  const at = Date.parse(call.at);
  return Number.isNaN(at) ? 0 : (live ? live.now().getTime() : Date.now()) - at;
};

// The branch's settings for ages on the wall (seconds in the state).
const branchSecs = (key, def) => {
  const v = ui.state && ui.state.branch && ui.state.branch[key];
  return (typeof v === 'number' && v > 0 ? v : def) * 1000;
};
const shownMs = () => branchSecs('call_shown_s', 30 * 60);
const badgeMs = () => branchSecs('recall_badge_s', 2 * 60);

/** A call too old for the "now calling" area. */
const stale = (call) => !!call && ageOf(call) > shownMs();

/** A recall stays marked while it waits or plays, and recall_badge_s after. */
function recallMarked(call) {
  if (!call || !call.recall) return false;
  if (sameCall(ui.current, call) || ui.queue.some((c) => sameCall(c, call))) return true;
  return ageOf(call) < badgeMs();
}

/** The newest call young enough to show, or null. */
function newestFresh() {
  const newest = ui.state && ui.state.recent_calls[0];
  return newest && !stale(newest) ? newest : null;
}

async function runQueue() {
  if (ui.running) return;
  ui.running = true;
  while (ui.queue.length && !ui.blocked) {
    const call = ui.queue.shift();
    hook.queued = ui.queue.length;
    if (ageOf(call) > FRESH_MS) {
      // Waited too long (sound was blocked): the screen showed it already.
      hook.skipped++;
      continue;
    }
    showLatest(call, true);
    ui.current = call;
    if (ui.muted) {
      hook.silenced++;
      await sleep(MUTED_HOLD_MS);
      ui.current = null;
      continue;
    }
    const result = await playAnnouncement(announceURL(call));
    ui.current = null;
    if (result === 'blocked') {
      // Keep the call at the head of the queue until sound is allowed.
      ui.queue.unshift(call);
      hook.queued = ui.queue.length;
      ui.blocked = true;
      renderSound();
      break;
    }
    if (result === 'ended') {
      hook.announced++;
    } else if (result === 'failed') {
      hook.playing = true;
      await chime();
      hook.playing = false;
      if (ui.muted) hook.silenced++;
      else hook.announced++;
    } else {
      hook.silenced++; // muted while playing
    }
    await sleep(ANNOUNCE_GAP_MS);
  }
  ui.running = false;
  if (ui.blocked) return;
  // Settle on the newest call (a snapshot may have arrived meanwhile).
  const newest = newestFresh();
  if (!sameCall(newest, ui.shown)) showLatest(newest, false);
  else renderRecent(); // the recall mark may go now that it has played
}

// ---- rendering ----

const sameCall = (a, b) => !!a && !!b && a.number === b.number && a.counter === b.counter && a.at === b.at;

function counterName(call, code) {
  if (call.counter_name) return localName(call.counter_name, code);
  const c = ui.state && ui.state.counters.find((x) => x.id === call.counter);
  return c ? localName(c.name, code) : call.counter;
}

function showLatest(call, flash) {
  if (stale(call)) call = null;
  ui.shown = call;
  const box = $('latest');
  box.dataset.empty = String(!call);
  hook.latest = call ? { number: call.number, counter: call.counter } : null;
  if (!call) {
    $('latest-number').textContent = '';
    $('latest-counter').textContent = '';
    $('latest-counter-secondary').textContent = '';
    $('latest-recall').hidden = true;
    renderRecent();
    return;
  }
  $('latest-number').textContent = call.number;
  if (!(call.number in hook.shown)) hook.shown[call.number] = performance.now();
  $('latest-counter').textContent = counterName(call);
  const sec = secondaryLang();
  const secName = sec ? counterName(call, sec) : '';
  $('latest-counter-secondary').textContent = secName && secName !== counterName(call) ? secName : '';
  if (sec) $('latest-counter-secondary').lang = sec;
  $('latest-recall').hidden = !recallMarked(call);
  if (flash) {
    box.classList.remove('flash');
    void box.offsetWidth; // restart the animation
    box.classList.add('flash');
  }
  renderRecent();
}

function renderRecent() {
  const calls = (ui.state ? ui.state.recent_calls : []).filter((c) => !sameCall(c, ui.shown) && !stale(c));
  // A number called again shows once, at its latest call.
  const seen = new Set(ui.shown ? [ui.shown.number] : []);
  const rows = [];
  for (const c of calls) {
    if (seen.has(c.number)) continue;
    seen.add(c.number);
    rows.push(c);
    if (rows.length >= RECENT_SHOWN) break;
  }
  $('recent-list').replaceChildren(...rows.map((c) => h('li', { 'data-number': c.number },
    h('span', { class: 'r-number' }, c.number),
    h('span', { class: 'r-counter' }, counterName(c), recallMarked(c) ? h('span', { class: 'r-recall' }, t('display.recall')) : null))));
  fitRecent();
}

// agesKey says what ages decide of the calls' rendering: which calls are
// fresh and which are marked as recalls, the big panel's too.
function agesKey() {
  const calls = ui.state ? [ui.shown, ...ui.state.recent_calls] : [];
  return calls.map((c) => (c ? `${c.number}@${c.at}:${stale(c) ? 's' : ''}${recallMarked(c) ? 'r' : ''}` : '-')).join(',');
}

// On the clock's tick: calls that have grown old leave, recall marks that
// have had their time go. Nothing is redrawn while ages changed nothing.
function refreshAges() {
  const key = agesKey();
  if (!ui.state || key === ui.drawn) return;
  ui.drawn = key;
  if (stale(ui.shown) && !sameCall(ui.current, ui.shown)) showLatest(newestFresh(), false);
  else if (ui.shown) showLatest(ui.shown, false);
  else renderRecent();
}

// Show only whole rows: drop the ones that do not fit the panel.
function fitRecent() {
  const list = $('recent-list');
  while (list.lastElementChild && list.scrollHeight > list.clientHeight + 1) list.lastElementChild.remove();
}

function renderWaiting() {
  const services = ui.state ? ui.state.services : [];
  const sec = secondaryLang();
  $('waiting-list').replaceChildren(...services.map((s) => h('li', { 'data-service': s.id, 'data-open': String(!!s.open) },
    h('span', { class: 'w-name' }, localName(s.name),
      sec && localName(s.name, sec) !== localName(s.name) ? h('span', { class: 'd-secondary', lang: sec }, localName(s.name, sec)) : null),
    s.open
      ? h('span', { class: 'w-count', 'aria-label': t('display.waiting_count', { n: fmtNumber(s.waiting) }) }, fmtNumber(s.waiting))
      : h('span', { class: 'w-closed' }, t('display.closed')))));
}

function renderHeader() {
  const name = ui.state ? localName(ui.state.branch.name) : '';
  $('branch-name').textContent = name;
  document.title = name ? `${name} · ${t('display.title')}` : t('display.title');
  renderMessage();
}

// The office's message line: the newest announcement to the waiting while
// one is active (by the server's clock), else the standing message set in
// the administration; in the page's language, with the second language
// beside it when it says something else.
function renderMessage() {
  const now = live ? live.now().getTime() : Date.now();
  const active = ((ui.state && ui.state.announcements) || [])
    .filter((a) => Date.parse(a.expires_at) > now)
    .sort((a, b) => b.id - a.id);
  const notice = active[0] || null;
  const msg = notice ? notice.text : ui.state && ui.state.branch.message;
  const primary = msg ? localName(msg) : '';
  const sec = secondaryLang();
  const second = msg && sec ? localName(msg, sec) : '';
  const line = $('message-line');
  // Set only on a change: the line is a live region, and the clock's tick
  // calls this every second while announcements are about.
  const secondText = second && second !== primary ? second : '';
  if ($('message-primary').textContent !== primary) $('message-primary').textContent = primary;
  if ($('message-secondary').textContent !== secondText) $('message-secondary').textContent = secondText;
  line.hidden = !primary;
  line.dataset.kind = notice ? 'announcement' : 'message';
  hook.message = primary || null;
  hook.announcement = notice ? notice.id : null;
}

function renderClock() {
  const now = live ? live.now() : new Date();
  $('clock-time').textContent = fmtTime(now);
  $('clock-date').textContent = fmtDate(now);
  refreshAges();
  // An announcement leaves the line at its expiry.
  if (ui.state && (ui.state.announcements || []).length) renderMessage();
}

function renderAll() {
  renderHeader();
  renderClock();
  renderWaiting();
  if (ui.shown) showLatest(ui.shown, false);
  else renderRecent();
  renderSound();
}

// ---- live ----

function onState(state, info) {
  ui.state = state;
  hook.lastSeq = state.seq;
  setTimeZone(state.branch && state.branch.time_zone);
  if (info.snapshot) {
    renderHeader();
    if (!ui.running) showLatest(newestFresh(), false);
  }
  renderWaiting();
  renderRecent();
  renderClock();
  if (!info.snapshot && info.event && info.event.type.startsWith('announcement.')) renderMessage();
  if (!hook.ready) {
    hook.ready = true;
    document.body.dataset.ready = 'true';
  }
}

function onEvent(msg) {
  if ((msg.type === 'ticket.called' || msg.type === 'ticket.recalled') && msg.call) {
    const call = ui.state.recent_calls[0];
    hook.arrivals[call.number] = performance.now();
    const at = Date.parse(call.at || msg.at);
    const fresh = Number.isNaN(at) || live.now().getTime() - at < FRESH_MS;
    if (fresh) enqueue(call);
    else if (!ui.running) showLatest(call, false);
  }
}

// ---- start ----

async function main() {
  const primary = await initialLang();
  const l2 = params.get('lang2');
  const secondary = l2 === 'none' ? null : l2 || (primary === 'el' ? 'en' : 'el');
  await setLang(primary, { secondary });

  const stored = (() => { try { return localStorage.getItem(MUTE_KEY); } catch { return null; } })();
  ui.muted = params.get('muted') === '1' || stored === '1';
  audioCtx();
  renderSound();
  $('btn-mute').addEventListener('click', () => setMuted(!ui.muted));
  $('btn-enable-sound').addEventListener('click', enableSound);
  // Any interaction unlocks audio under the autoplay policy.
  for (const ev of ['pointerdown', 'keydown']) {
    document.addEventListener(ev, () => {
      if (ui.muted) return;
      if (ui.blocked || !ui.soundOK || (ui.audio && ui.audio.state !== 'running')) enableSound();
    }, { passive: true });
  }
  window.addEventListener('langchange', renderAll);
  window.addEventListener('resize', () => renderRecent());

  // Hide the mouse pointer when nobody moves it.
  let idle;
  document.addEventListener('pointermove', () => {
    document.body.classList.remove('idle-cursor');
    clearTimeout(idle);
    idle = setTimeout(() => document.body.classList.add('idle-cursor'), 4000);
  }, { passive: true });

  live = new Live(branch, {
    onState,
    onEvent,
    onError: (err) => {
      if (!ui.state && err.status === 404) $('branch-name').textContent = t('error.unknown_branch', { branch });
    },
    onStatus: (up) => {
      hook.connected = up;
      $('offline').hidden = up;
    },
  });
  renderClock();
  setInterval(renderClock, 1000);
  live.start();
}

main().catch((err) => {
  console.error(err);
  document.body.append(h('p', { class: 'page-error', role: 'alert' }, String(err && err.message ? err.message : err)));
});
