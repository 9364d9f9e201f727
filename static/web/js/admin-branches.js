// admin-branches.js — the offices the user may see (GET /branches) and,
// for administrators, a new office (POST /branches), optionally with a copy
// of the current office's services and counters.

import { t, localName } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, isAdmin, clearError, checkForm, validId, textOf, busy, reportSaved, rowButton, ensureSettings,
  branchName,
} from './admin-util.js';

export async function enter() {
  app.branches = await adm.branches();
  if (app.onBranchesChanged) app.onBranchesChanged();
  $('branch-create').hidden = !isAdmin();
  clearError($('nb-error'));
  render();
}

export function leave() {}

export function render() {
  const list = app.branches;
  $('branches-none').hidden = list.length > 0;
  $('branches-body').replaceChildren(...list.map((b) => {
    const name = localName(b.name);
    const current = b.id === app.branch;
    return h('tr', { 'data-branch': b.id, 'data-current': String(current) },
      h('th', { scope: 'row' }, name, current ? h('span', { class: 'sub' }, t('admin.branches.current')) : null),
      h('td', null, h('code', null, b.id)),
      h('td', null, b.time_zone || '—'),
      h('td', { class: 'links-cell' },
        h('a', { href: `/counter/${encodeURIComponent(b.id)}` }, t('admin.branches.page_counter')), ' · ',
        h('a', { href: `/display/${encodeURIComponent(b.id)}` }, t('admin.branches.page_display')), ' · ',
        h('a', { href: `/kiosk/${encodeURIComponent(b.id)}` }, t('admin.branches.page_kiosk'))),
      h('td', { class: 'actions' }, current ? '—' : rowButton(t('admin.branches.open'), () => app.selectBranch(b.id, 'overview'),
        { 'data-open': b.id, 'aria-label': t('admin.branches.open_label', { name }) })));
  }));
  $('nb-copy-label').textContent = app.branch
    ? t('admin.branches.copy', { name: branchName(app.branch) })
    : t('admin.branches.copy_none');
  $('nb-copy').disabled = !app.branch;
}

async function create(e) {
  e.preventDefault();
  const form = $('branch-create-form');
  const err = $('nb-error');
  const id = $('nb-id').value.trim();
  const tz = $('nb-tz').value.trim();
  let tzOK = true;
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); } catch { tzOK = false; }
  const checks = [
    [$('nb-id'), id && !validId(id) ? t('admin.error.id_format') : null],
    [$('nb-id'), id && app.branches.some((b) => b.id === id) ? t('admin.error.branch_exists', { id }) : null],
    [$('nb-tz'), tz && !tzOK ? t('admin.error.time_zone', { tz }) : null],
  ];
  if (!checkForm(form, err, checks)) return;
  const body = { id, name: textOf($('nb-name-el').value, $('nb-name-en').value), time_zone: tz };
  await busy($('btn-nb-create'), err, async () => {
    if ($('nb-copy').checked && app.branch) {
      const s = await ensureSettings();
      body.services = s.services;
      body.counters = s.counters.map((c) => ({ id: c.id, name: c.name, serves: c.serves }));
      body.priority_cap = s.branch.priority_cap;
      body.priorities = s.branch.priorities;
      if (s.branch.hours) body.hours = s.branch.hours;
    }
    await adm.createBranch(body);
    app.branches = await adm.branches();
    form.reset();
    $('nb-tz').value = 'Europe/Athens';
    reportSaved(t('admin.branches.created', { name: localName(body.name) }));
    app.selectBranch(id, 'settings');
  });
}

export function init() {
  $('branch-create-form').addEventListener('submit', create);
}
