// admin-tokens.js — API tokens of integrations (GET · POST /api/v1/tokens,
// DELETE /api/v1/tokens/{id}): create one with a name, a branch (or all, for
// administrators) and scopes (GET /api/v1/rules token_scopes); its secret is
// shown once, with a copy button; the list shows each token's last use;
// revoking asks first, in a dialog.

import { t, fmtDateTime } from './i18n.js';
import { h, request } from './api.js';
import {
  $, app, isAdmin, setStatus, clearError, checkForm, busy, reportSaved, pill, rowButton, copyText, branchName,
} from './admin-util.js';
import { openDialog, closeDialog } from './dialog.js';

const tokensAPI = {
  list: () => request('GET', '/api/v1/tokens').then((r) => (r.data && r.data.tokens) || []),
  create: (body) => request('POST', '/api/v1/tokens', { body }).then((r) => r.data),
  revoke: (id) => request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
};

// Scope "tickets:write" has its texts under tokens.scope.tickets.write.
const scopeKey = (s) => s.replace(':', '.');
const scopeLabel = (s) => t(`tokens.scope.${scopeKey(s)}`, null, { fallback: s });
const scopeHint = (s) => t(`tokens.scope_hint.${scopeKey(s)}`, null, { fallback: '' });
// i18n-keys: tokens.scope.tickets.write tokens.scope.appointments.write tokens.scope.events.read
// i18n-keys: tokens.scope.stats.read tokens.scope.waits.read tokens.scope.webhooks.write
// i18n-keys: tokens.scope_hint.tickets.write tokens.scope_hint.appointments.write tokens.scope_hint.events.read
// i18n-keys: tokens.scope_hint.stats.read tokens.scope_hint.waits.read tokens.scope_hint.webhooks.write

let tokens = [];
let revoking = null; // the token the dialog asks about
let shown = null; // {name, secret} on screen, once

const scopes = () => (app.rules && app.rules.token_scopes) || [];

async function load() {
  tokens = await tokensAPI.list();
  renderTable();
}

export async function enter() {
  hideSecret();
  clearError($('tok-create-error'));
  renderForm();
  await load();
}

export function leave() {
  // Never leave a secret on screen.
  hideSecret();
  closeDialog($('tok-revoke-dialog'));
  revoking = null;
}

export function render() {
  renderForm();
  renderTable();
  if (shown) showSecret(shown, false);
  if (revoking) $('tok-revoke-text').textContent = t('tokens.confirm_text', { name: revoking.name });
}

// ---- the form ----

function renderForm() {
  const checked = new Set([...$('tok-scopes').querySelectorAll('input:checked')].map((x) => x.value));
  $('tok-scopes').replaceChildren(...scopes().map((s) => {
    const id = `tok-scope-${scopeKey(s).replace('.', '-')}`;
    const hint = scopeHint(s);
    return h('div', { class: 'check-row' },
      h('input', { type: 'checkbox', id, value: s, checked: checked.has(s), 'aria-describedby': hint ? `${id}-hint` : null }),
      h('div', null,
        h('label', { for: id }, scopeLabel(s), ' ', h('code', null, s)),
        hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null));
  }));
  const sel = $('tok-branch');
  const was = sel.value || app.branch;
  const options = app.branches.map((b) => h('option', { value: b.id }, branchName(b.id)));
  if (isAdmin()) options.unshift(h('option', { value: '' }, t('tokens.branch_all')));
  sel.replaceChildren(...options);
  sel.value = [...sel.options].some((o) => o.value === was) ? was : app.branch || '';
}

async function create(e) {
  e.preventDefault();
  const form = $('tok-create-form');
  const err = $('tok-create-error');
  const chosen = [...$('tok-scopes').querySelectorAll('input:checked')].map((x) => x.value);
  const checks = [[$('tok-scopes').querySelector('input'), chosen.length ? null : t('tokens.error.no_scope')]];
  if (!checkForm(form, err, checks)) return;
  const name = $('tok-name').value.trim();
  await busy($('btn-tok-create'), err, async () => {
    const res = await tokensAPI.create({ name, branch: $('tok-branch').value, scopes: chosen });
    $('tok-name').value = '';
    for (const box of $('tok-scopes').querySelectorAll('input')) box.checked = false;
    await load();
    showSecret({ name: res.record.name, secret: res.token });
    reportSaved(t('tokens.created_msg', { name: res.record.name }));
  });
}

