// widget.js — /b/{branch}/widget: one office's services and waits, small
// enough for a municipality's page to frame (the one page that may be
// framed). It reads the branch's public waits every 20 s and tells the
// framing page its height (widget-embed.js sizes the frame to it).
// ?lang=en shows English.
//
// Test hook: window.seiraWidget = {ready, branch, lang, loads, error}

import { t, setLang, initialLang, localName, fmtTime } from './i18n.js';
import { h } from './api.js';
import { errorText } from './errors.js';
import { REFRESH_MS, loadWaits, waitText, waitingText } from './waits-common.js';

const $ = (id) => document.getElementById(id);
const segs = location.pathname.split('/').filter(Boolean); // b, {branch}, widget
const branch = decodeURIComponent(segs[segs.length - 2] || '');
const hook = { ready: false, branch, lang: 'el', loads: 0, error: null };
window.seiraWidget = hook;
let data = null;

function render() {
  const b = data && data.branches[0];
  if (!b) return;
  const name = localName(b.name);
  $('wg-branch').textContent = name;
  document.title = `${t('waits.widget_title')} · ${name}`;
  const addr = b.address ? localName(b.address) : '';
  $('wg-address').textContent = addr;
  $('wg-address').hidden = !addr;
  $('wg-status').textContent = t(b.open_now ? 'waits.open_now' : 'waits.closed_now');
  $('wg-status').className = `wg-status pill ${b.open_now ? 'w-open' : 'w-closed'}`;
  $('wg-services').replaceChildren(...b.services.map((s) => h('li', { class: 'wg-service', 'data-service': s.id },
    h('span', { class: 'wg-name' }, localName(s.name)),
    h('span', { class: 'wg-wait' }, h('strong', null, waitText(s)), s.open ? h('span', { class: 'wg-waiting' }, waitingText(s)) : null))));
  $('wg-updated').textContent = t('waits.updated', { time: fmtTime(new Date(data.at)) });
  const more = $('wg-more');
  more.href = `/waits?lang=${encodeURIComponent(hook.lang)}`;
  tellHeight();
}

function tellHeight() {
  if (window.parent !== window) {
    window.parent.postMessage({ seiraWidgetHeight: document.documentElement.scrollHeight }, '*');
  }
}

async function refresh() {
  try {
    data = await loadWaits(branch);
    hook.loads++;
    hook.error = null;
    $('wg-error').hidden = true;
    render();
    hook.ready = true;
  } catch (err) {
    hook.error = err.code || 'network';
    $('wg-error').textContent = errorText(err);
    $('wg-error').hidden = false;
    tellHeight();
  }
}

async function main() {
  hook.lang = await setLang(await initialLang(null));
  await refresh();
  setInterval(refresh, REFRESH_MS);
  window.addEventListener('resize', tellHeight);
}

main();
