// admin-announcements.js — announcements to everyone waiting (API.md
// "Integrations and the open office"): a manager writes a message in Greek
// and/or English with how long it lasts; every waiting ticket's phone page
// and the wall displays show it at once, until it expires or is withdrawn
// here. POST/GET/DELETE /api/v1/branches/{branch}/announcements.

import { t, fmtTime, fmtDateTime } from './i18n.js';
import { request, h, ApiError } from './api.js';
import { $, app, checkForm, clearError, showError, busy, reportSaved, rowButton, orStatus, textOf } from './admin-util.js';

const path = () => `/api/v1/branches/${encodeURIComponent(app.branch)}/announcements`;
const MAX_MINUTES = 24 * 60;

let list = [];     // the active announcements, oldest first
let offset = 0;    // server clock minus ours (from the list's "at")
let timer = null;  // drops an announcement from the list at its expiry

async function load() {
  const { data } = await request('GET', path());
  list = data.announcements || [];
  const at = Date.parse(data.at);
  if (!Number.isNaN(at)) offset = at - Date.now();
  render();
}

export async function enter() {
  clearError($('notices-error'));
  await load();
}

export function leave() { clearTimeout(timer); }

export function render() {
  clearTimeout(timer);
  const now = Date.now() + offset;
  const active = list.filter((a) => Date.parse(a.expires_at) > now).reverse();
  $('notices-none').hidden = active.length > 0;
  $('notices-table').parentElement.hidden = active.length === 0;
  $('notices-body').replaceChildren(...active.map((a) => {
    const texts = ['el', 'en'].filter((l) => a.text && a.text[l]).map((l) => h('span', { class: 'notice-text', lang: l }, a.text[l]));
    const label = (a.text && (a.text.el || a.text.en)) || '';
    return h('tr', { 'data-id': String(a.id) },
      h('td', null, ...texts.flatMap((el, i) => (i ? [h('br'), el] : [el]))),
      h('td', null, h('time', { datetime: a.at }, fmtTime(a.at))),
      h('td', null, h('time', { datetime: a.expires_at }, fmtDateTime(a.expires_at))),
      h('td', null, a.by || '—'),
      h('td', { class: 'actions' }, rowButton(t('notices.withdraw'), () => withdraw(a), {
        class: 'btn-danger', 'data-withdraw': String(a.id), 'aria-label': t('notices.withdraw_label', { text: label }),
      })));
  }));
  if (active.length) {
    const next = Math.min(...active.map((a) => Date.parse(a.expires_at))) - now;
    timer = setTimeout(render, Math.min(Math.max(next, 0) + 50, 2 ** 31 - 1));
  }
}

async function post(e) {
  e.preventDefault();
  const form = $('notices-form');
  const err = $('notices-error');
  // One line each, as displays and phones show it: line breaks become spaces.
  const oneLine = (id) => $(id).value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  const el = oneLine('notices-text-el');
  const en = oneLine('notices-text-en');
  const minutes = Number($('notices-minutes').value);
  const checks = [
    [$('notices-text-el'), !el && !en ? t('notices.error.text') : null],
    [$('notices-minutes'), !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES ? t('notices.error.minutes') : null],
  ];
  if (!checkForm(form, err, checks)) return;
  await busy($('btn-notices-post'), err, async () => {
    try {
      await request('POST', path(), { body: { text: textOf(el, en), to: 'waiting', minutes } });
    } catch (ex) {
      if (ex instanceof ApiError && ex.code === 'invalid_announcement') {
        showError(err, t('notices.error.invalid', { message: ex.message }));
        return;
      }
      throw ex;
    }
    $('notices-text-el').value = '';
    $('notices-text-en').value = '';
    reportSaved(t('notices.posted'));
    await load();
  });
}

async function withdraw(a) {
  await orStatus(async () => {
    try {
      await request('DELETE', `${path()}/${a.id}`);
    } catch (ex) {
      // Expired or withdrawn meanwhile: the list catches up below.
      if (!(ex instanceof ApiError && ex.status === 404)) throw ex;
    }
    reportSaved(t('notices.withdrawn'));
    await load();
    $('notices-title').focus();
  });
}

export function init() {
  $('notices-form').addEventListener('submit', post);
}