// ---- the once-only secret ----

function showSecret(s, focus = true) {
  shown = s;
  $('tok-secret-title').textContent = t('tokens.secret_title', { name: s.name });
  $('tok-secret-value').value = s.secret;
  $('tok-secret').hidden = false;
  if (focus) {
    $('tok-secret').scrollIntoView({ block: 'nearest' });
    $('tok-secret-title').focus();
  }
}

function hideSecret() {
  shown = null;
  $('tok-secret').hidden = true;
  $('tok-secret-value').value = '';
}

// ---- the list ----

function renderTable() {
  $('tok-none').hidden = tokens.length > 0;
  $('tok-body').replaceChildren(...tokens.map((k) => {
    const revoked = !!k.revoked_at;
    return h('tr', { 'data-token': k.id, 'data-revoked': String(revoked) },
      h('th', { scope: 'row' }, k.name),
      h('td', null, k.branch ? branchName(k.branch) : t('tokens.branch_all')),
      h('td', null, h('span', { class: 'tok-scope-list' }, ...k.scopes.map((s) => pill(scopeLabel(s), { title: s })))),
      h('td', null, t('tokens.created_by', { time: fmtDateTime(k.created_at), who: k.created_by })),
      h('td', { 'data-last-used': k.last_used_at || '' }, k.last_used_at ? fmtDateTime(k.last_used_at) : t('tokens.never')),
      h('td', null, revoked
        ? pill(t('tokens.revoked', { time: fmtDateTime(k.revoked_at) }), { 'data-status': 'closed' })
        : pill(t('tokens.active'), { 'data-status': 'open' })),
      h('td', { class: 'actions' }, revoked ? '—' : rowButton(t('tokens.revoke'), () => askRevoke(k),
        { class: 'btn-danger', 'data-revoke': k.id, 'aria-label': t('tokens.revoke_label', { name: k.name }) })));
  }));
  if (app.hook) app.hook.tokenRows = tokens.length;
}

// ---- revoking ----

function askRevoke(k) {
  revoking = k;
  $('tok-revoke-text').textContent = t('tokens.confirm_text', { name: k.name });
  clearError($('tok-revoke-error'));
  openDialog($('tok-revoke-dialog'));
  $('btn-tok-revoke-keep').focus();
}

function keep() {
  const k = revoking;
  revoking = null;
  closeDialog($('tok-revoke-dialog'));
  const btn = k && $('tok-body').querySelector(`button[data-revoke="${CSS.escape(k.id)}"]`);
  if (btn) btn.focus();
}

async function confirmRevoke() {
  const k = revoking;
  if (!k) return;
  await busy($('btn-tok-revoke-confirm'), $('tok-revoke-error'), async () => {
    await tokensAPI.revoke(k.id);
    revoking = null;
    closeDialog($('tok-revoke-dialog'));
    await load();
    setStatus(t('tokens.revoked_msg', { name: k.name }), 'ok');
    $('tok-list-title').scrollIntoView({ block: 'nearest' });
    $('tok-name').focus();
  });
}

async function copySecret(e) {
  const ok = await copyText($('tok-secret-value').value, $('tok-secret-value'));
  setStatus(ok ? t('admin.copied') : t('admin.copy_failed'), ok ? 'ok' : 'error');
  e.currentTarget.focus();
}

export function init() {
  $('tok-create-form').addEventListener('submit', create);
  $('btn-tok-copy').addEventListener('click', copySecret);
  $('btn-tok-secret-done').addEventListener('click', () => { hideSecret(); $('tok-name').focus(); });
  $('btn-tok-revoke-confirm').addEventListener('click', confirmRevoke);
  $('btn-tok-revoke-keep').addEventListener('click', keep);
  // Escape closes the dialog: the same as keeping the token.
  $('tok-revoke-dialog').addEventListener('cancel', (e) => { e.preventDefault(); keep(); });
}
